// Package memstore is an in-memory userpool.Store for `ferry serve
// --ephemeral` and for tests: maps guarded by one mutex, with a sorted
// username index per pool. Nothing survives the process. Every value goes in
// and comes out as a deep copy, so callers never share memory with the store.
package memstore

import (
	"fmt"
	"maps"
	"slices"
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
