package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ClientView is an app client as the API describes it.
type ClientView struct {
	Client   *Client
	Settings ClientSettings
}

var (
	clientNameRE   = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
	clientSecretRE = regexp.MustCompile(`^[\w+]{24,64}$`)
)

var knownFlows = map[string]bool{
	FlowUserSRP: true, FlowUserPassword: true, FlowAdminUserPassword: true, FlowCustom: true,
	FlowRefresh: true, FlowUserAuth: true,
	"ADMIN_NO_SRP_AUTH": true, "CUSTOM_AUTH_FLOW_ONLY": true, "USER_PASSWORD_AUTH": true,
}

// normalizeClient applies Cognito's defaults and bounds to client settings.
func normalizeClient(c *ClientSettings, set *PoolSettings) error {
	var legacy, modern bool
	for _, f := range c.ExplicitAuthFlows {
		if !knownFlows[f] {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value '[%s]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy enum value set", f)
		}
		if strings.HasPrefix(f, "ALLOW_") {
			modern = true
		} else {
			legacy = true
		}
	}
	if legacy && modern {
		return newErr(ErrInvalidParameter, "The combination of ALLOW_ and non ALLOW_ ExplicitAuthFlows is not allowed.")
	}
	switch c.PreventUserExistenceErrors {
	case "":
		// The API's default for clients created or updated without a value.
		c.PreventUserExistenceErrors = "LEGACY"
	case "LEGACY", "ENABLED":
	default:
		return newErr(ErrInvalidParameter, "Invalid PreventUserExistenceErrors value: %s", c.PreventUserExistenceErrors)
	}
	if c.RefreshTokenValidity == 0 {
		c.RefreshTokenValidity = 30
		if c.TokenValidityUnits != nil && c.TokenValidityUnits.RefreshToken != "" && c.TokenValidityUnits.RefreshToken != "days" {
			c.TokenValidityUnits.RefreshToken = "days"
		}
	}
	if c.AuthSessionValidity == 0 {
		c.AuthSessionValidity = 3
	}
	if c.AuthSessionValidity < 3 || c.AuthSessionValidity > 15 {
		return newErr(ErrInvalidParameter, "AuthSessionValidity must be between 3 and 15 minutes.")
	}
	var units TokenValidityUnits
	if c.TokenValidityUnits != nil {
		units = *c.TokenValidityUnits
	}
	checks := []struct {
		name     string
		v        int64
		unit     string
		def      string
		lo, hi   int64
		required bool
	}{
		{"AccessTokenValidity", c.AccessTokenValidity, units.AccessToken, "hours", 300, 86400, false},
		{"IdTokenValidity", c.IDTokenValidity, units.IDToken, "hours", 300, 86400, false},
		{"RefreshTokenValidity", c.RefreshTokenValidity, units.RefreshToken, "days", 3600, 315360000, true},
	}
	for _, ch := range checks {
		if ch.v == 0 {
			continue
		}
		secs, err := validitySeconds(ch.v, ch.unit, ch.def)
		if err != nil {
			return newErr(ErrInvalidParameter, "Invalid TokenValidityUnits: %s", err.Error())
		}
		if secs < ch.lo || secs > ch.hi {
			return newErr(ErrInvalidParameter, "Invalid range for token validity: %s must be between %d and %d seconds.", ch.name, ch.lo, ch.hi)
		}
	}
	for _, list := range [][]string{c.ReadAttributes, c.WriteAttributes} {
		for _, a := range list {
			if _, ok := set.attribute(a); !ok && a != "address" {
				return newErr(ErrInvalidParameter, "Invalid read attributes specified while creating a client: %s", a)
			}
		}
	}
	return nil
}

// CreateClientInput is CreateUserPoolClient's input.
type CreateClientInput struct {
	PoolID         string
	Name           string
	GenerateSecret bool
	Secret         string // caller-supplied ClientSecret
	Settings       ClientSettings
	// RevocationSet says EnableTokenRevocation was given (default true).
	RevocationSet bool
}

// CreateClient creates an app client.
func (s *Service) CreateClient(ctx context.Context, in CreateClientInput) (*ClientView, error) {
	p, err := s.loadPool(ctx, in.PoolID)
	if err != nil {
		return nil, err
	}
	if !clientNameRE.MatchString(in.Name) {
		return nil, newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", in.Name)
	}
	set := in.Settings
	if !in.RevocationSet {
		set.EnableTokenRevocation = true
	}
	if err := normalizeClient(&set, &p.set); err != nil {
		return nil, err
	}
	secret := in.Secret
	if secret != "" && !clientSecretRE.MatchString(secret) {
		return nil, newErr(ErrInvalidParameter, "ClientSecret must be 24 to 64 characters of [\\w+].")
	}
	if secret == "" && in.GenerateSecret {
		secret = newClientSecret()
	}
	if err := s.checkOAuthSettings(ctx, p, &set, secret != ""); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode client settings: %w", err)
	}
	now := s.now()
	for range 5 {
		c := &Client{ID: NewClientID(), PoolID: p.ID, Name: in.Name, Secret: secret, Settings: raw, CreatedAt: now, UpdatedAt: now}
		err := s.store.CreateClient(ctx, c)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create client: %w", err)
		}
		s.log.InfoContext(ctx, "client created", "pool", p.ID, "client", c.ID)
		return &ClientView{Client: c, Settings: set}, nil
	}
	return nil, errors.New("create client: no free client id after 5 draws")
}

// DescribeClient returns an app client of a pool.
func (s *Service) DescribeClient(ctx context.Context, poolID, clientID string) (*ClientView, error) {
	_, c, err := s.loadClientPool(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	return &ClientView{Client: c.Client, Settings: c.set}, nil
}

// UpdateClient replaces an app client's settings (replace, not merge).
func (s *Service) UpdateClient(ctx context.Context, poolID, clientID, name string, set ClientSettings, revocationSet bool) (*ClientView, error) {
	p, c, err := s.loadClientPool(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	if !revocationSet {
		set.EnableTokenRevocation = true
	}
	if err := normalizeClient(&set, &p.set); err != nil {
		return nil, err
	}
	if err := s.checkOAuthSettings(ctx, p, &set, c.Secret != ""); err != nil {
		return nil, err
	}
	if name != "" {
		if !clientNameRE.MatchString(name) {
			return nil, newErr(ErrInvalidParameter, "Invalid ClientName %q.", name)
		}
		c.Name = name
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode client settings: %w", err)
	}
	c.Settings = raw
	c.UpdatedAt = s.now()
	if err := s.store.UpdateClient(ctx, c.Client); err != nil {
		return nil, fmt.Errorf("update client: %w", err)
	}
	return &ClientView{Client: c.Client, Settings: set}, nil
}

// ListClients pages through a pool's app clients.
func (s *Service) ListClients(ctx context.Context, poolID string, limit int, token string) ([]*ClientView, string, error) {
	if _, err := s.loadPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	if limit == 0 {
		limit = 60
	}
	if limit < 1 || limit > 60 {
		return nil, "", newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", limit)
	}
	clients, next, err := s.store.ListClients(ctx, poolID, limit, token)
	if errors.Is(err, ErrInvalidCursor) {
		return nil, "", newErr(ErrInvalidParameter, "Invalid NextToken.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("list clients: %w", err)
	}
	out := make([]*ClientView, 0, len(clients))
	for _, c := range clients {
		v := &ClientView{Client: c}
		if err := json.Unmarshal(c.Settings, &v.Settings); err != nil {
			return nil, "", fmt.Errorf("decode settings of client %s: %w", c.ID, err)
		}
		out = append(out, v)
	}
	return out, next, nil
}

// DeleteClient deletes an app client.
func (s *Service) DeleteClient(ctx context.Context, poolID, clientID string) error {
	if _, _, err := s.loadClientPool(ctx, poolID, clientID); err != nil {
		return err
	}
	if err := s.store.DeleteClient(ctx, clientID); err != nil {
		return fmt.Errorf("delete client: %w", err)
	}
	return nil
}

// checkSecretHash enforces SECRET_HASH for clients with a secret. username
// candidates are tried in order (the typed name, then the canonical one), as
// Cognito accepts either for refresh.
func (c *client) checkSecretHash(hash string, usernames ...string) error {
	if c.Secret == "" {
		return nil
	}
	if hash == "" {
		return newErr(ErrNotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received", c.ID)
	}
	for _, u := range usernames {
		if u != "" && constantEq(hash, secretHash(c.ID, c.Secret, u)) {
			return nil
		}
	}
	return newErr(ErrNotAuthorized, "Unable to verify secret hash for client %s", c.ID)
}
