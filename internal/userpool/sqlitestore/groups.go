package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

const groupCols = `pool_id, name, description, role_arn, precedence, created_at, updated_at`

func scanGroup(row interface{ Scan(...any) error }) (*userpool.Group, error) {
	var g userpool.Group
	var prec, created, updated sql.NullInt64
	if err := row.Scan(&g.PoolID, &g.Name, &g.Description, &g.RoleArn, &prec, &created, &updated); err != nil {
		return nil, err
	}
	if prec.Valid {
		p := int(prec.Int64)
		g.Precedence = &p
	}
	g.CreatedAt, g.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &g, nil
}

func precedence(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// CreateGroup stores g.
func (s *Store) CreateGroup(ctx context.Context, g *userpool.Group) error {
	return dbErr("create group", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(g.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", g.PoolID)
		}
		var one int
		if ok, err := t.scan(`SELECT 1 FROM user_groups WHERE pool_id = ? AND name = ?`, []any{g.PoolID, g.Name}, &one); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("group %q: %w", g.Name, userpool.ErrExists)
		}
		_, err := t.exec(`INSERT INTO user_groups (`+groupCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`, g.PoolID, g.Name,
			g.Description, g.RoleArn, precedence(g.Precedence), nanos(g.CreatedAt), nanos(g.UpdatedAt))
		return err
	}))
}

// GetGroup returns the group name of the pool.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*userpool.Group, error) {
	g, err := scanGroup(s.r.QueryRowContext(ctx, `SELECT `+groupCols+` FROM user_groups WHERE pool_id = ? AND name = ?`, poolID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("group", name)
	}
	return g, dbErr("get group", err)
}

// UpdateGroup replaces the stored group.
func (s *Store) UpdateGroup(ctx context.Context, g *userpool.Group) error {
	return dbErr("update group", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`UPDATE user_groups SET description = ?, role_arn = ?, precedence = ?, created_at = ?, updated_at = ?
			WHERE pool_id = ? AND name = ?`, g.Description, g.RoleArn, precedence(g.Precedence), nanos(g.CreatedAt),
			nanos(g.UpdatedAt), g.PoolID, g.Name)
		return affected(res, err, "group", g.Name)
	}))
}

// DeleteGroup removes the group and its memberships.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return dbErr("delete group", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`DELETE FROM user_groups WHERE pool_id = ? AND name = ?`, poolID, name)
		if err := affected(res, err, "group", name); err != nil {
			return err
		}
		_, err = t.exec(`DELETE FROM group_members WHERE pool_id = ? AND group_name = ?`, poolID, name)
		return err
	}))
}

// listGroups runs a group query whose last two parameters are the cursor
// key and the row limit.
func (s *Store) listGroups(ctx context.Context, op, scope, query string, limit int, after string, args ...any) ([]*userpool.Group, string, error) {
	from, err := userpool.DecodeCursor("groups", scope, after)
	if err != nil {
		return nil, "", err
	}
	limit = listLimit(limit)
	rows, err := s.r.QueryContext(ctx, query, append(args, from.Key, limit+1)...)
	if err != nil {
		return nil, "", dbErr(op, err)
	}
	groups, err := collect(rows, scanGroup)
	if err != nil {
		return nil, "", dbErr(op, err)
	}
	groups, next := page(groups, limit, func(g *userpool.Group) userpool.Cursor {
		return userpool.Cursor{Kind: "groups", Pool: scope, Key: g.Name}
	})
	return groups, next, nil
}

// ListGroups pages through the pool's groups by name.
func (s *Store) ListGroups(ctx context.Context, poolID string, limit int, after string) ([]*userpool.Group, string, error) {
	return s.listGroups(ctx, "list groups", poolID, `SELECT `+groupCols+` FROM user_groups
		WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, limit, after, poolID)
}

// membership checks that the group and the user of a membership change exist.
func (t wtx) membership(poolID, group, usernameKey string) error {
	var one int
	if ok, err := t.scan(`SELECT 1 FROM user_groups WHERE pool_id = ? AND name = ?`, []any{poolID, group}, &one); err != nil {
		return err
	} else if !ok {
		return notFound("group", group)
	}
	if ok, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, []any{poolID, usernameKey}, &one); err != nil {
		return err
	} else if !ok {
		return notFound("user", usernameKey)
	}
	return nil
}

// AddUserToGroup makes the user a member of the group.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, group, usernameKey string) error {
	return dbErr("add user to group", s.write(ctx, func(t wtx) error {
		if err := t.membership(poolID, group, usernameKey); err != nil {
			return err
		}
		_, err := t.exec(`INSERT OR IGNORE INTO group_members (pool_id, group_name, username_key) VALUES (?, ?, ?)`,
			poolID, group, usernameKey)
		return err
	}))
}

// RemoveUserFromGroup ends the user's membership of the group.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, group, usernameKey string) error {
	return dbErr("remove user from group", s.write(ctx, func(t wtx) error {
		if err := t.membership(poolID, group, usernameKey); err != nil {
			return err
		}
		_, err := t.exec(`DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND username_key = ?`,
			poolID, group, usernameKey)
		return err
	}))
}

// ListGroupsForUser pages through the groups the user belongs to, by name.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, usernameKey string, limit int, after string) ([]*userpool.Group, string, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("user", usernameKey)
	}
	if err != nil {
		return nil, "", dbErr("list groups for user", err)
	}
	return s.listGroups(ctx, "list groups for user", poolID+"\x00"+usernameKey, `SELECT `+groupColsOf("g")+`
		FROM group_members m JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = ? AND m.username_key = ? AND m.group_name > ? ORDER BY m.group_name LIMIT ?`,
		limit, after, poolID, usernameKey)
}

func groupColsOf(a string) string {
	return a + `.pool_id, ` + a + `.name, ` + a + `.description, ` + a + `.role_arn, ` + a + `.precedence, ` +
		a + `.created_at, ` + a + `.updated_at`
}

// ListUsersInGroup pages through the group's users by username key.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, limit int, after string) ([]*userpool.User, string, error) {
	scope := poolID + "\x00" + group
	from, err := userpool.DecodeCursor("members", scope, after)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.GetGroup(ctx, poolID, group); err != nil {
		return nil, "", err
	}
	limit = listLimit(limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColsOf("u")+` FROM group_members m
		JOIN users u ON u.pool_id = m.pool_id AND u.username_key = m.username_key
		WHERE m.pool_id = ? AND m.group_name = ? AND m.username_key > ? ORDER BY m.username_key LIMIT ?`,
		poolID, group, from.Key, limit+1)
	if err != nil {
		return nil, "", dbErr("list users in group", err)
	}
	users, err := collect(rows, func(row interface{ Scan(...any) error }) (*userpool.User, error) { return scanUser(row) })
	if err != nil {
		return nil, "", dbErr("list users in group", err)
	}
	users, next := page(users, limit, func(u *userpool.User) userpool.Cursor {
		return userpool.Cursor{Kind: "members", Pool: scope, Key: u.UsernameKey}
	})
	return users, next, nil
}
