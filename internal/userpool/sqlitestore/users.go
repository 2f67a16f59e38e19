package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// CreateUser stores u with its aliases, or changes nothing.
func (s *Store) CreateUser(ctx context.Context, u *userpool.User, opts userpool.CreateUserOptions) error {
	return dbErr("create user", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(u.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", u.PoolID)
		}
		return t.createUser(u, opts)
	}))
}

// ImportUsers creates users in one transaction, as CreateUser would without
// StealAliases: all of them, or — on the first refusal — none. It is the
// bulk path (a CSV import, seeding a large pool): one commit for many users
// instead of one each.
func (s *Store) ImportUsers(ctx context.Context, users []*userpool.User) error {
	return dbErr("import users", s.write(ctx, func(t wtx) error {
		checked := map[string]bool{}
		for _, u := range users {
			if !checked[u.PoolID] {
				if ok, err := t.poolExists(u.PoolID); err != nil {
					return err
				} else if !ok {
					return notFound("pool", u.PoolID)
				}
				checked[u.PoolID] = true
			}
			if err := t.createUser(u, userpool.CreateUserOptions{}); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *Store) getOne(ctx context.Context, st *sql.Stmt, what, key string, args ...any) (*userpool.User, error) {
	u, err := scanUser(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, key)
	}
	return u, dbErr("get user", err)
}

// GetUser returns the user with the username key.
func (s *Store) GetUser(ctx context.Context, poolID, usernameKey string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUser, "user", usernameKey, poolID, usernameKey)
}

// GetUserByAlias returns the user holding the alias key of attribute.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, attribute, key string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUserByAlias, "alias "+attribute, key, poolID, attribute, key)
}

// GetUserBySub returns the user with the sub.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUserBySub, "user sub", sub, poolID, sub)
}

// UpdateUser replaces the user if u.Version is current, re-indexing its
// aliases and filter values in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, u *userpool.User) error {
	err := s.write(ctx, func(t wtx) error {
		old, id, err := t.user(u.PoolID, u.UsernameKey)
		if err != nil {
			return err
		}
		if old.Version != u.Version {
			return fmt.Errorf("user %q at version %d, update from %d: %w", u.UsernameKey, old.Version, u.Version, userpool.ErrConflict)
		}
		for _, attr := range slices.Sorted(maps.Keys(u.Aliases)) {
			holder, found, err := t.aliasHolder(u.PoolID, attr, u.Aliases[attr])
			if err != nil {
				return err
			}
			if found && holder != u.UsernameKey {
				return fmt.Errorf("alias %s %q of user %q: %w", attr, u.Aliases[attr], holder, userpool.ErrAliasExists)
			}
		}
		if old.Sub != u.Sub {
			var one int
			if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, []any{u.PoolID, u.Sub}, &one); err != nil {
				return err
			} else if found {
				return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
			}
		}
		oldF, newF := filterValues(old), filterValues(u)
		if err := t.dropIndexRows(u.PoolID, u.UsernameKey, minus(old.Aliases, u.Aliases), minus(oldF, newF)); err != nil {
			return err
		}
		if err := t.addIndexRows(u.PoolID, u.UsernameKey, id, minus(u.Aliases, old.Aliases), minus(newF, oldF)); err != nil {
			return err
		}
		next := *u
		next.Version++
		return t.updateUserRow(&next)
	})
	if err != nil {
		return dbErr("update user", err)
	}
	u.Version++
	return nil
}

// minus returns the entries of a that b does not have with the same value.
func minus(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			out[k] = v
		}
	}
	return out
}

// DeleteUser removes the user, its aliases, filter rows and refresh tokens.
func (s *Store) DeleteUser(ctx context.Context, poolID, usernameKey string) error {
	return dbErr("delete user", s.write(ctx, func(t wtx) error {
		old, _, err := t.user(poolID, usernameKey)
		if err != nil {
			return err
		}
		if err := t.dropIndexRows(poolID, usernameKey, old.Aliases, filterValues(old)); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM refresh_tokens WHERE pool_id = ? AND username = ?`, poolID, old.Username); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM group_members WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey); err != nil {
			return err
		}
		return t.addCount(poolID, -1)
	}))
}

// CountUsers returns the number of users in the pool, kept in the pool row.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT user_count FROM pools WHERE id = ?`, poolID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, dbErr("count users", err)
}

// ListUsers pages through the users of a pool that match q. Unfiltered, it
// walks the users' primary key; filtered, the user_filters primary key —
// an equality or a prefix range, both already in the listing's order — then
// joins each hit to its user.
func (s *Store) ListUsers(ctx context.Context, poolID string, q userpool.ListUsersQuery) ([]*userpool.User, string, error) {
	if q.Attribute != "" && !userpool.IsFilterable(q.Attribute) {
		return nil, "", fmt.Errorf("sqlitestore: list users: attribute %q cannot be filtered", q.Attribute)
	}
	scope := userpool.CursorScope(poolID, q)
	from, err := userpool.DecodeCursor("users", scope, q.After)
	if err != nil {
		return nil, "", err
	}
	limit := listLimit(q.Limit)
	query, args := listUsersSQL(poolID, q, from, limit+1)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", dbErr("list users", err)
	}
	type hit struct {
		u *userpool.User
		v string
	}
	hits, err := collect(rows, func(row interface{ Scan(...any) error }) (hit, error) {
		var h hit
		var err error
		h.u, err = scanUser(row, &h.v)
		return h, err
	})
	if err != nil {
		return nil, "", dbErr("list users", err)
	}
	hits, next := page(hits, limit, func(h hit) userpool.Cursor {
		return userpool.Cursor{Kind: "users", Pool: scope, Value: h.v, Key: h.u.UsernameKey}
	})
	users := make([]*userpool.User, len(hits))
	for i, h := range hits {
		users[i] = h.u
	}
	return users, next, nil
}

// listUsersSQL is the query of one ListUsers page of n rows after from.
// Each row is a user's columns and the folded filter value (” unfiltered).
func listUsersSQL(poolID string, q userpool.ListUsersQuery, from userpool.Cursor, n int) (string, []any) {
	if q.Attribute == "" {
		return `SELECT ` + userCols + `, '' FROM users
			WHERE pool_id = ? AND username_key > ? ORDER BY username_key LIMIT ?`, []any{poolID, from.Key, n}
	}
	want := userpool.FilterKey(q.Attribute, q.Value)
	where := `f.value = ?`
	args := []any{poolID, q.Attribute, want}
	if q.Prefix {
		where = `f.value >= ?`
		if end, ok := prefixEnd(want); ok {
			where += ` AND f.value < ?`
			args = append(args, end)
		}
	}
	if q.After != "" {
		where += ` AND (f.value, f.username_key) > (?, ?)`
		args = append(args, from.Value, from.Key)
	}
	return `SELECT ` + userColsOf("u") + `, f.value FROM user_filters f
		JOIN users u ON u.id = f.user_id
		WHERE f.pool_id = ? AND f.attribute = ? AND ` + where + `
		ORDER BY f.value, f.username_key LIMIT ?`, append(args, n)
}

// prefixEnd returns the smallest string greater than every string that
// starts with p, in SQLite's byte-wise (BINARY) order: p with its last
// byte below 0xff incremented and what follows dropped. ok is false when
// no such string exists (p empty or all 0xff): the range has no end.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
