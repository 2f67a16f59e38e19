package storetest

import (
	"encoding/json"
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

var poolTests = []subtest{
	{"CreateGetUpdate", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		got, err := s.GetPool(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		diff(t, "GetPool", p, got)

		got.Name = "renamed"
		got.Settings = json.RawMessage(`{"MfaConfiguration":"OFF"}`)
		got.UpdatedAt = base.Add(1)
		if err := s.UpdatePool(ctx, got); err != nil {
			t.Fatalf("UpdatePool: %v", err)
		}
		again, err := s.GetPool(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		diff(t, "GetPool after update", got, again)
	}},
	{"Duplicate", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		dup := *p
		dup.Name = "other"
		wantErr(t, "CreatePool duplicate", s.CreatePool(t.Context(), &dup), userpool.ErrExists)
		got, err := s.GetPool(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		diff(t, "pool after refused duplicate", p, got)
	}},
	{"Missing", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		_, err := s.GetPool(ctx, "us-east-1_missing")
		wantErr(t, "GetPool", err, userpool.ErrNotFound)
		wantErr(t, "UpdatePool", s.UpdatePool(ctx, &userpool.Pool{ID: "us-east-1_missing"}), userpool.ErrNotFound)
		wantErr(t, "DeletePool", s.DeletePool(ctx, "us-east-1_missing"), userpool.ErrNotFound)
	}},
	{"ReturnsCopies", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		got, err := s.GetPool(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		got.Name = "changed behind the store's back"
		if len(got.Settings) > 0 {
			got.Settings[0] = ' '
		}
		again, err := s.GetPool(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("GetPool: %v", err)
		}
		diff(t, "pool after mutating a returned copy", p, again)
	}},
	{"ListPaging", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		want := map[string]bool{}
		for range 7 {
			want[newPool(t, s).ID] = true
		}
		seen := map[string]bool{}
		after, last := "", ""
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("ListPools does not end")
			}
			pools, next, err := s.ListPools(ctx, 3, after)
			if err != nil {
				t.Fatalf("ListPools: %v", err)
			}
			if len(pools) > 3 {
				t.Fatalf("ListPools returned %d pools, limit 3", len(pools))
			}
			for _, p := range pools {
				if seen[p.ID] {
					t.Errorf("pool %s listed twice", p.ID)
				}
				if p.ID <= last {
					t.Errorf("pool %s listed after %s: order not stable", p.ID, last)
				}
				seen[p.ID], last = true, p.ID
			}
			if next == "" {
				break
			}
			after = next
		}
		diff(t, "listed pools", want, seen)
		_, _, err := s.ListPools(ctx, 3, "not a cursor")
		wantErr(t, "ListPools bad cursor", err, userpool.ErrInvalidCursor)
	}},
}

func newClient(t *testing.T, s userpool.Store, poolID string) *userpool.Client {
	t.Helper()
	c := &userpool.Client{
		ID:        "c" + uniq() + "abcdefghijklmnopqrs",
		PoolID:    poolID,
		Name:      "app",
		Secret:    "s3cr3t",
		Settings:  json.RawMessage(`{"ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH"]}`),
		CreatedAt: base,
		UpdatedAt: base,
	}
	if err := s.CreateClient(t.Context(), c); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	return c
}

var clientTests = []subtest{
	{"CreateGetUpdateDelete", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		c := newClient(t, s, p.ID)
		got, err := s.GetClient(ctx, c.ID)
		if err != nil {
			t.Fatalf("GetClient: %v", err)
		}
		diff(t, "GetClient", c, got)

		got.Name, got.Secret = "renamed", ""
		if err := s.UpdateClient(ctx, got); err != nil {
			t.Fatalf("UpdateClient: %v", err)
		}
		again, err := s.GetClient(ctx, c.ID)
		if err != nil {
			t.Fatalf("GetClient: %v", err)
		}
		diff(t, "GetClient after update", got, again)

		if err := s.DeleteClient(ctx, c.ID); err != nil {
			t.Fatalf("DeleteClient: %v", err)
		}
		_, err = s.GetClient(ctx, c.ID)
		wantErr(t, "GetClient after delete", err, userpool.ErrNotFound)
		wantErr(t, "DeleteClient again", s.DeleteClient(ctx, c.ID), userpool.ErrNotFound)
		wantErr(t, "UpdateClient deleted", s.UpdateClient(ctx, c), userpool.ErrNotFound)
	}},
	{"UniqueAcrossPools", func(t *testing.T, s userpool.Store) {
		p1, p2 := newPool(t, s), newPool(t, s)
		c := newClient(t, s, p1.ID)
		dup := *c
		dup.PoolID = p2.ID
		wantErr(t, "CreateClient same id in another pool", s.CreateClient(t.Context(), &dup), userpool.ErrExists)
	}},
	{"MissingPool", func(t *testing.T, s userpool.Store) {
		c := &userpool.Client{ID: "orphanclient", PoolID: "us-east-1_missing", CreatedAt: base, UpdatedAt: base}
		wantErr(t, "CreateClient in missing pool", s.CreateClient(t.Context(), c), userpool.ErrNotFound)
	}},
	{"ListPerPool", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p1, p2 := newPool(t, s), newPool(t, s)
		want := map[string]bool{}
		for range 5 {
			want[newClient(t, s, p1.ID).ID] = true
		}
		newClient(t, s, p2.ID)
		seen := map[string]bool{}
		after := ""
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("ListClients does not end")
			}
			clients, next, err := s.ListClients(ctx, p1.ID, 2, after)
			if err != nil {
				t.Fatalf("ListClients: %v", err)
			}
			for _, c := range clients {
				if c.PoolID != p1.ID {
					t.Errorf("client %s of pool %s listed for %s", c.ID, c.PoolID, p1.ID)
				}
				seen[c.ID] = true
			}
			if next == "" {
				break
			}
			after = next
		}
		diff(t, "listed clients", want, seen)
		_, _, err := s.ListClients(ctx, p1.ID, 2, "%%%")
		wantErr(t, "ListClients bad cursor", err, userpool.ErrInvalidCursor)
	}},
}
