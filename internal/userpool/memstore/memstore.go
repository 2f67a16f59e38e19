// Package memstore is an in-memory userpool.Store for `ferry serve
// --ephemeral` and for tests: maps guarded by one mutex, with a sorted
// username index per pool. Nothing survives the process. Every value goes in
// and comes out as a deep copy, so callers never share memory with the store.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// defaultLimit is the page size when a caller passes none: Cognito's
// largest page.
const defaultLimit = 60

// Store is an in-memory userpool.Store. The zero value is not usable; call New.
type Store struct {
	mu       sync.RWMutex
	pools    map[string]*userpool.Pool
	clients  map[string]*userpool.Client
	users    map[string]*poolUsers // by pool id
	tokens   map[string]*userpool.RefreshToken
	messages []*userpool.Message // in id order
	lastMsg  int64
	domains  map[string]*userpool.Domain
	servers  map[[2]string]*userpool.ResourceServer // (pool id, identifier)
}

// poolUsers indexes the users of one pool.
type poolUsers struct {
	byKey   map[string]*userpool.User
	bySub   map[string]string    // sub → username key
	aliases map[[2]string]string // (attribute, key) → username key
	keys    []string             // username keys, sorted
	groups  map[string]*userpool.Group
	members map[string]map[string]bool // group name → username keys
}

var _ userpool.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		pools:   map[string]*userpool.Pool{},
		clients: map[string]*userpool.Client{},
		users:   map[string]*poolUsers{},
		tokens:  map[string]*userpool.RefreshToken{},
		domains: map[string]*userpool.Domain{},
		servers: map[[2]string]*userpool.ResourceServer{},
	}
}

// Close releases nothing: the store lives until it is garbage.
func (s *Store) Close() error { return nil }

func notFound(what, key string) error {
	return fmt.Errorf("%s %q: %w", what, key, userpool.ErrNotFound)
}

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

// AppendMessage stores m and sets m.ID.
func (s *Store) AppendMessage(_ context.Context, m *userpool.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[m.PoolID]; !ok {
		return notFound("pool", m.PoolID)
	}
	s.lastMsg++
	c := *m
	c.ID = s.lastMsg
	s.messages = append(s.messages, &c)
	m.ID = c.ID
	return nil
}

// ListMessages returns up to limit messages with ID > afterID, oldest first.
func (s *Store) ListMessages(_ context.Context, poolID string, afterID int64, limit int) ([]*userpool.Message, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, _ := slices.BinarySearchFunc(s.messages, afterID, func(m *userpool.Message, id int64) int { return cmp.Compare(m.ID, id+1) })
	var out []*userpool.Message
	for _, m := range s.messages[i:] {
		if len(out) == limit {
			break
		}
		if poolID == "" || m.PoolID == poolID {
			c := *m
			out = append(out, &c)
		}
	}
	return out, nil
}

// page cuts items to limit and returns the cursor of the next page, if any.
func page[T any](items []T, limit int, at func(T) userpool.Cursor) ([]T, string) {
	if limit <= 0 {
		limit = defaultLimit
	}
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, at(items[limit-1]).Encode()
}

func clonePool(p *userpool.Pool) *userpool.Pool {
	c := *p
	c.Settings = slices.Clone(p.Settings)
	return &c
}

func cloneClient(cl *userpool.Client) *userpool.Client {
	c := *cl
	c.Settings = slices.Clone(cl.Settings)
	return &c
}

func cloneUser(u *userpool.User) *userpool.User {
	c := *u
	c.Attributes = maps.Clone(u.Attributes)
	c.Aliases = maps.Clone(u.Aliases)
	if u.Password != nil {
		c.Password = &userpool.Verifier{Salt: slices.Clone(u.Password.Salt), V: slices.Clone(u.Password.V)}
	}
	if u.ConfirmationCode != nil {
		cc := *u.ConfirmationCode
		c.ConfirmationCode = &cc
	}
	if u.ResetCode != nil {
		rc := *u.ResetCode
		c.ResetCode = &rc
	}
	if u.VerificationCodes != nil {
		c.VerificationCodes = make(map[string]*userpool.Code, len(u.VerificationCodes))
		for k, v := range u.VerificationCodes {
			vc := *v
			c.VerificationCodes[k] = &vc
		}
	}
	c.PendingAttributes = maps.Clone(u.PendingAttributes)
	return &c
}
