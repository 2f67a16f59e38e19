package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/tokens"
)

// recordJTI remembers which sign-ins a user has, so GlobalSignOut can
// revoke their access tokens to the second.
func (s *Service) recordJTI(poolID, username, originJTI string, expires time.Time) {
	key := poolID + "\x00" + username
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userJTIs[key]
	if m == nil {
		m = map[string]time.Time{}
		s.userJTIs[key] = m
	}
	if cur, ok := m[originJTI]; !ok || expires.After(cur) {
		m[originJTI] = expires
	}
	// Sweep expired sign-ins when the map has doubled since the last sweep
	// (at least 64): amortised O(1) per sign-in, even for a user who signs
	// in thousands of times an hour.
	if n := len(m); n >= 64 && n&(n-1) == 0 {
		now := s.now()
		for j, exp := range m {
			if now.After(exp) {
				delete(m, j)
			}
		}
	}
}

// revokeUserAccess makes every access token of the user unusable with the
// API (GlobalSignOut, disable, delete).
func (s *Service) revokeUserAccess(poolID, username string) {
	key := poolID + "\x00" + username
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.now())
	for j, exp := range s.userJTIs[key] {
		s.revokedJTIs[j] = exp
	}
	delete(s.userJTIs, key)
}

// tokenPoolID reads the pool id from an access token's iss without
// verifying it; the caller verifies the token with that pool's issuer.
func tokenPoolID(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Iss == "" {
		return "", false
	}
	i := strings.LastIndex(c.Iss, "/")
	return c.Iss[i+1:], i >= 0
}

// authenticate checks an access token for a user-facing operation and
// returns its pool and user.
func (s *Service) authenticate(ctx context.Context, token string) (*pool, *User, *tokens.AccessClaims, error) {
	return s.authenticateScope(ctx, token, tokens.Scope)
}

// authenticateScope is authenticate for a token that must carry scope.
func (s *Service) authenticateScope(ctx context.Context, token, scope string) (*pool, *User, *tokens.AccessClaims, error) {
	invalid := newErr(ErrNotAuthorized, "Invalid Access Token")
	if token == "" {
		return nil, nil, nil, newErr(ErrInvalidParameter, "AccessToken must not be empty.")
	}
	poolID, ok := tokenPoolID(token)
	if !ok {
		return nil, nil, nil, invalid
	}
	p, err := s.loadPool(ctx, poolID)
	var re *Error
	if errors.As(err, &re) {
		return nil, nil, nil, invalid
	}
	if err != nil {
		return nil, nil, nil, err
	}
	claims, err := s.issuer(p.ID).ParseAccess(token)
	if errors.Is(err, tokens.ErrExpired) {
		return nil, nil, nil, newErr(ErrNotAuthorized, "Access Token has expired")
	}
	if err != nil {
		return nil, nil, nil, invalid
	}
	if !strings.Contains(" "+claims.Scope+" ", " "+scope+" ") {
		return nil, nil, nil, newErr(ErrNotAuthorized, "Access Token does not have required scopes")
	}
	s.mu.Lock()
	_, revoked := s.revokedJTIs[claims.OriginJTI]
	s.mu.Unlock()
	if revoked {
		return nil, nil, nil, newErr(ErrNotAuthorized, "Access Token has been revoked")
	}
	u, err := s.store.GetUser(ctx, p.ID, p.set.usernameKey(claims.Username))
	if errors.Is(err, ErrNotFound) || err == nil && u.Sub != claims.Sub {
		return nil, nil, nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("get user: %w", err)
	}
	if claims.IssuedAt.Before(u.TokensValidAfter.Truncate(time.Second)) {
		return nil, nil, nil, newErr(ErrNotAuthorized, "Access Token has been revoked")
	}
	if !u.Enabled {
		return nil, nil, nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	return p, u, claims, nil
}

// GetUser returns the user an access token belongs to.
func (s *Service) GetUser(ctx context.Context, accessToken string) (*User, error) {
	_, u, _, err := s.authenticate(ctx, accessToken)
	return u, err
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, accessToken, previous, proposed string) error {
	p, u, _, err := s.authenticate(ctx, accessToken)
	if err != nil {
		return err
	}
	if proposed == "" {
		return newErr(ErrInvalidParameter, "ProposedPassword must not be empty.")
	}
	if u.Password != nil && !checkVerifier(u, previous) {
		return errIncorrect()
	}
	if err := p.set.checkPassword(proposed); err != nil {
		return err
	}
	_, err = s.updateUser(ctx, p, u, func(n *User) error {
		v, err := newVerifier(p.ID, n.Username, proposed)
		n.Password = v
		return err
	})
	return err
}

// GlobalSignOut revokes every refresh token of the user and makes its
// access tokens unusable with the API.
func (s *Service) GlobalSignOut(ctx context.Context, accessToken string) error {
	p, u, _, err := s.authenticate(ctx, accessToken)
	if err != nil {
		return err
	}
	return s.signOut(ctx, p, u)
}

// AdminUserGlobalSignOut is GlobalSignOut by username.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, poolID, username string) error {
	p, u, err := s.poolUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.signOut(ctx, p, u)
}

func (s *Service) signOut(ctx context.Context, p *pool, u *User) error {
	if err := s.store.RevokeRefreshTokens(ctx, p.ID, u.Username, ""); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	s.revokeUserAccess(p.ID, u.Username)
	_, err := s.updateUser(ctx, p, u, func(n *User) error {
		n.TokensValidAfter = s.now()
		return nil
	})
	return err
}

// RevokeToken revokes a refresh token and the access tokens minted from it.
func (s *Service) RevokeToken(ctx context.Context, token, clientID, clientSecret string) error {
	if token == "" {
		return newErr(ErrInvalidParameter, "Token must not be empty.")
	}
	_, c, err := s.loadClientPool(ctx, "", clientID)
	if err != nil {
		var re *Error
		if errors.As(err, &re) && errors.Is(err, ErrResourceNotFound) {
			return newErr(ErrUnauthorizedClient, "Invalid client.")
		}
		return err
	}
	if c.Secret != "" && !constantEq(clientSecret, c.Secret) {
		return newErr(ErrUnauthorizedClient, "Invalid client secret.")
	}
	if !c.set.EnableTokenRevocation {
		return newErr(ErrUnsupportedOperation, "Token revocation is not enabled for this client.")
	}
	if strings.Count(token, ".") == 2 {
		return newErr(ErrUnsupportedTokenType, "Only refresh tokens can be revoked.")
	}
	rt, err := s.store.GetRefreshToken(ctx, tokens.HashRefreshToken(token))
	if errors.Is(err, ErrNotFound) {
		return nil // Cognito answers success for an unknown token
	}
	if err != nil {
		return fmt.Errorf("get refresh token: %w", err)
	}
	if rt.ClientID != c.ID {
		return newErr(ErrUnauthorizedClient, "Invalid client.")
	}
	if err := s.store.RevokeRefreshTokens(ctx, rt.PoolID, rt.Username, rt.OriginJTI); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.revokedJTIs[rt.OriginJTI] = s.now().Add(24 * time.Hour) // the longest access-token lifetime
	s.mu.Unlock()
	return nil
}
