package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Times are stored as Unix nanoseconds (exact, and ordered as integers);
// the zero time is NULL.
func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func settings(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return []byte(raw)
}

// CreatePool stores p.
func (s *Store) CreatePool(ctx context.Context, p *userpool.Pool) error {
	return dbErr("create pool", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(p.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("pool %q: %w", p.ID, userpool.ErrExists)
		}
		_, err := t.exec(`INSERT INTO pools (id, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			p.ID, p.Name, settings(p.Settings), nanos(p.CreatedAt), nanos(p.UpdatedAt))
		return err
	}))
}

const poolCols = `id, name, settings, created_at, updated_at`

func scanPool(row interface{ Scan(...any) error }) (*userpool.Pool, error) {
	var p userpool.Pool
	var set []byte
	var created, updated sql.NullInt64
	if err := row.Scan(&p.ID, &p.Name, &set, &created, &updated); err != nil {
		return nil, err
	}
	if set != nil {
		p.Settings = json.RawMessage(set)
	}
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &p, nil
}

// GetPool returns the pool id.
func (s *Store) GetPool(ctx context.Context, id string) (*userpool.Pool, error) {
	p, err := scanPool(s.r.QueryRowContext(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("pool", id)
	}
	return p, dbErr("get pool", err)
}

// UpdatePool replaces the stored pool p.ID.
func (s *Store) UpdatePool(ctx context.Context, p *userpool.Pool) error {
	return dbErr("update pool", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`UPDATE pools SET name = ?, settings = ?, created_at = ?, updated_at = ? WHERE id = ?`,
			p.Name, settings(p.Settings), nanos(p.CreatedAt), nanos(p.UpdatedAt), p.ID)
		return affected(res, err, "pool", p.ID)
	}))
}

// affected turns an UPDATE or DELETE that matched no row into ErrNotFound.
func affected(res sql.Result, err error, what, key string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what, key)
	}
	return nil
}

// DeletePool removes the pool with its clients, users, aliases, filter
// rows, refresh tokens and messages, in one transaction.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	return dbErr("delete pool", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`DELETE FROM pools WHERE id = ?`, id)
		if err := affected(res, err, "pool", id); err != nil {
			return err
		}
		for _, table := range []string{"clients", "users", "aliases", "user_filters", "refresh_tokens", "messages", "domains", "resource_servers", "user_groups", "group_members"} {
			if _, err := t.exec(`DELETE FROM `+table+` WHERE pool_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ListPools pages through pools in id order.
func (s *Store) ListPools(ctx context.Context, limit int, after string) ([]*userpool.Pool, string, error) {
	from, err := userpool.DecodeCursor("pools", "", after)
	if err != nil {
		return nil, "", err
	}
	limit = listLimit(limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+poolCols+` FROM pools WHERE id > ? ORDER BY id LIMIT ?`, from.Key, limit+1)
	if err != nil {
		return nil, "", dbErr("list pools", err)
	}
	pools, err := collect(rows, scanPool)
	if err != nil {
		return nil, "", dbErr("list pools", err)
	}
	pools, next := page(pools, limit, func(p *userpool.Pool) userpool.Cursor { return userpool.Cursor{Kind: "pools", Key: p.ID} })
	return pools, next, nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const clientCols = `id, pool_id, name, secret, settings, created_at, updated_at`

func scanClient(row interface{ Scan(...any) error }) (*userpool.Client, error) {
	var c userpool.Client
	var set []byte
	var created, updated sql.NullInt64
	if err := row.Scan(&c.ID, &c.PoolID, &c.Name, &c.Secret, &set, &created, &updated); err != nil {
		return nil, err
	}
	if set != nil {
		c.Settings = json.RawMessage(set)
	}
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &c, nil
}

// CreateClient stores c.
func (s *Store) CreateClient(ctx context.Context, c *userpool.Client) error {
	return dbErr("create client", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(c.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", c.PoolID)
		}
		var one int
		if found, err := t.scan(`SELECT 1 FROM clients WHERE id = ?`, []any{c.ID}, &one); err != nil {
			return err
		} else if found {
			return fmt.Errorf("client %q: %w", c.ID, userpool.ErrExists)
		}
		_, err := t.exec(`INSERT INTO clients (`+clientCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.PoolID, c.Name, c.Secret, settings(c.Settings), nanos(c.CreatedAt), nanos(c.UpdatedAt))
		return err
	}))
}

// GetClient returns the client id, whatever its pool.
func (s *Store) GetClient(ctx context.Context, id string) (*userpool.Client, error) {
	c, err := scanClient(s.r.QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("client", id)
	}
	return c, dbErr("get client", err)
}

// UpdateClient replaces the stored client c.ID (its pool stays).
func (s *Store) UpdateClient(ctx context.Context, c *userpool.Client) error {
	return dbErr("update client", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`UPDATE clients SET name = ?, secret = ?, settings = ?, created_at = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Secret, settings(c.Settings), nanos(c.CreatedAt), nanos(c.UpdatedAt), c.ID)
		return affected(res, err, "client", c.ID)
	}))
}

// DeleteClient removes the client id.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return dbErr("delete client", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`DELETE FROM clients WHERE id = ?`, id)
		return affected(res, err, "client", id)
	}))
}

// ListClients pages through the clients of a pool in id order.
func (s *Store) ListClients(ctx context.Context, poolID string, limit int, after string) ([]*userpool.Client, string, error) {
	from, err := userpool.DecodeCursor("clients", poolID, after)
	if err != nil {
		return nil, "", err
	}
	limit = listLimit(limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+clientCols+` FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`,
		poolID, from.Key, limit+1)
	if err != nil {
		return nil, "", dbErr("list clients", err)
	}
	clients, err := collect(rows, scanClient)
	if err != nil {
		return nil, "", dbErr("list clients", err)
	}
	clients, next := page(clients, limit, func(c *userpool.Client) userpool.Cursor {
		return userpool.Cursor{Kind: "clients", Pool: poolID, Key: c.ID}
	})
	return clients, next, nil
}

const tokenCols = `hash, pool_id, client_id, username, sub, origin_jti, auth_time, expires_at, revoked, created_at, scope`

// PutRefreshToken inserts or replaces the token with t.Hash.
func (s *Store) PutRefreshToken(ctx context.Context, t *userpool.RefreshToken) error {
	return dbErr("put refresh token", s.write(ctx, func(w wtx) error {
		if ok, err := w.poolExists(t.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", t.PoolID)
		}
		_, err := w.exec(`INSERT OR REPLACE INTO refresh_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Hash, t.PoolID, t.ClientID, t.Username, t.Sub, t.OriginJTI,
			nanos(t.AuthTime), nanos(t.ExpiresAt), t.Revoked, nanos(t.CreatedAt), t.Scope)
		return err
	}))
}

// GetRefreshToken returns the token with the hash.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*userpool.RefreshToken, error) {
	var t userpool.RefreshToken
	var auth, exp, created sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM refresh_tokens WHERE hash = ?`, hash).Scan(
		&t.Hash, &t.PoolID, &t.ClientID, &t.Username, &t.Sub, &t.OriginJTI, &auth, &exp, &t.Revoked, &created, &t.Scope)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("refresh token", "…") // never echo a token hash into logs
	}
	if err != nil {
		return nil, dbErr("get refresh token", err)
	}
	t.AuthTime, t.ExpiresAt, t.CreatedAt = fromNanos(auth), fromNanos(exp), fromNanos(created)
	return &t, nil
}

// RevokeRefreshTokens revokes the pool's tokens of originJTI, or every
// token of username when originJTI is empty.
func (s *Store) RevokeRefreshTokens(ctx context.Context, poolID, username, originJTI string) error {
	return dbErr("revoke refresh tokens", s.write(ctx, func(t wtx) error {
		var err error
		if originJTI != "" {
			_, err = t.exec(`UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ? AND origin_jti = ? AND revoked = 0`, poolID, originJTI)
		} else {
			_, err = t.exec(`UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ? AND username = ? AND revoked = 0`, poolID, username)
		}
		return err
	}))
}

// AppendMessage stores m and sets m.ID.
func (s *Store) AppendMessage(ctx context.Context, m *userpool.Message) error {
	var id int64
	err := s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(m.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", m.PoolID)
		}
		res, err := t.exec(`INSERT INTO messages (pool_id, username, medium, destination, kind, code, body, subject, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.PoolID, m.Username, m.Medium, m.Destination, m.Kind, m.Code, m.Body, m.Subject, nanos(m.CreatedAt))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return dbErr("append message", err)
	}
	m.ID = id
	return nil
}

// ListMessages returns up to limit messages with ID > afterID, oldest first.
func (s *Store) ListMessages(ctx context.Context, poolID string, afterID int64, limit int) ([]*userpool.Message, error) {
	limit = listLimit(limit)
	const cols = `SELECT id, pool_id, username, medium, destination, kind, code, body, subject, created_at FROM messages`
	var rows *sql.Rows
	var err error
	if poolID == "" {
		rows, err = s.r.QueryContext(ctx, cols+` WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	} else {
		rows, err = s.r.QueryContext(ctx, cols+` WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`, poolID, afterID, limit)
	}
	if err != nil {
		return nil, dbErr("list messages", err)
	}
	msgs, err := collect(rows, func(row interface{ Scan(...any) error }) (*userpool.Message, error) {
		var m userpool.Message
		var created sql.NullInt64
		err := row.Scan(&m.ID, &m.PoolID, &m.Username, &m.Medium, &m.Destination, &m.Kind, &m.Code, &m.Body, &m.Subject, &created)
		m.CreatedAt = fromNanos(created)
		return &m, err
	})
	return msgs, dbErr("list messages", err)
}
