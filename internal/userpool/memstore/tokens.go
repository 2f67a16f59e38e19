package memstore

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// PutRefreshToken inserts or replaces the token with t.Hash.
func (s *Store) PutRefreshToken(_ context.Context, t *userpool.RefreshToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[t.PoolID]; !ok {
		return notFound("pool", t.PoolID)
	}
	c := *t
	s.tokens[t.Hash] = &c
	return nil
}

// GetRefreshToken returns the token with the hash.
func (s *Store) GetRefreshToken(_ context.Context, hash string) (*userpool.RefreshToken, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tokens[hash]
	if !ok {
		return nil, notFound("refresh token", "…")
	}
	c := *t
	return &c, nil
}

// RevokeRefreshTokens revokes the pool's tokens of originJTI, or every
// token of username when originJTI is empty.
func (s *Store) RevokeRefreshTokens(_ context.Context, poolID, username, originJTI string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, t := range s.tokens {
		if t.PoolID != poolID || t.Revoked {
			continue
		}
		if (originJTI != "" && t.OriginJTI == originJTI) || (originJTI == "" && t.Username == username) {
			c := *t
			c.Revoked = true
			s.tokens[h] = &c
		}
	}
	return nil
}
