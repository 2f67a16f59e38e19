package storetest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// listFixture creates a pool whose users cover every filterable attribute,
// with values differing only in case, shared prefixes, multi-byte text and
// users missing the attribute.
func listFixture(t *testing.T, s userpool.Store) (*userpool.Pool, []*userpool.User) {
	t.Helper()
	p := newPool(t, s)
	specs := []struct {
		username string
		status   string
		enabled  bool
		attrs    []string
	}{
		{"amy", "CONFIRMED", true, []string{"email", "amy@example.com", "name", "Amy Pond", "given_name", "Amy", "family_name", "Pond", "phone_number", "+441110001"}},
		{"Amelia", "CONFIRMED", true, []string{"email", "AMELIA@example.com", "name", "Amelia Pond", "given_name", "Amelia", "family_name", "Pond"}},
		{"bob", "UNCONFIRMED", true, []string{"email", "bob@example.org", "phone_number", "+15550100", "preferred_username", "bobby"}},
		{"bobby", "RESET_REQUIRED", false, []string{"email", "bobby@example.org", "given_name", "Bob"}},
		{"chloé", "FORCE_CHANGE_PASSWORD", true, []string{"email", "chloe@exämple.com", "name", "Chloé Zhao", "family_name", "Zhao"}},
		{"dan", "CONFIRMED", false, []string{"phone_number", "+15550101", "preferred_username", "Danny"}},
		{"eve", "CONFIRMED", true, nil},
		{"Zed", "UNCONFIRMED", true, []string{"email", "zed@example.com", "name", "zed", "given_name", "Zed"}},
	}
	var users []*userpool.User
	for i := range 22 { // enough users that every listing spans pages
		specs = append(specs, struct {
			username string
			status   string
			enabled  bool
			attrs    []string
		}{fmt.Sprintf("user%02d", i), []string{"CONFIRMED", "UNCONFIRMED"}[i%2], i%5 != 0,
			[]string{"email", fmt.Sprintf("user%02d@example.com", i), "family_name", fmt.Sprintf("Family%d", i%4)}})
	}
	for _, sp := range specs {
		u := user(p.ID, sp.username, sp.attrs...)
		u.Status, u.Enabled = sp.status, sp.enabled
		mustCreateUser(t, s, u)
		users = append(users, mustGetUser(t, s, p.ID, u.UsernameKey))
	}
	return p, users
}

// reference lists what q must return from users, in the contract's order.
func reference(users []*userpool.User, q userpool.ListUsersQuery) []string {
	type hit struct{ v, key string }
	var hits []hit
	want := userpool.FilterKey(q.Attribute, q.Value)
	for _, u := range users {
		if q.Attribute == "" {
			hits = append(hits, hit{"", u.UsernameKey})
			continue
		}
		v, ok := u.FilterValue(q.Attribute)
		if !ok {
			continue
		}
		v = userpool.FilterKey(q.Attribute, v)
		if v == want || (q.Prefix && strings.HasPrefix(v, want)) {
			hits = append(hits, hit{v, u.UsernameKey})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(strings.Compare(a.v, b.v), strings.Compare(a.key, b.key)) })
	keys := []string{}
	for _, h := range hits {
		keys = append(keys, h.key)
	}
	return keys
}

func keysOf(users []*userpool.User) []string {
	keys := []string{}
	for _, u := range users {
		keys = append(keys, u.UsernameKey)
	}
	return keys
}

var listTests = []subtest{
	{"Filters", func(t *testing.T, s userpool.Store) {
		p, users := listFixture(t, s)
		queries := []struct {
			name string
			q    userpool.ListUsersQuery
			want int // -1: whatever the reference says, but at least one
		}{
			{"all users", userpool.ListUsersQuery{}, len(users)},
			{"username exact", userpool.ListUsersQuery{Attribute: "username", Value: "Amelia"}, 1},
			{"username is case-sensitive", userpool.ListUsersQuery{Attribute: "username", Value: "amelia"}, 0},
			{"username prefix", userpool.ListUsersQuery{Attribute: "username", Prefix: true, Value: "bob"}, 2},
			{"username prefix multi-byte", userpool.ListUsersQuery{Attribute: "username", Prefix: true, Value: "chlo"}, 1},
			{"email exact", userpool.ListUsersQuery{Attribute: "email", Value: "amy@example.com"}, 1},
			{"email ignores case", userpool.ListUsersQuery{Attribute: "email", Value: "amelia@EXAMPLE.com"}, 1},
			{"email prefix", userpool.ListUsersQuery{Attribute: "email", Prefix: true, Value: "AM"}, 2},
			{"email prefix of domain is not a match", userpool.ListUsersQuery{Attribute: "email", Prefix: true, Value: "example"}, 0},
			{"email prefix multi-byte", userpool.ListUsersQuery{Attribute: "email", Prefix: true, Value: "chloe@exä"}, 1},
			{"email empty prefix matches users with an email", userpool.ListUsersQuery{Attribute: "email", Prefix: true, Value: ""}, len(users) - 2},
			{"email no match", userpool.ListUsersQuery{Attribute: "email", Value: "nobody@example.com"}, 0},
			{"phone_number exact", userpool.ListUsersQuery{Attribute: "phone_number", Value: "+15550100"}, 1},
			{"phone_number prefix", userpool.ListUsersQuery{Attribute: "phone_number", Prefix: true, Value: "+1555"}, 2},
			{"name exact", userpool.ListUsersQuery{Attribute: "name", Value: "amy pond"}, 1},
			{"name prefix", userpool.ListUsersQuery{Attribute: "name", Prefix: true, Value: "Am"}, 2},
			{"given_name exact", userpool.ListUsersQuery{Attribute: "given_name", Value: "Zed"}, 1},
			{"given_name prefix", userpool.ListUsersQuery{Attribute: "given_name", Prefix: true, Value: "am"}, 2},
			{"family_name exact", userpool.ListUsersQuery{Attribute: "family_name", Value: "Pond"}, 2},
			{"family_name prefix", userpool.ListUsersQuery{Attribute: "family_name", Prefix: true, Value: "family"}, 22},
			{"preferred_username exact", userpool.ListUsersQuery{Attribute: "preferred_username", Value: "danny"}, 1},
			{"preferred_username prefix", userpool.ListUsersQuery{Attribute: "preferred_username", Prefix: true, Value: "b"}, 1},
			{"user_status exact", userpool.ListUsersQuery{Attribute: "cognito:user_status", Value: "RESET_REQUIRED"}, 1},
			{"user_status ignores case", userpool.ListUsersQuery{Attribute: "cognito:user_status", Value: "unconfirmed"}, 13},
			{"user_status prefix", userpool.ListUsersQuery{Attribute: "cognito:user_status", Prefix: true, Value: "F"}, 1},
			{"status Enabled", userpool.ListUsersQuery{Attribute: "status", Value: "Enabled"}, -1},
			{"status Disabled", userpool.ListUsersQuery{Attribute: "status", Value: "Disabled"}, 7},
			{"status is case-sensitive", userpool.ListUsersQuery{Attribute: "status", Value: "disabled"}, 0},
			{"sub exact", userpool.ListUsersQuery{Attribute: "sub", Value: users[3].Sub}, 1},
			{"sub prefix", userpool.ListUsersQuery{Attribute: "sub", Prefix: true, Value: "00000000-0000-4000"}, len(users)},
		}
		covered := map[string]bool{}
		for _, tc := range queries {
			covered[tc.q.Attribute] = true
			want := reference(users, tc.q)
			if tc.want >= 0 && len(want) != tc.want {
				t.Fatalf("%s: fixture gives %d users, the case expects %d", tc.name, len(want), tc.want)
			}
			if tc.want < 0 && len(want) == 0 {
				t.Fatalf("%s: fixture matches nobody", tc.name)
			}
			for _, limit := range []int{60, 1, 4} {
				q := tc.q
				q.Limit = limit
				got, err := listAll(t.Context(), s, p.ID, q)
				if err != nil {
					t.Errorf("%s (limit %d): %v", tc.name, limit, err)
					continue
				}
				diff(t, fmt.Sprintf("%s (limit %d)", tc.name, limit), want, keysOf(got))
			}
		}
		for _, attr := range userpool.FilterableAttributes {
			if !covered[attr] {
				t.Errorf("filterable attribute %s has no case", attr)
			}
		}
	}},
	{"WholeUsers", func(t *testing.T, s userpool.Store) {
		p, users := listFixture(t, s)
		got, _, err := s.ListUsers(t.Context(), p.ID, userpool.ListUsersQuery{Limit: 60})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		byKey := map[string]*userpool.User{}
		for _, u := range users {
			byKey[u.UsernameKey] = u
		}
		for _, u := range got {
			diff(t, "listed user "+u.UsernameKey, byKey[u.UsernameKey], u)
		}
	}},
	{"DefaultLimit", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		for i := range 65 {
			mustCreateUser(t, s, user(p.ID, fmt.Sprintf("u%03d", i)))
		}
		got, next, err := s.ListUsers(t.Context(), p.ID, userpool.ListUsersQuery{})
		if err != nil || len(got) != 60 || next == "" {
			t.Errorf("ListUsers without limit = %d users, next %q, %v; want 60 and a cursor", len(got), next, err)
		}
		got, next, err = s.ListUsers(t.Context(), p.ID, userpool.ListUsersQuery{Limit: 5, After: next})
		if err != nil || len(got) != 5 || next != "" {
			t.Errorf("last page = %d users, next %q, %v; want 5 and no cursor", len(got), next, err)
		}
	}},
	{"CursorStability", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		for i := range 20 {
			mustCreateUser(t, s, user(p.ID, fmt.Sprintf("k%02d", i*2), "email", fmt.Sprintf("k%02d@example.com", i*2)))
		}
		for _, q := range []userpool.ListUsersQuery{
			{Limit: 5},
			{Limit: 5, Attribute: "email", Prefix: true, Value: "k"},
		} {
			page1, next, err := s.ListUsers(ctx, p.ID, q)
			if err != nil || next == "" {
				t.Fatalf("page 1: %v, next %q", err, next)
			}
			last := page1[len(page1)-1].UsernameKey // k08
			// Between pages: a user sorting before the cursor appears, one
			// after it appears, the last user of page 1 and a later one go.
			fresh := []string{"k01", "k11"}
			for _, k := range fresh {
				mustCreateUser(t, s, user(p.ID, k, "email", k+"@example.com"))
			}
			for _, k := range []string{last, "k12"} {
				if err := s.DeleteUser(ctx, p.ID, k); err != nil {
					t.Fatalf("DeleteUser(%s): %v", k, err)
				}
			}
			q.After = next
			rest, err := listAll(ctx, s, p.ID, q)
			if err != nil {
				t.Fatalf("rest: %v", err)
			}
			var want []string
			for i := 5; i < 20; i++ {
				if k := fmt.Sprintf("k%02d", i*2); k != "k12" {
					want = append(want, k)
				}
			}
			want = append(want, "k11")
			slices.Sort(want)
			diff(t, "pages after the cursor", want, keysOf(rest))
			// Restore for the next query.
			for _, k := range fresh {
				if err := s.DeleteUser(ctx, p.ID, k); err != nil {
					t.Fatal(err)
				}
			}
			for _, k := range []string{last, "k12"} {
				mustCreateUser(t, s, user(p.ID, k, "email", k+"@example.com"))
			}
		}
	}},
	{"UnfilterableAttribute", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		mustCreateUser(t, s, user(p.ID, "cus", "custom:tier", "gold"))
		for _, attr := range []string{"custom:tier", "email_verified", "locale"} {
			_, _, err := s.ListUsers(t.Context(), p.ID, userpool.ListUsersQuery{Attribute: attr, Value: "gold"})
			if err == nil {
				t.Errorf("ListUsers on %s: no error; Cognito cannot search it", attr)
			}
		}
	}},
	{"InvalidCursor", func(t *testing.T, s userpool.Store) {
		p := newPool(t, s)
		for i := range 3 {
			mustCreateUser(t, s, user(p.ID, fmt.Sprintf("v%d", i), "email", fmt.Sprintf("v%d@example.com", i)))
		}
		_, next, err := s.ListUsers(t.Context(), p.ID, userpool.ListUsersQuery{Limit: 1})
		if err != nil || next == "" {
			t.Fatalf("ListUsers: %v, next %q", err, next)
		}
		p2 := newPool(t, s)
		cases := []struct {
			name string
			pool string
			q    userpool.ListUsersQuery
		}{
			{"garbage", p.ID, userpool.ListUsersQuery{After: "garbage!"}},
			{"base64 of nothing useful", p.ID, userpool.ListUsersQuery{After: base64.RawURLEncoding.EncodeToString([]byte("{}"))}},
			{"truncated", p.ID, userpool.ListUsersQuery{After: next[:len(next)/2]}},
			{"from another query", p.ID, userpool.ListUsersQuery{After: next, Attribute: "email", Prefix: true, Value: "v"}},
			{"from another pool", p2.ID, userpool.ListUsersQuery{After: next}},
		}
		for _, tc := range cases {
			_, _, err := s.ListUsers(t.Context(), tc.pool, tc.q)
			wantErr(t, tc.name, err, userpool.ErrInvalidCursor)
		}
	}},
}
