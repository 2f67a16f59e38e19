package memstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// CreateUser stores u with its aliases, or changes nothing.
func (s *Store) CreateUser(_ context.Context, u *userpool.User, opts userpool.CreateUserOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[u.PoolID]
	if !ok {
		return notFound("pool", u.PoolID)
	}
	if _, ok := pu.byKey[u.UsernameKey]; ok {
		return fmt.Errorf("user %q: %w", u.UsernameKey, userpool.ErrExists)
	}
	if _, ok := pu.bySub[u.Sub]; ok {
		return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
	}
	// Check every alias before changing anything.
	for attr, key := range u.Aliases {
		if holder, ok := pu.aliases[[2]string{attr, key}]; ok && !opts.StealAliases {
			return fmt.Errorf("alias %s %q of user %q: %w", attr, key, holder, userpool.ErrAliasExists)
		}
	}
	for attr, key := range u.Aliases {
		if holder, ok := pu.aliases[[2]string{attr, key}]; ok {
			// Copy-on-write: readers may hold the old value.
			robbed := cloneUser(pu.byKey[holder])
			delete(robbed.Aliases, attr)
			robbed.Version++
			pu.byKey[holder] = robbed
		}
		pu.aliases[[2]string{attr, key}] = u.UsernameKey
	}
	pu.byKey[u.UsernameKey] = cloneUser(u)
	pu.bySub[u.Sub] = u.UsernameKey
	i, _ := slices.BinarySearch(pu.keys, u.UsernameKey)
	pu.keys = slices.Insert(pu.keys, i, u.UsernameKey)
	return nil
}

func (s *Store) lookup(poolID string, key func(*poolUsers) (string, bool), what, value string) (*userpool.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pu, ok := s.users[poolID]; ok {
		if k, ok := key(pu); ok {
			return cloneUser(pu.byKey[k]), nil
		}
	}
	return nil, notFound(what, value)
}

// GetUser returns the user with the username key.
func (s *Store) GetUser(_ context.Context, poolID, usernameKey string) (*userpool.User, error) {
	return s.lookup(poolID, func(pu *poolUsers) (string, bool) {
		_, ok := pu.byKey[usernameKey]
		return usernameKey, ok
	}, "user", usernameKey)
}

// GetUserByAlias returns the user holding the alias key of attribute.
func (s *Store) GetUserByAlias(_ context.Context, poolID, attribute, key string) (*userpool.User, error) {
	return s.lookup(poolID, func(pu *poolUsers) (string, bool) {
		k, ok := pu.aliases[[2]string{attribute, key}]
		return k, ok
	}, "alias "+attribute, key)
}

// GetUserBySub returns the user with the sub.
func (s *Store) GetUserBySub(_ context.Context, poolID, sub string) (*userpool.User, error) {
	return s.lookup(poolID, func(pu *poolUsers) (string, bool) {
		k, ok := pu.bySub[sub]
		return k, ok
	}, "user sub", sub)
}

// UpdateUser replaces the user if u.Version is current, re-indexing aliases.
func (s *Store) UpdateUser(_ context.Context, u *userpool.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[u.PoolID]
	if !ok {
		return notFound("user", u.UsernameKey)
	}
	old, ok := pu.byKey[u.UsernameKey]
	if !ok {
		return notFound("user", u.UsernameKey)
	}
	if old.Version != u.Version {
		return fmt.Errorf("user %q at version %d, update from %d: %w", u.UsernameKey, old.Version, u.Version, userpool.ErrConflict)
	}
	for attr, key := range u.Aliases {
		if holder, ok := pu.aliases[[2]string{attr, key}]; ok && holder != u.UsernameKey {
			return fmt.Errorf("alias %s %q of user %q: %w", attr, key, holder, userpool.ErrAliasExists)
		}
	}
	if old.Sub != u.Sub {
		if _, ok := pu.bySub[u.Sub]; ok {
			return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
		}
		delete(pu.bySub, old.Sub)
		pu.bySub[u.Sub] = u.UsernameKey
	}
	for attr, key := range old.Aliases {
		delete(pu.aliases, [2]string{attr, key})
	}
	for attr, key := range u.Aliases {
		pu.aliases[[2]string{attr, key}] = u.UsernameKey
	}
	stored := cloneUser(u)
	stored.Version++
	pu.byKey[u.UsernameKey] = stored
	u.Version = stored.Version
	return nil
}

// DeleteUser removes the user, its aliases and its refresh tokens.
func (s *Store) DeleteUser(_ context.Context, poolID, usernameKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[poolID]
	if !ok {
		return notFound("user", usernameKey)
	}
	u, ok := pu.byKey[usernameKey]
	if !ok {
		return notFound("user", usernameKey)
	}
	for attr, key := range u.Aliases {
		delete(pu.aliases, [2]string{attr, key})
	}
	delete(pu.bySub, u.Sub)
	delete(pu.byKey, usernameKey)
	for _, m := range pu.members {
		delete(m, usernameKey)
	}
	if i, ok := slices.BinarySearch(pu.keys, usernameKey); ok {
		pu.keys = slices.Delete(pu.keys, i, i+1)
	}
	maps.DeleteFunc(s.tokens, func(_ string, t *userpool.RefreshToken) bool {
		return t.PoolID == poolID && t.Username == u.Username
	})
	return nil
}

// ListUsers pages through the users of a pool that match q. Filtered
// listings scan the pool: this store serves ephemeral pools, whose size is
// what a developer or a test creates.
func (s *Store) ListUsers(_ context.Context, poolID string, q userpool.ListUsersQuery) ([]*userpool.User, string, error) {
	if q.Attribute != "" && !userpool.IsFilterable(q.Attribute) {
		return nil, "", fmt.Errorf("memstore: list users: attribute %q cannot be filtered", q.Attribute)
	}
	scope := userpool.CursorScope(poolID, q)
	from, err := userpool.DecodeCursor("users", scope, q.After)
	if err != nil {
		return nil, "", err
	}
	want := userpool.FilterKey(q.Attribute, q.Value)
	type hit struct {
		v string
		u *userpool.User
	}
	var hits []hit
	s.mu.RLock()
	if pu, ok := s.users[poolID]; ok {
		for _, k := range pu.keys {
			u := pu.byKey[k]
			v := ""
			if q.Attribute != "" {
				raw, ok := u.FilterValue(q.Attribute)
				if !ok {
					continue
				}
				v = userpool.FilterKey(q.Attribute, raw)
				if v != want && !(q.Prefix && strings.HasPrefix(v, want)) {
					continue
				}
			}
			if q.After != "" && cmp.Or(strings.Compare(v, from.Value), strings.Compare(k, from.Key)) <= 0 {
				continue
			}
			hits = append(hits, hit{v, u})
		}
	}
	s.mu.RUnlock()
	if q.Attribute != "" {
		slices.SortStableFunc(hits, func(a, b hit) int { return strings.Compare(a.v, b.v) })
	}
	hits, next := page(hits, q.Limit, func(h hit) userpool.Cursor {
		return userpool.Cursor{Kind: "users", Pool: scope, Value: h.v, Key: h.u.UsernameKey}
	})
	out := make([]*userpool.User, len(hits))
	for i, h := range hits {
		out[i] = cloneUser(h.u)
	}
	return out, next, nil
}

// CountUsers returns the number of users in the pool.
func (s *Store) CountUsers(_ context.Context, poolID string) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pu, ok := s.users[poolID]; ok {
		return len(pu.byKey), nil
	}
	return 0, nil
}
