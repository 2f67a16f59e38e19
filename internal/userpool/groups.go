package userpool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"unicode/utf8"
)

// Bounds of the service model: GroupNameType is 1–128 characters of
// letters, marks, symbols, numbers and punctuation; DescriptionType at most
// 2048; PrecedenceType 0 to 2^31-1; ArnType 20–2048 characters.
var (
	groupNameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	roleArnRE   = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)
)

const msgGroupNotFound = "Group not found."

// GroupInput is what CreateGroup and UpdateGroup take. In UpdateGroup a
// nil member is left as it is.
type GroupInput struct {
	Name        string
	Description *string
	RoleArn     *string
	Precedence  *int64
}

func (in GroupInput) check() error {
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 128 || !groupNameRE.MatchString(in.Name) {
		return patternErr(in.Name, "groupName", groupNameRE)
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 2048 {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	if in.RoleArn != nil && *in.RoleArn != "" {
		if n := len(*in.RoleArn); n < 20 || n > 2048 || !roleArnRE.MatchString(*in.RoleArn) {
			return patternErr(*in.RoleArn, "roleArn", roleArnRE)
		}
	}
	if in.Precedence != nil && (*in.Precedence < 0 || *in.Precedence > math.MaxInt32) {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'precedence' failed to satisfy constraint: Member must have value between 0 and 2147483647", *in.Precedence)
	}
	return nil
}

func (in GroupInput) apply(g *Group) {
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.RoleArn != nil {
		g.RoleArn = *in.RoleArn
	}
	if in.Precedence != nil {
		p := int(*in.Precedence)
		g.Precedence = &p
	}
}

// CreateGroup creates a group in a pool.
func (s *Service) CreateGroup(ctx context.Context, poolID string, in GroupInput) (*Group, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := &Group{PoolID: p.ID, Name: in.Name, CreatedAt: now, UpdatedAt: now}
	in.apply(g)
	if err := s.store.CreateGroup(ctx, g); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, newErr(ErrGroupExists, "A group with the name %s already exists.", in.Name)
		}
		return nil, fmt.Errorf("create group: %w", err)
	}
	return g, nil
}

// loadGroup returns a pool's group, or Cognito's "Group not found.".
func (s *Service) loadGroup(ctx context.Context, p *pool, name string) (*Group, error) {
	if name == "" {
		return nil, newErr(ErrInvalidParameter, "GroupName must not be empty.")
	}
	g, err := s.store.GetGroup(ctx, p.ID, name)
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrResourceNotFound, msgGroupNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get group: %w", err)
	}
	return g, nil
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, poolID, name string) (*Group, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return s.loadGroup(ctx, p, name)
}

// UpdateGroup changes a group's description, role or precedence.
func (s *Service) UpdateGroup(ctx context.Context, poolID string, in GroupInput) (*Group, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	g, err := s.loadGroup(ctx, p, in.Name)
	if err != nil {
		return nil, err
	}
	in.apply(g)
	g.UpdatedAt = s.now()
	if err := s.store.UpdateGroup(ctx, g); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, newErr(ErrResourceNotFound, msgGroupNotFound)
		}
		return nil, fmt.Errorf("update group: %w", err)
	}
	return g, nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, poolID, name string) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	if _, err := s.loadGroup(ctx, p, name); err != nil {
		return err
	}
	if err := s.store.DeleteGroup(ctx, p.ID, name); err != nil {
		if errors.Is(err, ErrNotFound) {
			return newErr(ErrResourceNotFound, msgGroupNotFound)
		}
		return fmt.Errorf("delete group: %w", err)
	}
	return nil
}

// groupLimit checks a Limit member (1–60, default 60).
func groupLimit(limit int) (int, error) {
	if limit == 0 {
		return 60, nil
	}
	if limit < 1 || limit > 60 {
		return 0, newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", limit)
	}
	return limit, nil
}

// pageErr maps a store's listing error.
func pageErr(what string, err error) error {
	if errors.Is(err, ErrInvalidCursor) {
		return newErr(ErrInvalidParameter, "Invalid pagination token.")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ListGroups pages through a pool's groups.
func (s *Service) ListGroups(ctx context.Context, poolID string, limit int, token string) ([]*Group, string, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	if limit, err = groupLimit(limit); err != nil {
		return nil, "", err
	}
	gs, next, err := s.store.ListGroups(ctx, p.ID, limit, token)
	if err != nil {
		return nil, "", pageErr("list groups", err)
	}
	return gs, next, nil
}

// groupAndUser loads the pool, the group and the user of a membership
// operation.
func (s *Service) groupAndUser(ctx context.Context, poolID, group, username string) (*pool, *User, error) {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.loadGroup(ctx, p, group); err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// AdminAddUserToGroup adds a user to a group (a no-op if already there).
func (s *Service) AdminAddUserToGroup(ctx context.Context, poolID, username, group string) error {
	p, u, err := s.groupAndUser(ctx, poolID, group, username)
	if err != nil {
		return err
	}
	return membershipErr(s.store.AddUserToGroup(ctx, p.ID, group, u.UsernameKey))
}

// AdminRemoveUserFromGroup removes a user from a group.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, poolID, username, group string) error {
	p, u, err := s.groupAndUser(ctx, poolID, group, username)
	if err != nil {
		return err
	}
	return membershipErr(s.store.RemoveUserFromGroup(ctx, p.ID, group, u.UsernameKey))
}

// membershipErr maps a store's membership error: the group or the user
// went between the lookup and the change.
func membershipErr(err error) error {
	if errors.Is(err, ErrNotFound) {
		return newErr(ErrResourceNotFound, msgGroupNotFound)
	}
	if err != nil {
		return fmt.Errorf("group membership: %w", err)
	}
	return nil
}

// AdminListGroupsForUser pages through the groups a user belongs to.
func (s *Service) AdminListGroupsForUser(ctx context.Context, poolID, username string, limit int, token string) ([]*Group, string, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	if limit, err = groupLimit(limit); err != nil {
		return nil, "", err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return nil, "", err
	}
	gs, next, err := s.store.ListGroupsForUser(ctx, p.ID, u.UsernameKey, limit, token)
	if err != nil {
		return nil, "", pageErr("list groups for user", err)
	}
	return gs, next, nil
}

// ListUsersInGroup pages through a group's users.
func (s *Service) ListUsersInGroup(ctx context.Context, poolID, group string, limit int, token string) ([]*User, string, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	if limit, err = groupLimit(limit); err != nil {
		return nil, "", err
	}
	if _, err := s.loadGroup(ctx, p, group); err != nil {
		return nil, "", err
	}
	us, next, err := s.store.ListUsersInGroup(ctx, p.ID, group, limit, token)
	if err != nil {
		return nil, "", pageErr("list users in group", err)
	}
	return us, next, nil
}

// maxTokenGroups bounds the groups read into a token; Cognito's quota is
// 100 groups per user.
const maxTokenGroups = 100

// tokenGroupClaims are the group claims of a user's tokens.
type tokenGroupClaims struct {
	names         []string
	roles         []string
	preferredRole string
}

// tokenGroups reads the user's groups for cognito:groups, ordered as
// Cognito orders them (by precedence, lowest first; groups without one
// last), with cognito:roles and cognito:preferred_role: the role of the
// group with the lowest precedence, unset when two groups share it with
// different roles.
func (s *Service) tokenGroups(ctx context.Context, p *pool, u *User) (tokenGroupClaims, error) {
	gs, _, err := s.store.ListGroupsForUser(ctx, p.ID, u.UsernameKey, maxTokenGroups, "")
	if err != nil {
		return tokenGroupClaims{}, fmt.Errorf("groups for token: %w", err)
	}
	slices.SortStableFunc(gs, func(a, b *Group) int {
		switch {
		case a.Precedence == nil && b.Precedence == nil:
			return 0
		case a.Precedence == nil:
			return 1
		case b.Precedence == nil:
			return -1
		}
		return *a.Precedence - *b.Precedence
	})
	var out tokenGroupClaims
	for _, g := range gs {
		out.names = append(out.names, g.Name)
		if g.RoleArn != "" && !slices.Contains(out.roles, g.RoleArn) {
			out.roles = append(out.roles, g.RoleArn)
		}
	}
	for i, g := range gs {
		if g.RoleArn == "" {
			continue
		}
		// The first group with a role decides, unless another of the same
		// precedence has a different role.
		tie := false
		for _, h := range gs[i+1:] {
			if samePrecedence(g, h) && h.RoleArn != "" && h.RoleArn != g.RoleArn {
				tie = true
			}
		}
		if !tie {
			out.preferredRole = g.RoleArn
		}
		break
	}
	return out, nil
}

func samePrecedence(a, b *Group) bool {
	if a.Precedence == nil || b.Precedence == nil {
		return a.Precedence == nil && b.Precedence == nil
	}
	return *a.Precedence == *b.Precedence
}
