package userpool

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// Resource servers hold a pool's custom OAuth scopes. Bounds are Cognito's:
// 25 resource servers per pool, 100 scopes per server, identifiers of 1 to
// 256 printable characters, scope names of 1 to 256 characters without
// spaces, quotes, slashes or backslashes.
const (
	maxResourceServers = 25
	maxScopesPerServer = 100
)

var (
	resourceIdentifierRE = regexp.MustCompile(`^[\x09-\x0D\x20-\x7E]{1,256}$`)
	resourceNameRE       = regexp.MustCompile(`^[\w\s+=,.@-]{1,256}$`)
	scopeNameRE          = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
)

// ResourceServerInput is Create/UpdateResourceServer's input.
type ResourceServerInput struct {
	PoolID     string
	Identifier string
	Name       string
	Scopes     []ResourceServerScope
}

func checkResourceServer(in ResourceServerInput) error {
	switch {
	case !resourceIdentifierRE.MatchString(in.Identifier):
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+", in.Identifier)
	case !resourceNameRE.MatchString(in.Name):
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", in.Name)
	case len(in.Scopes) > maxScopesPerServer:
		return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'scopes' failed to satisfy constraint: Member must have length less than or equal to %d", maxScopesPerServer)
	}
	seen := map[string]bool{}
	for _, sc := range in.Scopes {
		if !scopeNameRE.MatchString(sc.ScopeName) {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'scopes.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+", sc.ScopeName)
		}
		if sc.ScopeDescription == "" || len(sc.ScopeDescription) > 256 {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'scopes.member.scopeDescription' failed to satisfy constraint: Member must have length between 1 and 256")
		}
		if seen[sc.ScopeName] {
			return newErr(ErrInvalidParameter, "Duplicate scope name %s.", sc.ScopeName)
		}
		seen[sc.ScopeName] = true
	}
	return nil
}

// CreateResourceServer adds a resource server to a pool.
func (s *Service) CreateResourceServer(ctx context.Context, in ResourceServerInput) (*ResourceServer, error) {
	if _, err := s.loadPool(ctx, in.PoolID); err != nil {
		return nil, err
	}
	if err := checkResourceServer(in); err != nil {
		return nil, err
	}
	have, err := s.store.ListResourceServers(ctx, in.PoolID)
	if err != nil {
		return nil, fmt.Errorf("list resource servers: %w", err)
	}
	if len(have) >= maxResourceServers {
		return nil, newErr(ErrLimitExceeded, "The user pool has reached its limit of %d resource servers.", maxResourceServers)
	}
	now := s.now()
	rs := &ResourceServer{PoolID: in.PoolID, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes,
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateResourceServer(ctx, rs); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, newErr(ErrInvalidParameter, "%s already exists in user pool %s.", in.Identifier, in.PoolID)
		}
		return nil, fmt.Errorf("create resource server: %w", err)
	}
	return rs, nil
}

func (s *Service) loadResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error) {
	if _, err := s.loadPool(ctx, poolID); err != nil {
		return nil, err
	}
	rs, err := s.store.GetResourceServer(ctx, poolID, identifier)
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrResourceNotFound, "Resource server %s does not exist in user pool %s.", identifier, poolID)
	}
	if err != nil {
		return nil, fmt.Errorf("get resource server: %w", err)
	}
	return rs, nil
}

// DescribeResourceServer returns a pool's resource server.
func (s *Service) DescribeResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error) {
	return s.loadResourceServer(ctx, poolID, identifier)
}

// UpdateResourceServer replaces a resource server's name and scopes
// (replace, not merge, as Cognito's Update* operations do).
func (s *Service) UpdateResourceServer(ctx context.Context, in ResourceServerInput) (*ResourceServer, error) {
	rs, err := s.loadResourceServer(ctx, in.PoolID, in.Identifier)
	if err != nil {
		return nil, err
	}
	if err := checkResourceServer(in); err != nil {
		return nil, err
	}
	rs.Name, rs.Scopes, rs.UpdatedAt = in.Name, in.Scopes, s.now()
	if err := s.store.UpdateResourceServer(ctx, rs); err != nil {
		return nil, fmt.Errorf("update resource server: %w", err)
	}
	return rs, nil
}

// DeleteResourceServer removes a resource server; clients that named its
// scopes can no longer be granted them.
func (s *Service) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if _, err := s.loadResourceServer(ctx, poolID, identifier); err != nil {
		return err
	}
	if err := s.store.DeleteResourceServer(ctx, poolID, identifier); err != nil {
		return fmt.Errorf("delete resource server: %w", err)
	}
	return nil
}

// ListResourceServers pages through a pool's resource servers; the token
// is the identifier to continue after.
func (s *Service) ListResourceServers(ctx context.Context, poolID string, limit int, token string) ([]*ResourceServer, string, error) {
	if _, err := s.loadPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	if limit < 1 || limit > 50 {
		return nil, "", newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50", limit)
	}
	all, err := s.store.ListResourceServers(ctx, poolID)
	if err != nil {
		return nil, "", fmt.Errorf("list resource servers: %w", err)
	}
	start := 0
	if token != "" {
		start = len(all)
		for i, rs := range all {
			if rs.Identifier > token {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(all))
	next := ""
	if end < len(all) {
		next = all[end-1].Identifier
	}
	return all[start:end], next, nil
}
