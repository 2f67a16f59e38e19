// Token issue and refresh: the ID, access and refresh tokens of a sign-in,
// their lifetimes per client, and GetTokensFromRefreshToken / REFRESH_TOKEN_AUTH.

package userpool

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/tokens"
)

// tokenTTLs returns the client's access, id and refresh token lifetimes.
func (c *client) tokenTTLs() (access, id, refresh time.Duration) {
	var units TokenValidityUnits
	if c.set.TokenValidityUnits != nil {
		units = *c.set.TokenValidityUnits
	}
	conv := func(v int64, unit, def string, fallback time.Duration) time.Duration {
		if v == 0 {
			return fallback
		}
		secs, err := validitySeconds(v, unit, def)
		if err != nil {
			return fallback
		}
		return time.Duration(secs) * time.Second
	}
	return conv(c.set.AccessTokenValidity, units.AccessToken, "hours", time.Hour),
		conv(c.set.IDTokenValidity, units.IDToken, "hours", time.Hour),
		conv(c.set.RefreshTokenValidity, units.RefreshToken, "days", 30*24*time.Hour)
}

// issuer returns the token issuer of pool p.
func (s *Service) issuer(poolID string) *tokens.Issuer {
	return &tokens.Issuer{Keys: s.keys, Issuer: s.Issuer(poolID), Now: s.now}
}

// issue mints tokens for u; originJTI "" starts a new sign-in.
func (s *Service) issue(ctx context.Context, p *pool, c *client, u *User, originJTI string, authTime time.Time, withRefresh bool) (*TokenSet, error) {
	return s.issueGrant(ctx, p, c, u, originJTI, authTime, withRefresh, OAuthGrant{})
}

// issueGrant is issue for an OAuth 2.0 grant: its scopes and nonce go
// into the tokens (none for the user-pool API).
func (s *Service) issueGrant(ctx context.Context, p *pool, c *client, u *User, originJTI string, authTime time.Time, withRefresh bool, g OAuthGrant) (*TokenSet, error) {
	accessTTL, idTTL, refreshTTL := c.tokenTTLs()
	refreshing := originJTI != ""
	if originJTI == "" {
		originJTI = uuid.NewString()
	}
	attrs := s.readableAttributes(c, u)
	groups, err := s.tokenGroups(ctx, p, u)
	if err != nil {
		return nil, err
	}
	// Groups are filled first: a PreTokenGeneration trigger overrides them.
	ident := tokens.Identity{Sub: u.Sub, Username: u.Username, ClientID: c.ID,
		OriginJTI: originJTI, AuthTime: authTime, Attributes: attrs, Scope: g.Scope, Nonce: g.Nonce,
		AccessTokenHash: g.Scope != "", Groups: groups.names, Roles: groups.roles, PreferredRole: groups.preferredRole}
	if err := s.preTokenGeneration(ctx, p, u, &ident, refreshing); err != nil {
		return nil, err
	}
	access, id, err := s.issuer(p.ID).Issue(ident, accessTTL, idTTL)
	if err != nil {
		return nil, fmt.Errorf("issue tokens: %w", err)
	}
	s.recordJTI(p.ID, u.Username, originJTI, s.now().Add(accessTTL))
	ts := &TokenSet{AccessToken: access, IDToken: id, ExpiresIn: int64(accessTTL / time.Second), TokenType: "Bearer"}
	if withRefresh {
		tok, hash, err := tokens.NewRefreshToken()
		if err != nil {
			return nil, fmt.Errorf("refresh token: %w", err)
		}
		now := s.now()
		if err := s.store.PutRefreshToken(ctx, &RefreshToken{Hash: hash, PoolID: p.ID, ClientID: c.ID,
			Username: u.Username, Sub: u.Sub, OriginJTI: originJTI, Scope: g.Scope, AuthTime: authTime,
			ExpiresAt: now.Add(refreshTTL), CreatedAt: now}); err != nil {
			return nil, fmt.Errorf("store refresh token: %w", err)
		}
		ts.RefreshToken = tok
	}
	return ts, nil
}

// readableAttributes are the attributes the client may read (all, when it
// names none), for the id token.
func (s *Service) readableAttributes(c *client, u *User) map[string]string {
	if len(c.set.ReadAttributes) == 0 {
		return maps.Clone(u.Attributes)
	}
	out := map[string]string{}
	for _, a := range c.set.ReadAttributes {
		if v, ok := u.Attributes[a]; ok {
			out[a] = v
		}
	}
	return out
}

// refresh runs REFRESH_TOKEN(_AUTH).
func (s *Service) refresh(ctx context.Context, p *pool, c *client, params map[string]string) (*AuthResult, error) {
	tok := params["REFRESH_TOKEN"]
	if tok == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter REFRESH_TOKEN")
	}
	ts, err := s.refreshTokens(ctx, p, c, tok, func(rt *RefreshToken) error {
		return c.checkSecretHash(params["SECRET_HASH"], rt.Username, params["USERNAME"])
	})
	if err != nil {
		return nil, err
	}
	return &AuthResult{Tokens: ts, ChallengeParameters: map[string]string{}}, nil
}

// RefreshInput is GetTokensFromRefreshToken's input.
type RefreshInput struct {
	ClientID       string
	ClientSecret   string
	RefreshToken   string
	ClientMetadata map[string]string
}

// GetTokensFromRefreshToken mints new tokens from a refresh token, as
// REFRESH_TOKEN_AUTH does; the client proves its secret with ClientSecret
// itself rather than a SECRET_HASH. Without refresh-token rotation on the
// client, the answer carries no new refresh token.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in RefreshInput) (*TokenSet, error) {
	p, c, err := s.loadClientPool(ctx, "", in.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Secret != "" && !constantEq(in.ClientSecret, c.Secret) {
		return nil, newErr(ErrNotAuthorized, "Unable to verify secret hash for client %s", c.ID)
	}
	if !c.set.allows(FlowRefresh) {
		return nil, newErr(ErrInvalidParameter, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	if in.RefreshToken == "" {
		return nil, newErr(ErrInvalidParameter, "RefreshToken must not be empty.")
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, meta: in.ClientMetadata})
	return s.refreshTokens(ctx, p, c, in.RefreshToken, nil)
}

// refreshTokens checks a refresh token of client c and mints new access
// and id tokens from it; check, when set, runs once the token is known.
func (s *Service) refreshTokens(ctx context.Context, p *pool, c *client, tok string, check func(*RefreshToken) error) (*TokenSet, error) {
	invalid := newErr(ErrNotAuthorized, "Invalid Refresh Token")
	rt, err := s.store.GetRefreshToken(ctx, tokens.HashRefreshToken(tok))
	if errors.Is(err, ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("get refresh token: %w", err)
	}
	if rt.ClientID != c.ID || rt.PoolID != p.ID {
		return nil, invalid
	}
	if rt.Revoked {
		return nil, newErr(ErrNotAuthorized, "Refresh Token has been revoked")
	}
	if !s.now().Before(rt.ExpiresAt) {
		return nil, newErr(ErrNotAuthorized, "Refresh Token has expired")
	}
	if check != nil {
		if err := check(rt); err != nil {
			return nil, err
		}
	}
	u, err := s.store.GetUser(ctx, p.ID, p.set.usernameKey(rt.Username))
	if errors.Is(err, ErrNotFound) || err == nil && u.Sub != rt.Sub {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	return s.issueGrant(ctx, p, c, u, rt.OriginJTI, rt.AuthTime, false, OAuthGrant{Scope: rt.Scope})
}
