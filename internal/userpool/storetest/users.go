package storetest

import (
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

var userTests = []subtest{
	{"CreateAndLookups", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		u := user(p.ID, "Alice", "email", "Alice@Example.com", "email_verified", "true",
			"custom:legacy_id", "42", "preferred_username", "Ally")
		u.ResetCode = &userpool.Code{Code: "123456", ExpiresAt: base.Add(time.Hour), Attempts: 2}
		u.TokensValidAfter = base.Add(-time.Minute)
		u.Version = 3
		mustCreateUser(t, s, u)

		tests := []struct {
			name string
			get  func() (*userpool.User, error)
		}{
			{"by username key", func() (*userpool.User, error) { return s.GetUser(ctx, p.ID, "alice") }},
			{"by email alias", func() (*userpool.User, error) { return s.GetUserByAlias(ctx, p.ID, "email", "alice@example.com") }},
			{"by preferred_username alias", func() (*userpool.User, error) {
				return s.GetUserByAlias(ctx, p.ID, "preferred_username", "ally")
			}},
			{"by sub", func() (*userpool.User, error) { return s.GetUserBySub(ctx, p.ID, u.Sub) }},
		}
		for _, tc := range tests {
			got, err := tc.get()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			diff(t, tc.name, u, got)
		}

		misses := []struct {
			name string
			get  func() (*userpool.User, error)
		}{
			{"username key is case-exact", func() (*userpool.User, error) { return s.GetUser(ctx, p.ID, "Alice") }},
			{"unknown alias", func() (*userpool.User, error) { return s.GetUserByAlias(ctx, p.ID, "email", "bob@example.com") }},
			{"alias of another attribute", func() (*userpool.User, error) {
				return s.GetUserByAlias(ctx, p.ID, "phone_number", "alice@example.com")
			}},
			{"unknown sub", func() (*userpool.User, error) { return s.GetUserBySub(ctx, p.ID, "no-such-sub") }},
			{"other pool", func() (*userpool.User, error) { return s.GetUser(ctx, "us-east-1_other", "alice") }},
		}
		for _, tc := range misses {
			_, err := tc.get()
			wantErr(t, tc.name, err, userpool.ErrNotFound)
		}
	}},
	{"ReturnsCopies", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		u := user(p.ID, "carol", "email", "carol@example.com")
		mustCreateUser(t, s, u)
		want := mustGetUser(t, s, p.ID, "carol")
		u.Attributes["email"] = "changed@example.com" // the caller's value after Create
		got := mustGetUser(t, s, p.ID, "carol")
		got.Attributes["name"] = "x"
		got.Aliases["phone_number"] = "+1555"
		got.Password.V[0] = 0
		diff(t, "user after mutating caller copies", want, mustGetUser(t, s, p.ID, "carol"))
	}},
	{"DuplicateUsername", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "dave", "email", "dave@example.com"))
		err := s.CreateUser(t.Context(), user(p.ID, "DAVE", "email", "other@example.com"), userpool.CreateUserOptions{})
		wantErr(t, "CreateUser same key", err, userpool.ErrExists)
		_, err = s.GetUserByAlias(t.Context(), p.ID, "email", "other@example.com")
		wantErr(t, "alias of refused user", err, userpool.ErrNotFound)
		if n, err := s.CountUsers(t.Context(), p.ID); err != nil || n != 1 {
			t.Errorf("CountUsers = %d, %v; want 1", n, err)
		}
	}},
	{"DuplicateSub", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		a := user(p.ID, "erin")
		mustCreateUser(t, s, a)
		b := user(p.ID, "frank")
		b.Sub = a.Sub
		wantErr(t, "CreateUser same sub", s.CreateUser(t.Context(), b, userpool.CreateUserOptions{}), userpool.ErrExists)
	}},
	{"SameNamesInOtherPool", func(t *testing.T, s userpool.Store) {
		p1, p2 := newPool(t, s), newPool(t, s)
		mustCreateUser(t, s, user(p1.ID, "gina", "email", "gina@example.com"))
		mustCreateUser(t, s, user(p2.ID, "gina", "email", "gina@example.com"))
		for _, id := range []string{p1.ID, p2.ID} {
			got, err := s.GetUserByAlias(t.Context(), id, "email", "gina@example.com")
			if err != nil || got.PoolID != id {
				t.Errorf("GetUserByAlias in %s = %v, %v", id, got, err)
			}
		}
	}},
	{"MissingPool", func(t *testing.T, s userpool.Store) {
		err := s.CreateUser(t.Context(), user("us-east-1_missing", "hank"), userpool.CreateUserOptions{})
		wantErr(t, "CreateUser in missing pool", err, userpool.ErrNotFound)
	}},
	{"AliasCollisionLeavesNothing", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "ivy", "phone_number", "+15550001"))
		// The second user's email alias is free, its phone alias is not: the
		// whole user, email alias included, must be refused.
		u := user(p.ID, "jack", "email", "jack@example.com", "phone_number", "+15550001")
		wantErr(t, "CreateUser alias taken", s.CreateUser(ctx, u, userpool.CreateUserOptions{}), userpool.ErrAliasExists)
		_, err := s.GetUser(ctx, p.ID, "jack")
		wantErr(t, "GetUser of refused user", err, userpool.ErrNotFound)
		_, err = s.GetUserBySub(ctx, p.ID, u.Sub)
		wantErr(t, "GetUserBySub of refused user", err, userpool.ErrNotFound)
		_, err = s.GetUserByAlias(ctx, p.ID, "email", "jack@example.com")
		wantErr(t, "free alias of refused user", err, userpool.ErrNotFound)
		users, _, err := s.ListUsers(ctx, p.ID, userpool.ListUsersQuery{Attribute: "email", Value: "jack@example.com", Limit: 10})
		if err != nil || len(users) != 0 {
			t.Errorf("ListUsers email of refused user = %d users, %v", len(users), err)
		}
		if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 1 {
			t.Errorf("CountUsers = %d, %v; want 1", n, err)
		}
		// The name is free for a user without the colliding alias.
		mustCreateUser(t, s, user(p.ID, "jack", "email", "jack@example.com"))
		checkAliasInvariant(t, s, p.ID)
	}},
	{"StealAliases", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		old := user(p.ID, "kate", "email", "shared@example.com", "phone_number", "+15550002")
		mustCreateUser(t, s, old)
		before := mustGetUser(t, s, p.ID, "kate")

		u := user(p.ID, "liam", "email", "shared@example.com")
		if err := s.CreateUser(ctx, u, userpool.CreateUserOptions{StealAliases: true}); err != nil {
			t.Fatalf("CreateUser stealing: %v", err)
		}
		got, err := s.GetUserByAlias(ctx, p.ID, "email", "shared@example.com")
		if err != nil || got.UsernameKey != "liam" {
			t.Fatalf("alias owner = %v, %v; want liam", got, err)
		}
		after := mustGetUser(t, s, p.ID, "kate")
		if _, ok := after.Aliases["email"]; ok {
			t.Errorf("kate still lists the stolen email alias: %v", after.Aliases)
		}
		if after.Aliases["phone_number"] != "+15550002" {
			t.Errorf("kate lost her other alias: %v", after.Aliases)
		}
		if after.Version != before.Version+1 {
			t.Errorf("kate's Version = %d, want %d (losing an alias is a change)", after.Version, before.Version+1)
		}
		// A stale update of kate must now conflict instead of reclaiming the alias.
		wantErr(t, "stale UpdateUser of robbed user", s.UpdateUser(ctx, before), userpool.ErrConflict)
		checkAliasInvariant(t, s, p.ID)
	}},
	{"UpdateVersioning", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "mia", "email", "mia@example.com"))
		a := mustGetUser(t, s, p.ID, "mia")
		b := mustGetUser(t, s, p.ID, "mia")
		v := a.Version

		a.Status = "RESET_REQUIRED"
		a.Attributes["name"] = "Mia"
		a.UpdatedAt = base.Add(time.Second)
		if err := s.UpdateUser(ctx, a); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if a.Version != v+1 {
			t.Errorf("UpdateUser set Version %d, want %d", a.Version, v+1)
		}
		diff(t, "user after update", a, mustGetUser(t, s, p.ID, "mia"))

		b.Enabled = false
		wantErr(t, "UpdateUser stale", s.UpdateUser(ctx, b), userpool.ErrConflict)
		if b.Version != v {
			t.Errorf("refused UpdateUser changed the caller's Version to %d", b.Version)
		}
		diff(t, "user after refused update", a, mustGetUser(t, s, p.ID, "mia"))

		missing := user(p.ID, "nobody")
		wantErr(t, "UpdateUser missing", s.UpdateUser(ctx, missing), userpool.ErrNotFound)
	}},
	{"UpdateReindexes", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "noah", "email", "noah@example.com", "given_name", "Noah"))
		mustCreateUser(t, s, user(p.ID, "olga", "email", "olga@example.com"))

		u := mustGetUser(t, s, p.ID, "noah")
		u.Attributes["email"] = "noah@new.example.com"
		u.Aliases = map[string]string{"email": "noah@new.example.com", "preferred_username": "nono"}
		u.Attributes["preferred_username"] = "nono"
		u.Attributes["given_name"] = "Noé"
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		_, err := s.GetUserByAlias(ctx, p.ID, "email", "noah@example.com")
		wantErr(t, "old alias", err, userpool.ErrNotFound)
		for attr, key := range u.Aliases {
			if got, err := s.GetUserByAlias(ctx, p.ID, attr, key); err != nil || got.UsernameKey != "noah" {
				t.Errorf("new alias %s=%s: %v, %v", attr, key, got, err)
			}
		}
		filters := []struct {
			attr, value string
			want        int
		}{
			{"email", "noah@example.com", 0},
			{"email", "noah@new.example.com", 1},
			{"given_name", "Noah", 0},
			{"given_name", "noé", 1},
			{"preferred_username", "nono", 1},
		}
		for _, f := range filters {
			users, _, err := s.ListUsers(ctx, p.ID, userpool.ListUsersQuery{Attribute: f.attr, Value: f.value, Limit: 10})
			if err != nil || len(users) != f.want {
				t.Errorf("ListUsers %s = %q: %d users, %v; want %d", f.attr, f.value, len(users), err, f.want)
			}
		}

		// Taking another user's alias on update is refused whole.
		u2 := mustGetUser(t, s, p.ID, "noah")
		u2.Aliases["email"] = "olga@example.com"
		u2.Attributes["email"] = "olga@example.com"
		u2.Attributes["family_name"] = "Never"
		wantErr(t, "UpdateUser onto taken alias", s.UpdateUser(ctx, u2), userpool.ErrAliasExists)
		diff(t, "user after refused update", u, mustGetUser(t, s, p.ID, "noah"))
		users, _, err := s.ListUsers(ctx, p.ID, userpool.ListUsersQuery{Attribute: "family_name", Value: "Never", Limit: 10})
		if err != nil || len(users) != 0 {
			t.Errorf("refused update left filter rows: %d users, %v", len(users), err)
		}
		checkAliasInvariant(t, s, p.ID)
	}},
	{"Delete", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		u := user(p.ID, "pat", "email", "pat@example.com")
		mustCreateUser(t, s, u)
		tok := token(p.ID, u, "jti-pat")
		if err := s.PutRefreshToken(ctx, tok); err != nil {
			t.Fatalf("PutRefreshToken: %v", err)
		}
		if err := s.DeleteUser(ctx, p.ID, "pat"); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err := s.GetUser(ctx, p.ID, "pat")
		wantErr(t, "GetUser deleted", err, userpool.ErrNotFound)
		_, err = s.GetUserByAlias(ctx, p.ID, "email", "pat@example.com")
		wantErr(t, "GetUserByAlias deleted", err, userpool.ErrNotFound)
		_, err = s.GetUserBySub(ctx, p.ID, u.Sub)
		wantErr(t, "GetUserBySub deleted", err, userpool.ErrNotFound)
		_, err = s.GetRefreshToken(ctx, tok.Hash)
		wantErr(t, "refresh token of deleted user", err, userpool.ErrNotFound)
		wantErr(t, "DeleteUser again", s.DeleteUser(ctx, p.ID, "pat"), userpool.ErrNotFound)
		if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 0 {
			t.Errorf("CountUsers = %d, %v; want 0", n, err)
		}
		// Username, alias and sub are free again.
		again := user(p.ID, "pat", "email", "pat@example.com")
		again.Sub = u.Sub
		mustCreateUser(t, s, again)
	}},
	{"Count", func(t *testing.T, s userpool.Store) {
		p1, p2 := newPool(t, s), newPool(t, s)
		for i := range 12 {
			mustCreateUser(t, s, user(p1.ID, "user"+uniq()))
			if i%3 == 0 {
				mustCreateUser(t, s, user(p2.ID, "user"+uniq()))
			}
		}
		for _, c := range []struct {
			pool string
			want int
		}{{p1.ID, 12}, {p2.ID, 4}, {"us-east-1_missing", 0}} {
			n, err := s.CountUsers(t.Context(), c.pool)
			if err != nil || n != c.want {
				t.Errorf("CountUsers(%s) = %d, %v; want %d", c.pool, n, err, c.want)
			}
		}
	}},
}
