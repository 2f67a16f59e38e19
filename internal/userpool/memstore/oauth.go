package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func cloneServer(rs *userpool.ResourceServer) *userpool.ResourceServer {
	c := *rs
	c.Scopes = slices.Clone(rs.Scopes)
	return &c
}

// CreateDomain stores d; the domain is unique across pools.
func (s *Store) CreateDomain(_ context.Context, d *userpool.Domain) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[d.PoolID]; !ok {
		return notFound("pool", d.PoolID)
	}
	if _, ok := s.domains[d.Domain]; ok {
		return fmt.Errorf("domain %q: %w", d.Domain, userpool.ErrExists)
	}
	c := *d
	s.domains[d.Domain] = &c
	return nil
}

// GetDomain returns the domain called domain.
func (s *Store) GetDomain(_ context.Context, domain string) (*userpool.Domain, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.domains[domain]
	if !ok {
		return nil, notFound("domain", domain)
	}
	c := *d
	return &c, nil
}

// UpdateDomain replaces the stored domain d.Domain.
func (s *Store) UpdateDomain(_ context.Context, d *userpool.Domain) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.domains[d.Domain]; !ok {
		return notFound("domain", d.Domain)
	}
	c := *d
	s.domains[d.Domain] = &c
	return nil
}

// DeleteDomain removes the domain called domain.
func (s *Store) DeleteDomain(_ context.Context, domain string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.domains[domain]; !ok {
		return notFound("domain", domain)
	}
	delete(s.domains, domain)
	return nil
}

// ListDomains returns the pool's domains in name order.
func (s *Store) ListDomains(_ context.Context, poolID string) ([]*userpool.Domain, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*userpool.Domain
	for _, d := range s.domains {
		if d.PoolID == poolID {
			c := *d
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *userpool.Domain) int { return strings.Compare(a.Domain, b.Domain) })
	return out, nil
}

// CreateResourceServer stores rs.
func (s *Store) CreateResourceServer(_ context.Context, rs *userpool.ResourceServer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[rs.PoolID]; !ok {
		return notFound("pool", rs.PoolID)
	}
	k := [2]string{rs.PoolID, rs.Identifier}
	if _, ok := s.servers[k]; ok {
		return fmt.Errorf("resource server %q: %w", rs.Identifier, userpool.ErrExists)
	}
	s.servers[k] = cloneServer(rs)
	return nil
}

// GetResourceServer returns the pool's resource server identifier.
func (s *Store) GetResourceServer(_ context.Context, poolID, identifier string) (*userpool.ResourceServer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rs, ok := s.servers[[2]string{poolID, identifier}]
	if !ok {
		return nil, notFound("resource server", identifier)
	}
	return cloneServer(rs), nil
}

// UpdateResourceServer replaces the stored resource server.
func (s *Store) UpdateResourceServer(_ context.Context, rs *userpool.ResourceServer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{rs.PoolID, rs.Identifier}
	if _, ok := s.servers[k]; !ok {
		return notFound("resource server", rs.Identifier)
	}
	s.servers[k] = cloneServer(rs)
	return nil
}

// DeleteResourceServer removes the pool's resource server identifier.
func (s *Store) DeleteResourceServer(_ context.Context, poolID, identifier string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{poolID, identifier}
	if _, ok := s.servers[k]; !ok {
		return notFound("resource server", identifier)
	}
	delete(s.servers, k)
	return nil
}

// ListResourceServers returns the pool's resource servers in identifier order.
func (s *Store) ListResourceServers(_ context.Context, poolID string) ([]*userpool.ResourceServer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*userpool.ResourceServer
	for k, rs := range s.servers {
		if k[0] == poolID {
			out = append(out, cloneServer(rs))
		}
	}
	slices.SortFunc(out, func(a, b *userpool.ResourceServer) int { return strings.Compare(a.Identifier, b.Identifier) })
	return out, nil
}
