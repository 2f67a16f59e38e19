package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// PoolView is a pool as the API describes it.
type PoolView struct {
	Pool           *Pool
	Settings       PoolSettings
	Region         string
	EstimatedUsers int
}

var poolNameRE = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)

// CreatePoolInput is CreateUserPool's input. Schema lists the requested
// schema changes and custom attributes (custom ones without prefix, as the
// API takes them).
type CreatePoolInput struct {
	Name     string
	Region   string // "" means the service's region
	Settings PoolSettings
	Schema   []SchemaAttribute
	// DefaultPolicy says no PasswordPolicy was given.
	DefaultPolicy bool
}

// CreatePool creates a pool with Cognito's defaults for what is not given.
func (s *Service) CreatePool(ctx context.Context, in CreatePoolInput) (*PoolView, error) {
	if !poolNameRE.MatchString(in.Name) {
		return nil, newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", in.Name)
	}
	set := in.Settings
	if in.DefaultPolicy {
		set.Policies.PasswordPolicy = DefaultPasswordPolicy()
	}
	if err := checkPolicy(set.Policies.PasswordPolicy); err != nil {
		return nil, err
	}
	for _, a := range set.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, newErr(ErrInvalidParameter, "Invalid UsernameAttributes value: %s", a)
		}
	}
	for _, a := range set.AliasAttributes {
		if !slices.Contains(aliasNames, a) {
			return nil, newErr(ErrInvalidParameter, "Invalid AliasAttributes value: %s", a)
		}
	}
	if len(set.UsernameAttributes) > 0 && len(set.AliasAttributes) > 0 {
		return nil, newErr(ErrInvalidParameter, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	if err := checkAutoVerified(set.AutoVerifiedAttributes); err != nil {
		return nil, err
	}
	schema, err := mergeSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	set.SchemaAttributes = schema
	if err := set.checkPoolMFA(); err != nil {
		return nil, err
	}
	if err := set.checkSignInPolicy(nil); err != nil {
		return nil, err
	}
	if set.DeletionProtection == "" {
		set.DeletionProtection = "INACTIVE"
	}
	if set.AdminCreateUserConfig.UnusedAccountValidityDays == 0 {
		set.AdminCreateUserConfig.UnusedAccountValidityDays = 7
	}
	if err := set.normaliseMessages(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode pool settings: %w", err)
	}
	region := in.Region
	if region == "" {
		region = s.region
	}
	now := s.now()
	for range 5 {
		p := &Pool{ID: NewPoolID(region), Name: in.Name, Settings: raw, CreatedAt: now, UpdatedAt: now}
		err := s.store.CreatePool(ctx, p)
		if errors.Is(err, ErrExists) {
			continue // an id collision: draw again
		}
		if err != nil {
			return nil, fmt.Errorf("create pool: %w", err)
		}
		s.log.InfoContext(ctx, "pool created", "pool", p.ID, "name", p.Name)
		return &PoolView{Pool: p, Settings: set, Region: region}, nil
	}
	return nil, errors.New("create pool: no free pool id after 5 draws")
}

func checkAutoVerified(attrs []string) error {
	for _, a := range attrs {
		if a != "email" && a != "phone_number" {
			return newErr(ErrInvalidParameter, "Invalid AutoVerifiedAttributes value: %s", a)
		}
	}
	return nil
}

func checkPolicy(p PasswordPolicy) error {
	if p.MinimumLength < 6 || p.MinimumLength > 99 {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value between 6 and 99", p.MinimumLength)
	}
	if p.TemporaryPasswordValidityDays < 0 || p.TemporaryPasswordValidityDays > 365 {
		return newErr(ErrInvalidParameter, "TemporaryPasswordValidityDays must be between 0 and 365.")
	}
	return nil
}

// DescribePool returns a pool.
func (s *Service) DescribePool(ctx context.Context, poolID string) (*PoolView, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	n, err := s.store.CountUsers(ctx, poolID)
	if err != nil {
		return nil, fmt.Errorf("count users: %w", err)
	}
	return &PoolView{Pool: p.Pool, Settings: p.set, Region: PoolRegion(p.ID), EstimatedUsers: n}, nil
}

// UpdatePool replaces a pool's mutable settings (Cognito: replace, not
// merge). update receives the current settings and returns the new ones;
// the service keeps the immutable ones (schema, aliases, username
// attributes, case sensitivity) whatever update returns.
func (s *Service) UpdatePool(ctx context.Context, poolID string, update func(cur PoolSettings) (name string, next PoolSettings)) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	name, next := update(p.set)
	next.SchemaAttributes = p.set.SchemaAttributes
	next.AliasAttributes = p.set.AliasAttributes
	next.UsernameAttributes = p.set.UsernameAttributes
	next.UsernameConfiguration = p.set.UsernameConfiguration
	if err := checkPolicy(next.Policies.PasswordPolicy); err != nil {
		return err
	}
	if err := checkAutoVerified(next.AutoVerifiedAttributes); err != nil {
		return err
	}
	if next.MfaFactors == nil {
		next.MfaFactors = p.set.MfaFactors // UpdateUserPool does not name the factors
	}
	if err := next.checkPoolMFA(); err != nil {
		return err
	}
	if err := next.checkSignInPolicy(&p.set); err != nil {
		return err
	}
	if next.DeletionProtection == "" {
		next.DeletionProtection = "INACTIVE"
	}
	if next.AdminCreateUserConfig.UnusedAccountValidityDays == 0 {
		next.AdminCreateUserConfig.UnusedAccountValidityDays = 7
	}
	if err := next.normaliseMessages(); err != nil {
		return err
	}
	if name != "" {
		if !poolNameRE.MatchString(name) {
			return newErr(ErrInvalidParameter, "Invalid PoolName %q.", name)
		}
		p.Name = name
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encode pool settings: %w", err)
	}
	p.Settings = raw
	p.UpdatedAt = s.now()
	if err := s.store.UpdatePool(ctx, p.Pool); err != nil {
		return fmt.Errorf("update pool: %w", err)
	}
	return nil
}

// ListPools pages through the pools.
func (s *Service) ListPools(ctx context.Context, limit int, token string) ([]*PoolView, string, error) {
	if limit < 1 || limit > 60 {
		return nil, "", newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", limit)
	}
	pools, next, err := s.store.ListPools(ctx, limit, token)
	if errors.Is(err, ErrInvalidCursor) {
		return nil, "", newErr(ErrInvalidParameter, "Invalid NextToken.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("list pools: %w", err)
	}
	out := make([]*PoolView, 0, len(pools))
	for _, p := range pools {
		v := &PoolView{Pool: p, Region: PoolRegion(p.ID)}
		if err := json.Unmarshal(p.Settings, &v.Settings); err != nil {
			return nil, "", fmt.Errorf("decode settings of pool %s: %w", p.ID, err)
		}
		out = append(out, v)
	}
	return out, next, nil
}

// DeletePool deletes a pool and everything in it.
func (s *Service) DeletePool(ctx context.Context, poolID string) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	if p.set.DeletionProtection == "ACTIVE" {
		return newErr(ErrInvalidParameter, "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	if err := s.store.DeletePool(ctx, poolID); err != nil {
		return fmt.Errorf("delete pool: %w", err)
	}
	return nil
}

// poolIDRE is the service model's UserPoolIdType pattern (1–55 characters).
var poolIDRE = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// checkPoolID refuses a malformed pool id as Cognito does, before any
// lookup: InvalidParameterException, not ResourceNotFoundException.
func checkPoolID(id string) error {
	if len(id) > 55 || !poolIDRE.MatchString(id) {
		return patternErr(id, "userPoolId", poolIDRE)
	}
	return nil
}
