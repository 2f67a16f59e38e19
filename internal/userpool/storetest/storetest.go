// Package storetest is the conformance suite every userpool.Store passes:
// a store package calls Run from its tests with a factory for empty stores.
// The suite checks the contract written on userpool.Store — keys, aliases,
// optimistic concurrency, filtering and paging, cascades, atomicity — and
// hammers the uniqueness rules from many goroutines, so run it with -race.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Factory returns a new, empty store. Run closes it when the subtest that
// asked for it ends; the factory arranges any other cleanup (directories).
type Factory func(t *testing.T) userpool.Store

// Run runs the conformance suite against the stores newStore returns. Every
// subtest gets its own store, so they run in parallel.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	groups := []struct {
		name  string
		tests []subtest
	}{
		{"Pools", poolTests},
		{"Clients", clientTests},
		{"Users", userTests},
		{"ListUsers", listTests},
		{"RefreshTokens", tokenTests},
		{"Messages", messageTests},
		{"Groups", groupTests},
		{"DeletePool", deletePoolTests},
		{"Concurrency", concurrencyTests},
		{"Domains", domainTests},
		{"ResourceServers", resourceServerTests},
		{"MFA", mfaTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, st := range g.tests {
				t.Run(st.name, func(t *testing.T) {
					t.Parallel()
					s := newStore(t)
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					st.run(t, s)
				})
			}
		})
	}
}

type subtest struct {
	name string
	run  func(t *testing.T, s userpool.Store)
}

// cmpOpts compares store values: nil and empty maps and slices are alike
// (a store may keep either), times compare by instant.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

// base is a fixed instant with nanoseconds, so stores are seen to keep them.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

var seq atomic.Int64

// uniq returns a short string unique in the test binary.
func uniq() string { return fmt.Sprintf("%06d", seq.Add(1)) }

func newPool(t *testing.T, s userpool.Store) *userpool.Pool {
	t.Helper()
	p := &userpool.Pool{
		ID:        "us-east-1_t" + uniq(),
		Name:      "pool " + uniq(),
		Settings:  json.RawMessage(`{"UsernameAttributes":["email"]}`),
		CreatedAt: base,
		UpdatedAt: base,
	}
	if err := s.CreatePool(t.Context(), p); err != nil {
		t.Fatalf("CreatePool(%s): %v", p.ID, err)
	}
	return p
}

// user returns a user of pool with username (key lower-cased), a fresh sub,
// the attributes given as name/value pairs, and an alias for every
// email/phone_number/preferred_username attribute among them.
func user(poolID, username string, attrs ...string) *userpool.User {
	u := &userpool.User{
		PoolID:      poolID,
		Username:    username,
		UsernameKey: lower(username),
		Sub:         fmt.Sprintf("00000000-0000-4000-8000-%012s", uniq()),
		Status:      "CONFIRMED",
		Enabled:     true,
		Attributes:  map[string]string{},
		Aliases:     map[string]string{},
		Password:    &userpool.Verifier{Salt: []byte{1, 2, 3, 4}, V: []byte{0xde, 0xad, 0xbe, 0xef}},
		Origin:      "migration",
		CreatedAt:   base,
		UpdatedAt:   base,
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		u.Attributes[attrs[i]] = attrs[i+1]
		switch attrs[i] {
		case "email", "phone_number", "preferred_username":
			u.Aliases[attrs[i]] = lower(attrs[i+1])
		}
	}
	return u
}

func lower(s string) string { return userpool.FilterKey("email", s) }

func mustCreateUser(t *testing.T, s userpool.Store, u *userpool.User) {
	t.Helper()
	if err := s.CreateUser(t.Context(), u, userpool.CreateUserOptions{}); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Username, err)
	}
}

func mustGetUser(t *testing.T, s userpool.Store, poolID, key string) *userpool.User {
	t.Helper()
	u, err := s.GetUser(t.Context(), poolID, key)
	if err != nil {
		t.Fatalf("GetUser(%s): %v", key, err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// listAll pages through every user matching q, limit users a page.
func listAll(ctx context.Context, s userpool.Store, poolID string, q userpool.ListUsersQuery) ([]*userpool.User, error) {
	var all []*userpool.User
	for pages := 0; ; pages++ {
		if pages > 100000 {
			return nil, errors.New("pagination does not end")
		}
		users, next, err := s.ListUsers(ctx, poolID, q)
		if err != nil {
			return nil, err
		}
		if q.Limit > 0 && len(users) > q.Limit {
			return nil, fmt.Errorf("page of %d users, limit %d", len(users), q.Limit)
		}
		all = append(all, users...)
		if next == "" {
			return all, nil
		}
		if len(users) == 0 {
			return nil, errors.New("empty page with a next cursor")
		}
		q.After = next
	}
}

// checkAliasInvariant verifies that every alias a user of pool holds leads
// back to that user, and that no alias is held twice.
func checkAliasInvariant(t *testing.T, s userpool.Store, poolID string) {
	t.Helper()
	users, err := listAll(t.Context(), s, poolID, userpool.ListUsersQuery{Limit: 60})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	held := map[[2]string]string{}
	for _, u := range users {
		for attr, key := range u.Aliases {
			k := [2]string{attr, key}
			if other, ok := held[k]; ok {
				t.Errorf("alias %s=%q held by %s and %s", attr, key, other, u.UsernameKey)
			}
			held[k] = u.UsernameKey
			got, err := s.GetUserByAlias(t.Context(), poolID, attr, key)
			if err != nil {
				t.Errorf("GetUserByAlias(%s=%q) of %s: %v", attr, key, u.UsernameKey, err)
				continue
			}
			if got.UsernameKey != u.UsernameKey {
				t.Errorf("GetUserByAlias(%s=%q) = %s, want %s", attr, key, got.UsernameKey, u.UsernameKey)
			}
		}
	}
}
