package storetest

import (
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func group(poolID, name string, prec *int) *userpool.Group {
	return &userpool.Group{PoolID: poolID, Name: name, Description: "the " + name, RoleArn: "arn:aws:iam::123456789012:role/" + name,
		Precedence: prec, CreatedAt: base, UpdatedAt: base}
}

func intp(n int) *int { return &n }

func mustCreateGroup(t *testing.T, s userpool.Store, g *userpool.Group) {
	t.Helper()
	if err := s.CreateGroup(t.Context(), g); err != nil {
		t.Fatalf("CreateGroup(%s): %v", g.Name, err)
	}
}

func groupNames(gs []*userpool.Group) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

func userKeys(us []*userpool.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.UsernameKey)
	}
	return out
}

var groupTests = []subtest{
	{"CreateGetUpdateDelete", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		g := group(p.ID, "admins", intp(0))
		mustCreateGroup(t, s, g)
		wantErr(t, "CreateGroup twice", s.CreateGroup(ctx, group(p.ID, "admins", nil)), userpool.ErrExists)
		// Names are case-sensitive.
		mustCreateGroup(t, s, group(p.ID, "Admins", nil))
		wantErr(t, "CreateGroup in a missing pool", s.CreateGroup(ctx, group("us-east-1_missing", "x", nil)), userpool.ErrNotFound)
		got, err := s.GetGroup(ctx, p.ID, "admins")
		if err != nil {
			t.Fatalf("GetGroup: %v", err)
		}
		diff(t, "GetGroup", g, got)
		g.Description, g.Precedence, g.UpdatedAt = "changed", nil, base.Add(time.Minute)
		if err := s.UpdateGroup(ctx, g); err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		got, err = s.GetGroup(ctx, p.ID, "admins")
		if err != nil {
			t.Fatalf("GetGroup: %v", err)
		}
		diff(t, "GetGroup after UpdateGroup", g, got)
		wantErr(t, "UpdateGroup of a missing group", s.UpdateGroup(ctx, group(p.ID, "nobody", nil)), userpool.ErrNotFound)
		if err := s.DeleteGroup(ctx, p.ID, "admins"); err != nil {
			t.Fatalf("DeleteGroup: %v", err)
		}
		_, err = s.GetGroup(ctx, p.ID, "admins")
		wantErr(t, "GetGroup after DeleteGroup", err, userpool.ErrNotFound)
		wantErr(t, "DeleteGroup twice", s.DeleteGroup(ctx, p.ID, "admins"), userpool.ErrNotFound)
	}},
	{"ListPages", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		other := newPool(t, s)
		mustCreateGroup(t, s, group(other.ID, "elsewhere", nil))
		for _, n := range []string{"e", "b", "d", "a", "c"} {
			mustCreateGroup(t, s, group(p.ID, n, nil))
		}
		var all []string
		after := ""
		for range 10 {
			gs, next, err := s.ListGroups(ctx, p.ID, 2, after)
			if err != nil {
				t.Fatalf("ListGroups: %v", err)
			}
			if len(gs) > 2 {
				t.Fatalf("ListGroups: page of %d, limit 2", len(gs))
			}
			all = append(all, groupNames(gs)...)
			if next == "" {
				break
			}
			after = next
		}
		diff(t, "ListGroups", []string{"a", "b", "c", "d", "e"}, all)
		_, _, err := s.ListGroups(ctx, other.ID, 2, after)
		wantErr(t, "ListGroups with another pool's cursor", err, userpool.ErrInvalidCursor)
	}},
	{"Membership", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		for _, n := range []string{"readers", "writers", "empty"} {
			mustCreateGroup(t, s, group(p.ID, n, nil))
		}
		ann, bob := user(p.ID, "ann"), user(p.ID, "bob")
		mustCreateUser(t, s, ann)
		mustCreateUser(t, s, bob)
		for _, m := range [][2]string{{"readers", "ann"}, {"writers", "ann"}, {"readers", "bob"}, {"readers", "bob"}} {
			if err := s.AddUserToGroup(ctx, p.ID, m[0], m[1]); err != nil {
				t.Fatalf("AddUserToGroup(%s, %s): %v", m[0], m[1], err)
			}
		}
		wantErr(t, "AddUserToGroup of a missing user", s.AddUserToGroup(ctx, p.ID, "readers", "carl"), userpool.ErrNotFound)
		wantErr(t, "AddUserToGroup to a missing group", s.AddUserToGroup(ctx, p.ID, "nobody", "ann"), userpool.ErrNotFound)
		gs, _, err := s.ListGroupsForUser(ctx, p.ID, "ann", 0, "")
		if err != nil {
			t.Fatalf("ListGroupsForUser: %v", err)
		}
		diff(t, "ann's groups", []string{"readers", "writers"}, groupNames(gs))
		us, _, err := s.ListUsersInGroup(ctx, p.ID, "readers", 0, "")
		if err != nil {
			t.Fatalf("ListUsersInGroup: %v", err)
		}
		diff(t, "readers", []string{"ann", "bob"}, userKeys(us))
		first, next, err := s.ListUsersInGroup(ctx, p.ID, "readers", 1, "")
		if err != nil || len(first) != 1 || next == "" {
			t.Fatalf("ListUsersInGroup limit 1: %d users, next %q, %v", len(first), next, err)
		}
		rest, next, err := s.ListUsersInGroup(ctx, p.ID, "readers", 1, next)
		if err != nil || next != "" {
			t.Fatalf("ListUsersInGroup page 2: next %q, %v", next, err)
		}
		diff(t, "readers paged", []string{"ann", "bob"}, append(userKeys(first), userKeys(rest)...))
		if us, _, err := s.ListUsersInGroup(ctx, p.ID, "empty", 0, ""); err != nil || len(us) != 0 {
			t.Fatalf("ListUsersInGroup(empty): %d users, %v", len(us), err)
		}
		_, _, err = s.ListUsersInGroup(ctx, p.ID, "nobody", 0, "")
		wantErr(t, "ListUsersInGroup of a missing group", err, userpool.ErrNotFound)
		_, _, err = s.ListGroupsForUser(ctx, p.ID, "carl", 0, "")
		wantErr(t, "ListGroupsForUser of a missing user", err, userpool.ErrNotFound)

		if err := s.RemoveUserFromGroup(ctx, p.ID, "writers", "ann"); err != nil {
			t.Fatalf("RemoveUserFromGroup: %v", err)
		}
		if err := s.RemoveUserFromGroup(ctx, p.ID, "writers", "ann"); err != nil {
			t.Fatalf("RemoveUserFromGroup of a non-member: %v", err)
		}
		gs, _, _ = s.ListGroupsForUser(ctx, p.ID, "ann", 0, "")
		diff(t, "ann's groups after removal", []string{"readers"}, groupNames(gs))

		// Deleting a user ends its memberships; a new user of that name is in no group.
		if err := s.DeleteUser(ctx, p.ID, "bob"); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		mustCreateUser(t, s, user(p.ID, "bob"))
		gs, _, _ = s.ListGroupsForUser(ctx, p.ID, "bob", 0, "")
		diff(t, "groups of a re-created user", []string{}, groupNames(gs))
		// Deleting a group ends its memberships; a new group of that name is empty.
		if err := s.DeleteGroup(ctx, p.ID, "readers"); err != nil {
			t.Fatalf("DeleteGroup: %v", err)
		}
		mustCreateGroup(t, s, group(p.ID, "readers", nil))
		us, _, _ = s.ListUsersInGroup(ctx, p.ID, "readers", 0, "")
		diff(t, "members of a re-created group", []string{}, userKeys(us))
		// Deleting the pool removes its groups.
		if err := s.DeletePool(ctx, p.ID); err != nil {
			t.Fatalf("DeletePool: %v", err)
		}
		_, err = s.GetGroup(ctx, p.ID, "readers")
		wantErr(t, "GetGroup after DeletePool", err, userpool.ErrNotFound)
	}},
	{"UserSecurityState", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		u := user(p.ID, "vera", "email", "vera@example.com")
		u.VerificationCodes = map[string]*userpool.Code{"email": {Code: "123456", ExpiresAt: base.Add(time.Hour), Attempts: 2}}
		u.PendingAttributes = map[string]string{"email": "new@example.com"}
		u.FailedSignIns = 6
		u.LastFailedSignIn = base.Add(2 * time.Second)
		mustCreateUser(t, s, u)
		got := mustGetUser(t, s, p.ID, "vera")
		u.Version = got.Version
		diff(t, "user with codes, pending attributes and lockout", u, got)
		got.VerificationCodes = nil
		got.PendingAttributes = nil
		got.FailedSignIns = 0
		got.LastFailedSignIn = time.Time{}
		if err := s.UpdateUser(ctx, got); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		again := mustGetUser(t, s, p.ID, "vera")
		if len(again.VerificationCodes) != 0 || len(again.PendingAttributes) != 0 || again.FailedSignIns != 0 || !again.LastFailedSignIn.IsZero() {
			t.Errorf("cleared state came back: %+v", again)
		}
	}},
}
