package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func token(poolID string, u *userpool.User, originJTI string) *userpool.RefreshToken {
	return &userpool.RefreshToken{
		Hash:      fmt.Sprintf("%064s", uniq()),
		PoolID:    poolID,
		ClientID:  "client" + uniq(),
		Username:  u.Username,
		Sub:       u.Sub,
		OriginJTI: originJTI,
		AuthTime:  base,
		ExpiresAt: base.Add(30 * 24 * time.Hour),
		CreatedAt: base,
	}
}

func isRevoked(t *testing.T, s userpool.Store, hash string) bool {
	t.Helper()
	got, err := s.GetRefreshToken(t.Context(), hash)
	if err != nil {
		t.Fatalf("GetRefreshToken: %v", err)
	}
	return got.Revoked
}

var tokenTests = []subtest{
	{"PutGet", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		u := user(p.ID, "quinn")
		mustCreateUser(t, s, u)
		tok := token(p.ID, u, "jti-1")
		if err := s.PutRefreshToken(ctx, tok); err != nil {
			t.Fatalf("PutRefreshToken: %v", err)
		}
		got, err := s.GetRefreshToken(ctx, tok.Hash)
		if err != nil {
			t.Fatalf("GetRefreshToken: %v", err)
		}
		diff(t, "GetRefreshToken", tok, got)

		tok.Revoked = true
		tok.ExpiresAt = base.Add(time.Hour)
		if err := s.PutRefreshToken(ctx, tok); err != nil {
			t.Fatalf("PutRefreshToken replacing: %v", err)
		}
		got, err = s.GetRefreshToken(ctx, tok.Hash)
		if err != nil {
			t.Fatalf("GetRefreshToken: %v", err)
		}
		diff(t, "GetRefreshToken after replace", tok, got)

		_, err = s.GetRefreshToken(ctx, "no-such-hash")
		wantErr(t, "GetRefreshToken missing", err, userpool.ErrNotFound)
		orphan := token("us-east-1_missing", u, "jti-2")
		wantErr(t, "PutRefreshToken in missing pool", s.PutRefreshToken(ctx, orphan), userpool.ErrNotFound)
	}},
	{"Revoke", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p, other := newPool(t, s), newPool(t, s)
		ann, ben := user(p.ID, "ann"), user(p.ID, "ben")
		mustCreateUser(t, s, ann)
		mustCreateUser(t, s, ben)
		toks := map[string]*userpool.RefreshToken{
			"ann-a1": token(p.ID, ann, "jti-a"),
			"ann-a2": token(p.ID, ann, "jti-a"), // minted from the same origin
			"ann-b":  token(p.ID, ann, "jti-b"),
			"ben-c":  token(p.ID, ben, "jti-c"),
			"other":  token(other.ID, ann, "jti-a"), // same jti, another pool
		}
		for _, tok := range toks {
			if err := s.PutRefreshToken(ctx, tok); err != nil {
				t.Fatalf("PutRefreshToken: %v", err)
			}
		}
		steps := []struct {
			name            string
			username, jti   string
			revokedAfterall []string
		}{
			{"by origin jti", "", "jti-a", []string{"ann-a1", "ann-a2"}},
			{"unknown jti", "", "jti-none", []string{"ann-a1", "ann-a2"}},
			{"by user", "ben", "", []string{"ann-a1", "ann-a2", "ben-c"}},
			{"unknown user", "nobody", "", []string{"ann-a1", "ann-a2", "ben-c"}},
			{"every token of ann", "ann", "", []string{"ann-a1", "ann-a2", "ann-b", "ben-c"}},
		}
		for _, st := range steps {
			if err := s.RevokeRefreshTokens(ctx, p.ID, st.username, st.jti); err != nil {
				t.Fatalf("%s: RevokeRefreshTokens: %v", st.name, err)
			}
			want := map[string]bool{}
			for _, n := range st.revokedAfterall {
				want[n] = true
			}
			got := map[string]bool{}
			for n, tok := range toks {
				if isRevoked(t, s, tok.Hash) {
					got[n] = true
				}
			}
			diff(t, st.name+": revoked tokens", want, got)
		}
	}},
}

var messageTests = []subtest{
	{"AppendList", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p1, p2 := newPool(t, s), newPool(t, s)
		var all []*userpool.Message
		var last int64
		for i := range 9 {
			m := &userpool.Message{
				PoolID: []string{p1.ID, p2.ID, p1.ID}[i%3], Username: "u" + uniq(), Medium: "EMAIL",
				Destination: "u@example.com", Kind: "confirmation", Code: fmt.Sprintf("%06d", i),
				Subject: "Your code", Body: "Your code is " + fmt.Sprintf("%06d", i), CreatedAt: base.Add(time.Duration(i)),
			}
			if err := s.AppendMessage(ctx, m); err != nil {
				t.Fatalf("AppendMessage: %v", err)
			}
			if m.ID <= last {
				t.Fatalf("message id %d after %d: ids must increase", m.ID, last)
			}
			last = m.ID
			all = append(all, m)
		}
		perPool := func(pool string, after int64) []*userpool.Message {
			var out []*userpool.Message
			for _, m := range all {
				if (pool == "" || m.PoolID == pool) && m.ID > after {
					out = append(out, m)
				}
			}
			return out
		}
		cases := []struct {
			name  string
			pool  string
			after int64
			limit int
		}{
			{"every pool", "", 0, 100},
			{"one pool", p1.ID, 0, 100},
			{"other pool", p2.ID, 0, 100},
			{"after an id", p1.ID, all[3].ID, 100},
			{"after the last", "", last, 100},
			{"missing pool", "us-east-1_missing", 0, 100},
		}
		for _, tc := range cases {
			got, err := s.ListMessages(ctx, tc.pool, tc.after, tc.limit)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			diff(t, tc.name, perPool(tc.pool, tc.after), got)
		}
		// Paging by afterID with a small limit walks every message once.
		var paged []*userpool.Message
		for after, n := int64(0), 0; n < 20; n++ {
			page, err := s.ListMessages(ctx, p1.ID, after, 2)
			if err != nil {
				t.Fatalf("ListMessages: %v", err)
			}
			if len(page) > 2 {
				t.Fatalf("page of %d messages, limit 2", len(page))
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[len(page)-1].ID
		}
		diff(t, "paged messages", perPool(p1.ID, 0), paged)

		orphan := &userpool.Message{PoolID: "us-east-1_missing", Medium: "SMS", CreatedAt: base}
		wantErr(t, "AppendMessage to missing pool", s.AppendMessage(ctx, orphan), userpool.ErrNotFound)
	}},
}

var deletePoolTests = []subtest{
	{"Cascades", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p, keep := newPool(t, s), newPool(t, s)
		c := newClient(t, s, p.ID)
		kc := newClient(t, s, keep.ID)
		u := user(p.ID, "rita", "email", "rita@example.com")
		ku := user(keep.ID, "rita", "email", "rita@example.com")
		mustCreateUser(t, s, u)
		mustCreateUser(t, s, ku)
		tok, ktok := token(p.ID, u, "jti"), token(keep.ID, ku, "jti")
		for _, tk := range []*userpool.RefreshToken{tok, ktok} {
			if err := s.PutRefreshToken(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		for _, pool := range []string{p.ID, keep.ID} {
			if err := s.AppendMessage(ctx, &userpool.Message{PoolID: pool, Username: "rita", Medium: "EMAIL", CreatedAt: base}); err != nil {
				t.Fatal(err)
			}
		}

		if err := s.DeletePool(ctx, p.ID); err != nil {
			t.Fatalf("DeletePool: %v", err)
		}
		_, err := s.GetPool(ctx, p.ID)
		wantErr(t, "GetPool", err, userpool.ErrNotFound)
		_, err = s.GetClient(ctx, c.ID)
		wantErr(t, "GetClient", err, userpool.ErrNotFound)
		_, err = s.GetUser(ctx, p.ID, "rita")
		wantErr(t, "GetUser", err, userpool.ErrNotFound)
		_, err = s.GetUserByAlias(ctx, p.ID, "email", "rita@example.com")
		wantErr(t, "GetUserByAlias", err, userpool.ErrNotFound)
		_, err = s.GetUserBySub(ctx, p.ID, u.Sub)
		wantErr(t, "GetUserBySub", err, userpool.ErrNotFound)
		_, err = s.GetRefreshToken(ctx, tok.Hash)
		wantErr(t, "GetRefreshToken", err, userpool.ErrNotFound)
		if msgs, err := s.ListMessages(ctx, p.ID, 0, 100); err != nil || len(msgs) != 0 {
			t.Errorf("ListMessages of deleted pool = %d, %v", len(msgs), err)
		}

		// The other pool is untouched.
		if _, err := s.GetClient(ctx, kc.ID); err != nil {
			t.Errorf("other pool's client: %v", err)
		}
		if _, err := s.GetUserByAlias(ctx, keep.ID, "email", "rita@example.com"); err != nil {
			t.Errorf("other pool's user: %v", err)
		}
		if _, err := s.GetRefreshToken(ctx, ktok.Hash); err != nil {
			t.Errorf("other pool's token: %v", err)
		}
		if msgs, err := s.ListMessages(ctx, "", 0, 100); err != nil || len(msgs) != 1 {
			t.Errorf("messages left = %d, %v; want the other pool's one", len(msgs), err)
		}

		// The id can be used again, and starts empty.
		again := *p
		if err := s.CreatePool(ctx, &again); err != nil {
			t.Fatalf("CreatePool again: %v", err)
		}
		if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 0 {
			t.Errorf("CountUsers of re-created pool = %d, %v", n, err)
		}
		mustCreateUser(t, s, user(p.ID, "rita", "email", "rita@example.com"))
	}},
}

// race runs n copies of f at once and returns their errors.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = f(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}

// tally counts nil errors and errors matching want, and reports others.
func tally(t *testing.T, errs []error, want error) (ok, matched int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			matched++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return ok, matched
}

const racers = 50

var concurrencyTests = []subtest{
	{"SameUsername", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		errs := race(racers, func(i int) error {
			u := user(p.ID, "zoe", "email", fmt.Sprintf("zoe%d@example.com", i))
			return s.CreateUser(t.Context(), u, userpool.CreateUserOptions{})
		})
		if ok, dup := tally(t, errs, userpool.ErrExists); ok != 1 || dup != racers-1 {
			t.Errorf("%d creates succeeded, %d saw ErrExists; want 1 and %d", ok, dup, racers-1)
		}
		if n, err := s.CountUsers(t.Context(), p.ID); err != nil || n != 1 {
			t.Errorf("CountUsers = %d, %v; want 1", n, err)
		}
		users, err := listAll(t.Context(), s, p.ID, userpool.ListUsersQuery{Attribute: "email", Prefix: true, Value: "zoe", Limit: 60})
		if err != nil || len(users) != 1 {
			t.Errorf("email index holds %d users, %v; want 1", len(users), err)
		}
		checkAliasInvariant(t, s, p.ID)
	}},
	{"SameAlias", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		errs := race(racers, func(i int) error {
			u := user(p.ID, fmt.Sprintf("racer%02d", i), "email", "prize@example.com")
			return s.CreateUser(t.Context(), u, userpool.CreateUserOptions{})
		})
		if ok, dup := tally(t, errs, userpool.ErrAliasExists); ok != 1 || dup != racers-1 {
			t.Errorf("%d creates succeeded, %d saw ErrAliasExists; want 1 and %d", ok, dup, racers-1)
		}
		if n, err := s.CountUsers(t.Context(), p.ID); err != nil || n != 1 {
			t.Errorf("CountUsers = %d, %v; want 1 (a refused user must leave nothing)", n, err)
		}
		checkAliasInvariant(t, s, p.ID)
	}},
	{"StealingAlias", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		errs := race(racers, func(i int) error {
			u := user(p.ID, fmt.Sprintf("thief%02d", i), "email", "loot@example.com")
			return s.CreateUser(t.Context(), u, userpool.CreateUserOptions{StealAliases: true})
		})
		if ok, _ := tally(t, errs, nil); ok != racers {
			t.Errorf("%d of %d stealing creates succeeded", ok, racers)
		}
		if n, err := s.CountUsers(t.Context(), p.ID); err != nil || n != racers {
			t.Errorf("CountUsers = %d, %v; want %d", n, err, racers)
		}
		checkAliasInvariant(t, s, p.ID)
		holders := 0
		users, err := listAll(t.Context(), s, p.ID, userpool.ListUsersQuery{Limit: 60})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.Aliases["email"] != "" {
				holders++
			}
		}
		if holders != 1 {
			t.Errorf("%d users hold the alias, want 1", holders)
		}
	}},
	{"UpdateSameVersion", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "yann"))
		start := mustGetUser(t, s, p.ID, "yann")
		errs := race(racers, func(i int) error {
			u := *start
			u.Attributes = map[string]string{"name": fmt.Sprint(i)}
			return s.UpdateUser(t.Context(), &u)
		})
		if ok, conflicts := tally(t, errs, userpool.ErrConflict); ok != 1 || conflicts != racers-1 {
			t.Errorf("%d updates succeeded, %d conflicted; want 1 and %d", ok, conflicts, racers-1)
		}
		if got := mustGetUser(t, s, p.ID, "yann"); got.Version != start.Version+1 {
			t.Errorf("Version = %d, want %d", got.Version, start.Version+1)
		}
	}},
	{"ReadersAndWriters", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		errs := race(racers, func(i int) error {
			ctx := t.Context()
			name := fmt.Sprintf("rw%02d", i)
			if err := s.CreateUser(ctx, user(p.ID, name, "email", name+"@example.com"), userpool.CreateUserOptions{}); err != nil {
				return err
			}
			for range 5 {
				u, err := s.GetUserByAlias(ctx, p.ID, "email", name+"@example.com")
				if err != nil {
					return err
				}
				u.Attributes["name"] = name
				if err := s.UpdateUser(ctx, u); err != nil {
					return err
				}
				if _, _, err := s.ListUsers(ctx, p.ID, userpool.ListUsersQuery{Limit: 10}); err != nil {
					return err
				}
			}
			return nil
		})
		if ok, _ := tally(t, errs, nil); ok != racers {
			t.Errorf("%d of %d workers finished", ok, racers)
		}
		if n, err := s.CountUsers(t.Context(), p.ID); err != nil || n != racers {
			t.Errorf("CountUsers = %d, %v; want %d", n, err, racers)
		}
	}},
}
