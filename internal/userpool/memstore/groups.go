package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func cloneGroup(g *userpool.Group) *userpool.Group {
	c := *g
	if g.Precedence != nil {
		p := *g.Precedence
		c.Precedence = &p
	}
	return &c
}

// CreateGroup stores g.
func (s *Store) CreateGroup(_ context.Context, g *userpool.Group) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[g.PoolID]
	if !ok {
		return notFound("pool", g.PoolID)
	}
	if _, ok := pu.groups[g.Name]; ok {
		return fmt.Errorf("group %q: %w", g.Name, userpool.ErrExists)
	}
	pu.groups[g.Name] = cloneGroup(g)
	pu.members[g.Name] = map[string]bool{}
	return nil
}

// GetGroup returns the group name of the pool.
func (s *Store) GetGroup(_ context.Context, poolID, name string) (*userpool.Group, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pu, ok := s.users[poolID]
	if !ok {
		return nil, notFound("group", name)
	}
	g, ok := pu.groups[name]
	if !ok {
		return nil, notFound("group", name)
	}
	return cloneGroup(g), nil
}

// UpdateGroup replaces the stored group.
func (s *Store) UpdateGroup(_ context.Context, g *userpool.Group) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[g.PoolID]
	if !ok || pu.groups[g.Name] == nil {
		return notFound("group", g.Name)
	}
	pu.groups[g.Name] = cloneGroup(g)
	return nil
}

// DeleteGroup removes the group and its memberships.
func (s *Store) DeleteGroup(_ context.Context, poolID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pu, ok := s.users[poolID]
	if !ok || pu.groups[name] == nil {
		return notFound("group", name)
	}
	delete(pu.groups, name)
	delete(pu.members, name)
	return nil
}

func (s *Store) pageGroups(names []string, pu *poolUsers, scope string, limit int, after string) ([]*userpool.Group, string, error) {
	from, err := userpool.DecodeCursor("groups", scope, after)
	if err != nil {
		return nil, "", err
	}
	slices.Sort(names)
	var out []*userpool.Group
	for _, n := range names {
		if after != "" && n <= from.Key {
			continue
		}
		out = append(out, cloneGroup(pu.groups[n]))
	}
	out, next := page(out, limit, func(g *userpool.Group) userpool.Cursor {
		return userpool.Cursor{Kind: "groups", Pool: scope, Key: g.Name}
	})
	return out, next, nil
}

// ListGroups pages through the pool's groups by name.
func (s *Store) ListGroups(_ context.Context, poolID string, limit int, after string) ([]*userpool.Group, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pu, ok := s.users[poolID]
	if !ok {
		return nil, "", nil
	}
	return s.pageGroups(slices.Collect(maps.Keys(pu.groups)), pu, poolID, limit, after)
}

// membership finds the group and user of a membership change.
func (s *Store) membership(poolID, group, usernameKey string) (map[string]bool, error) {
	pu, ok := s.users[poolID]
	if !ok || pu.groups[group] == nil {
		return nil, notFound("group", group)
	}
	if pu.byKey[usernameKey] == nil {
		return nil, notFound("user", usernameKey)
	}
	return pu.members[group], nil
}

// AddUserToGroup makes the user a member of the group.
func (s *Store) AddUserToGroup(_ context.Context, poolID, group, usernameKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.membership(poolID, group, usernameKey)
	if err != nil {
		return err
	}
	m[usernameKey] = true
	return nil
}

// RemoveUserFromGroup ends the user's membership of the group.
func (s *Store) RemoveUserFromGroup(_ context.Context, poolID, group, usernameKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.membership(poolID, group, usernameKey)
	if err != nil {
		return err
	}
	delete(m, usernameKey)
	return nil
}

// ListGroupsForUser pages through the groups the user belongs to, by name.
func (s *Store) ListGroupsForUser(_ context.Context, poolID, usernameKey string, limit int, after string) ([]*userpool.Group, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pu, ok := s.users[poolID]
	if !ok || pu.byKey[usernameKey] == nil {
		return nil, "", notFound("user", usernameKey)
	}
	var names []string
	for n, m := range pu.members {
		if m[usernameKey] {
			names = append(names, n)
		}
	}
	return s.pageGroups(names, pu, poolID+"\x00"+usernameKey, limit, after)
}

// ListUsersInGroup pages through the group's users by username key.
func (s *Store) ListUsersInGroup(_ context.Context, poolID, group string, limit int, after string) ([]*userpool.User, string, error) {
	scope := poolID + "\x00" + group
	from, err := userpool.DecodeCursor("members", scope, after)
	if err != nil {
		return nil, "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	pu, ok := s.users[poolID]
	if !ok || pu.groups[group] == nil {
		return nil, "", notFound("group", group)
	}
	keys := slices.Sorted(maps.Keys(pu.members[group]))
	var out []*userpool.User
	for _, k := range keys {
		if after != "" && k <= from.Key {
			continue
		}
		out = append(out, cloneUser(pu.byKey[k]))
	}
	out, next := page(out, limit, func(u *userpool.User) userpool.Cursor {
		return userpool.Cursor{Kind: "members", Pool: scope, Key: u.UsernameKey}
	})
	return out, next, nil
}
