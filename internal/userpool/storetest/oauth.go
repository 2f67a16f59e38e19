package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

var domainTests = []subtest{
	{"CreateGetUpdateDelete", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		d := &userpool.Domain{Domain: "app-" + uniq(), PoolID: p.ID, ManagedLoginVersion: 1, CreatedAt: base, UpdatedAt: base}
		if err := s.CreateDomain(ctx, d); err != nil {
			t.Fatalf("CreateDomain: %v", err)
		}
		got, err := s.GetDomain(ctx, d.Domain)
		if err != nil {
			t.Fatalf("GetDomain: %v", err)
		}
		if diff := cmp.Diff(d, got, cmpOpts...); diff != "" {
			t.Errorf("GetDomain (-want +got):\n%s", diff)
		}
		d.ManagedLoginVersion = 2
		if err := s.UpdateDomain(ctx, d); err != nil {
			t.Fatalf("UpdateDomain: %v", err)
		}
		if got, _ := s.GetDomain(ctx, d.Domain); got == nil || got.ManagedLoginVersion != 2 {
			t.Errorf("after UpdateDomain: %+v", got)
		}
		if err := s.DeleteDomain(ctx, d.Domain); err != nil {
			t.Fatalf("DeleteDomain: %v", err)
		}
		if _, err := s.GetDomain(ctx, d.Domain); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("GetDomain after delete: %v, want ErrNotFound", err)
		}
		if err := s.DeleteDomain(ctx, d.Domain); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("DeleteDomain twice: %v, want ErrNotFound", err)
		}
		if err := s.UpdateDomain(ctx, d); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("UpdateDomain of a deleted domain: %v, want ErrNotFound", err)
		}
	}},
	{"UniqueAcrossPools", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p1, p2 := newPool(t, s), newPool(t, s)
		name := "shared-" + uniq()
		if err := s.CreateDomain(ctx, &userpool.Domain{Domain: name, PoolID: p1.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDomain(ctx, &userpool.Domain{Domain: name, PoolID: p2.ID}); !errors.Is(err, userpool.ErrExists) {
			t.Errorf("second pool, same domain: %v, want ErrExists", err)
		}
		if err := s.CreateDomain(ctx, &userpool.Domain{Domain: "x-" + uniq(), PoolID: "us-east-1_missing"}); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("missing pool: %v, want ErrNotFound", err)
		}
		if err := s.CreateDomain(ctx, &userpool.Domain{Domain: "b-" + uniq(), PoolID: p1.ID}); err != nil {
			t.Fatal(err)
		}
		ds, err := s.ListDomains(ctx, p1.ID)
		if err != nil || len(ds) != 2 || ds[0].Domain > ds[1].Domain {
			t.Errorf("ListDomains = %v, %v; want two in name order", ds, err)
		}
		if ds, _ := s.ListDomains(ctx, p2.ID); len(ds) != 0 {
			t.Errorf("ListDomains of the other pool = %v", ds)
		}
		if err := s.DeletePool(ctx, p1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetDomain(ctx, name); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("domain after DeletePool: %v, want ErrNotFound", err)
		}
		// The name is free again.
		if err := s.CreateDomain(ctx, &userpool.Domain{Domain: name, PoolID: p2.ID}); err != nil {
			t.Errorf("reuse after DeletePool: %v", err)
		}
	}},
}

var resourceServerTests = []subtest{
	{"CreateGetUpdateDelete", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		rs := &userpool.ResourceServer{PoolID: p.ID, Identifier: "https://api.example.com", Name: "api",
			Scopes: []userpool.ResourceServerScope{{ScopeName: "read", ScopeDescription: "Read"}}, CreatedAt: base, UpdatedAt: base}
		if err := s.CreateResourceServer(ctx, rs); err != nil {
			t.Fatalf("CreateResourceServer: %v", err)
		}
		if err := s.CreateResourceServer(ctx, rs); !errors.Is(err, userpool.ErrExists) {
			t.Errorf("second create: %v, want ErrExists", err)
		}
		got, err := s.GetResourceServer(ctx, p.ID, rs.Identifier)
		if err != nil {
			t.Fatalf("GetResourceServer: %v", err)
		}
		if diff := cmp.Diff(rs, got, cmpOpts...); diff != "" {
			t.Errorf("GetResourceServer (-want +got):\n%s", diff)
		}
		got.Scopes[0].ScopeName = "changed-by-caller"
		if again, _ := s.GetResourceServer(ctx, p.ID, rs.Identifier); again.Scopes[0].ScopeName != "read" {
			t.Error("the store shares the scopes slice with its callers")
		}
		rs.Scopes = append(rs.Scopes, userpool.ResourceServerScope{ScopeName: "write", ScopeDescription: "Write"})
		if err := s.UpdateResourceServer(ctx, rs); err != nil {
			t.Fatalf("UpdateResourceServer: %v", err)
		}
		other := &userpool.ResourceServer{PoolID: p.ID, Identifier: "a-first", Name: "first"}
		if err := s.CreateResourceServer(ctx, other); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListResourceServers(ctx, p.ID)
		if err != nil || len(list) != 2 || list[0].Identifier != "a-first" || len(list[1].Scopes) != 2 {
			t.Errorf("ListResourceServers = %+v, %v", list, err)
		}
		if err := s.DeleteResourceServer(ctx, p.ID, rs.Identifier); err != nil {
			t.Fatalf("DeleteResourceServer: %v", err)
		}
		if _, err := s.GetResourceServer(ctx, p.ID, rs.Identifier); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("after delete: %v, want ErrNotFound", err)
		}
		if err := s.UpdateResourceServer(ctx, rs); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("update after delete: %v, want ErrNotFound", err)
		}
		if err := s.CreateResourceServer(ctx, &userpool.ResourceServer{PoolID: "us-east-1_missing", Identifier: "x"}); !errors.Is(err, userpool.ErrNotFound) {
			t.Errorf("missing pool: %v, want ErrNotFound", err)
		}
		if err := s.DeletePool(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListResourceServers(ctx, p.ID); len(list) != 0 {
			t.Errorf("resource servers after DeletePool: %v", list)
		}
	}},
	{"RefreshTokenKeepsScope", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		rt := &userpool.RefreshToken{Hash: "h" + uniq(), PoolID: p.ID, ClientID: "c", Username: "u", Sub: "s",
			OriginJTI: "j", Scope: "openid email", AuthTime: base, ExpiresAt: base, CreatedAt: base}
		if err := s.PutRefreshToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRefreshToken(ctx, rt.Hash)
		if err != nil || got.Scope != "openid email" {
			t.Errorf("GetRefreshToken = %+v, %v; want scope kept", got, err)
		}
	}},
}
