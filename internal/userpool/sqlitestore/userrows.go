package sqlitestore

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// user reads a user and its rowid.
func (t wtx) user(poolID, key string) (*userpool.User, int64, error) {
	st, err := t.stmt(`SELECT ` + userCols + `, id FROM users WHERE pool_id = ? AND username_key = ?`)
	if err != nil {
		return nil, 0, err
	}
	var id int64
	u, err := scanUser(st.QueryRowContext(t.ctx, poolID, key), &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, notFound("user", key)
	}
	return u, id, err
}

func (t wtx) aliasHolder(poolID, attr, key string) (holder string, found bool, err error) {
	found, err = t.scan(`SELECT username_key FROM aliases WHERE pool_id = ? AND attribute = ? AND key = ?`,
		[]any{poolID, attr, key}, &holder)
	return holder, found, err
}

// insertUserRow adds u's row and returns its rowid.
func (t wtx) insertUserRow(u *userpool.User) (int64, error) {
	data, err := encodeUser(u)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.PoolID, u.UsernameKey, u.Username, u.Sub, u.Status, u.Enabled, u.Version, data)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// updateUserRow rewrites u's row.
func (t wtx) updateUserRow(u *userpool.User) error {
	data, err := encodeUser(u)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE users SET username = ?, sub = ?, status = ?, enabled = ?, version = ?, data = ?
		WHERE pool_id = ? AND username_key = ?`,
		u.Username, u.Sub, u.Status, u.Enabled, u.Version, data, u.PoolID, u.UsernameKey)
	return err
}

func (t wtx) addIndexRows(poolID, key string, id int64, aliases, filters map[string]string) error {
	for attr, k := range aliases {
		if _, err := t.exec(`INSERT INTO aliases (pool_id, attribute, key, username_key, user_id) VALUES (?, ?, ?, ?, ?)`,
			poolID, attr, k, key, id); err != nil {
			return err
		}
	}
	for attr, v := range filters {
		if _, err := t.exec(`INSERT INTO user_filters (pool_id, attribute, value, username_key, user_id) VALUES (?, ?, ?, ?, ?)`,
			poolID, attr, v, key, id); err != nil {
			return err
		}
	}
	return nil
}

func (t wtx) dropIndexRows(poolID, key string, aliases, filters map[string]string) error {
	for attr, k := range aliases {
		if _, err := t.exec(`DELETE FROM aliases WHERE pool_id = ? AND attribute = ? AND key = ? AND username_key = ?`,
			poolID, attr, k, key); err != nil {
			return err
		}
	}
	for attr, v := range filters {
		if _, err := t.exec(`DELETE FROM user_filters WHERE pool_id = ? AND attribute = ? AND value = ? AND username_key = ?`,
			poolID, attr, v, key); err != nil {
			return err
		}
	}
	return nil
}

func (t wtx) addCount(poolID string, n int) error {
	_, err := t.exec(`UPDATE pools SET user_count = user_count + ? WHERE id = ?`, n, poolID)
	return err
}

// createUser adds u with its alias and filter rows, moving stolen aliases.
func (t wtx) createUser(u *userpool.User, opts userpool.CreateUserOptions) error {
	var one int
	if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, []any{u.PoolID, u.UsernameKey}, &one); err != nil {
		return err
	} else if found {
		return fmt.Errorf("user %q: %w", u.UsernameKey, userpool.ErrExists)
	}
	if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, []any{u.PoolID, u.Sub}, &one); err != nil {
		return err
	} else if found {
		return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
	}
	robbed := map[string][]string{} // holder → attributes to take
	for _, attr := range slices.Sorted(maps.Keys(u.Aliases)) {
		holder, found, err := t.aliasHolder(u.PoolID, attr, u.Aliases[attr])
		if err != nil {
			return err
		}
		if found {
			if !opts.StealAliases {
				return fmt.Errorf("alias %s %q of user %q: %w", attr, u.Aliases[attr], holder, userpool.ErrAliasExists)
			}
			robbed[holder] = append(robbed[holder], attr)
		}
	}
	for _, holder := range slices.Sorted(maps.Keys(robbed)) {
		v, _, err := t.user(u.PoolID, holder)
		if err != nil {
			return err
		}
		lost := map[string]string{}
		for _, attr := range robbed[holder] {
			lost[attr] = v.Aliases[attr]
			delete(v.Aliases, attr)
		}
		if err := t.dropIndexRows(u.PoolID, holder, lost, nil); err != nil {
			return err
		}
		v.Version++
		if err := t.updateUserRow(v); err != nil {
			return err
		}
	}
	id, err := t.insertUserRow(u)
	if err != nil {
		return err
	}
	if err := t.addIndexRows(u.PoolID, u.UsernameKey, id, u.Aliases, filterValues(u)); err != nil {
		return err
	}
	return t.addCount(u.PoolID, 1)
}
