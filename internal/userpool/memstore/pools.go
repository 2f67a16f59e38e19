package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// CreatePool stores p.
func (s *Store) CreatePool(_ context.Context, p *userpool.Pool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[p.ID]; ok {
		return fmt.Errorf("pool %q: %w", p.ID, userpool.ErrExists)
	}
	s.pools[p.ID] = clonePool(p)
	s.users[p.ID] = &poolUsers{byKey: map[string]*userpool.User{}, bySub: map[string]string{}, aliases: map[[2]string]string{},
		groups: map[string]*userpool.Group{}, members: map[string]map[string]bool{}}
	return nil
}

// GetPool returns the pool id.
func (s *Store) GetPool(_ context.Context, id string) (*userpool.Pool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.pools[id]
	if !ok {
		return nil, notFound("pool", id)
	}
	return clonePool(p), nil
}

// UpdatePool replaces the stored pool p.ID.
func (s *Store) UpdatePool(_ context.Context, p *userpool.Pool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[p.ID]; !ok {
		return notFound("pool", p.ID)
	}
	s.pools[p.ID] = clonePool(p)
	return nil
}

// DeletePool removes the pool and everything in it.
func (s *Store) DeletePool(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[id]; !ok {
		return notFound("pool", id)
	}
	delete(s.pools, id)
	delete(s.users, id)
	maps.DeleteFunc(s.clients, func(_ string, c *userpool.Client) bool { return c.PoolID == id })
	maps.DeleteFunc(s.tokens, func(_ string, t *userpool.RefreshToken) bool { return t.PoolID == id })
	s.messages = slices.DeleteFunc(s.messages, func(m *userpool.Message) bool { return m.PoolID == id })
	maps.DeleteFunc(s.domains, func(_ string, d *userpool.Domain) bool { return d.PoolID == id })
	maps.DeleteFunc(s.servers, func(k [2]string, _ *userpool.ResourceServer) bool { return k[0] == id })
	return nil
}

// ListPools pages through pools in id order.
func (s *Store) ListPools(_ context.Context, limit int, after string) ([]*userpool.Pool, string, error) {
	from, err := userpool.DecodeCursor("pools", "", after)
	if err != nil {
		return nil, "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := slices.Sorted(maps.Keys(s.pools))
	var out []*userpool.Pool
	for _, id := range ids {
		if after != "" && id <= from.Key {
			continue
		}
		out = append(out, clonePool(s.pools[id]))
	}
	out, next := page(out, limit, func(p *userpool.Pool) userpool.Cursor { return userpool.Cursor{Kind: "pools", Key: p.ID} })
	return out, next, nil
}

// CreateClient stores c.
func (s *Store) CreateClient(_ context.Context, c *userpool.Client) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[c.PoolID]; !ok {
		return notFound("pool", c.PoolID)
	}
	if _, ok := s.clients[c.ID]; ok {
		return fmt.Errorf("client %q: %w", c.ID, userpool.ErrExists)
	}
	s.clients[c.ID] = cloneClient(c)
	return nil
}

// GetClient returns the client id, whatever its pool.
func (s *Store) GetClient(_ context.Context, id string) (*userpool.Client, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, notFound("client", id)
	}
	return cloneClient(c), nil
}

// UpdateClient replaces the stored client c.ID.
func (s *Store) UpdateClient(_ context.Context, c *userpool.Client) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c.ID]; !ok {
		return notFound("client", c.ID)
	}
	s.clients[c.ID] = cloneClient(c)
	return nil
}

// DeleteClient removes the client id.
func (s *Store) DeleteClient(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[id]; !ok {
		return notFound("client", id)
	}
	delete(s.clients, id)
	return nil
}

// ListClients pages through the clients of a pool in id order.
func (s *Store) ListClients(_ context.Context, poolID string, limit int, after string) ([]*userpool.Client, string, error) {
	from, err := userpool.DecodeCursor("clients", poolID, after)
	if err != nil {
		return nil, "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*userpool.Client
	for _, c := range s.clients {
		if c.PoolID == poolID && (after == "" || c.ID > from.Key) {
			out = append(out, cloneClient(c))
		}
	}
	slices.SortFunc(out, func(a, b *userpool.Client) int { return strings.Compare(a.ID, b.ID) })
	out, next := page(out, limit, func(c *userpool.Client) userpool.Cursor {
		return userpool.Cursor{Kind: "clients", Pool: poolID, Key: c.ID}
	})
	return out, next, nil
}
