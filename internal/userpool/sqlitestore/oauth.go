package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Domains and resource servers are small records read by their key: each
// row holds its key columns and the record as JSON.

// CreateDomain stores d; the domain is unique across pools.
func (s *Store) CreateDomain(ctx context.Context, d *userpool.Domain) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode domain: %w", err)
	}
	return dbErr("create domain", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(d.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", d.PoolID)
		}
		var one int
		if found, err := t.scan(`SELECT 1 FROM domains WHERE domain = ?`, []any{d.Domain}, &one); err != nil {
			return err
		} else if found {
			return fmt.Errorf("domain %q: %w", d.Domain, userpool.ErrExists)
		}
		_, err := t.exec(`INSERT INTO domains (domain, pool_id, data) VALUES (?, ?, ?)`, d.Domain, d.PoolID, data)
		return err
	}))
}

// GetDomain returns the domain called domain.
func (s *Store) GetDomain(ctx context.Context, domain string) (*userpool.Domain, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM domains WHERE domain = ?`, domain).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("domain", domain)
	}
	if err != nil {
		return nil, dbErr("get domain", err)
	}
	var d userpool.Domain
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("sqlitestore: decode domain %q: %w", domain, err)
	}
	return &d, nil
}

// UpdateDomain replaces the stored domain d.Domain (its pool stays).
func (s *Store) UpdateDomain(ctx context.Context, d *userpool.Domain) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode domain: %w", err)
	}
	return dbErr("update domain", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`UPDATE domains SET data = ? WHERE domain = ?`, data, d.Domain)
		return affected(res, err, "domain", d.Domain)
	}))
}

// DeleteDomain removes the domain called domain.
func (s *Store) DeleteDomain(ctx context.Context, domain string) error {
	return dbErr("delete domain", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`DELETE FROM domains WHERE domain = ?`, domain)
		return affected(res, err, "domain", domain)
	}))
}

// ListDomains returns the pool's domains in name order.
func (s *Store) ListDomains(ctx context.Context, poolID string) ([]*userpool.Domain, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM domains WHERE pool_id = ? ORDER BY domain`, poolID)
	if err != nil {
		return nil, dbErr("list domains", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (*userpool.Domain, error) {
		var data []byte
		if err := row.Scan(&data); err != nil {
			return nil, err
		}
		var d userpool.Domain
		return &d, json.Unmarshal(data, &d)
	})
	return out, dbErr("list domains", err)
}

// CreateResourceServer stores rs.
func (s *Store) CreateResourceServer(ctx context.Context, rs *userpool.ResourceServer) error {
	data, err := json.Marshal(rs)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode resource server: %w", err)
	}
	return dbErr("create resource server", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(rs.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", rs.PoolID)
		}
		var one int
		if found, err := t.scan(`SELECT 1 FROM resource_servers WHERE pool_id = ? AND identifier = ?`,
			[]any{rs.PoolID, rs.Identifier}, &one); err != nil {
			return err
		} else if found {
			return fmt.Errorf("resource server %q: %w", rs.Identifier, userpool.ErrExists)
		}
		_, err := t.exec(`INSERT INTO resource_servers (pool_id, identifier, data) VALUES (?, ?, ?)`, rs.PoolID, rs.Identifier, data)
		return err
	}))
}

func decodeServer(data []byte) (*userpool.ResourceServer, error) {
	var rs userpool.ResourceServer
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("sqlitestore: decode resource server: %w", err)
	}
	return &rs, nil
}

// GetResourceServer returns the pool's resource server identifier.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*userpool.ResourceServer, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM resource_servers WHERE pool_id = ? AND identifier = ?`,
		poolID, identifier).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("resource server", identifier)
	}
	if err != nil {
		return nil, dbErr("get resource server", err)
	}
	return decodeServer(data)
}

// UpdateResourceServer replaces the stored resource server.
func (s *Store) UpdateResourceServer(ctx context.Context, rs *userpool.ResourceServer) error {
	data, err := json.Marshal(rs)
	if err != nil {
		return fmt.Errorf("sqlitestore: encode resource server: %w", err)
	}
	return dbErr("update resource server", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`UPDATE resource_servers SET data = ? WHERE pool_id = ? AND identifier = ?`, data, rs.PoolID, rs.Identifier)
		return affected(res, err, "resource server", rs.Identifier)
	}))
}

// DeleteResourceServer removes the pool's resource server identifier.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	return dbErr("delete resource server", s.write(ctx, func(t wtx) error {
		res, err := t.exec(`DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?`, poolID, identifier)
		return affected(res, err, "resource server", identifier)
	}))
}

// ListResourceServers returns the pool's resource servers in identifier order.
func (s *Store) ListResourceServers(ctx context.Context, poolID string) ([]*userpool.ResourceServer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM resource_servers WHERE pool_id = ? ORDER BY identifier`, poolID)
	if err != nil {
		return nil, dbErr("list resource servers", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (*userpool.ResourceServer, error) {
		var data []byte
		if err := row.Scan(&data); err != nil {
			return nil, err
		}
		return decodeServer(data)
	})
	return out, dbErr("list resource servers", err)
}
