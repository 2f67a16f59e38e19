package userpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The operations behind a pool's managed login and OAuth 2.0 endpoints.
// The managed login signs users in with their password whatever the
// client's ExplicitAuthFlows say (as Cognito's does), and runs the
// migration trigger for unknown users exactly as USER_PASSWORD_AUTH runs
// it.

// OAuthGrant is what an OAuth 2.0 sign-in puts into its tokens.
type OAuthGrant struct {
	// Scope is the space-separated granted scopes ("openid email").
	Scope string
	// Nonce is the authorization request's nonce, echoed in the id token.
	Nonce string
}

// ManagedClient is an app client as its pool's managed login sees it.
type ManagedClient struct {
	PoolID   string
	ClientID string
	// Secret is the client secret, "" for a public client.
	Secret   string
	Settings ClientSettings
}

// HasScope reports whether the client may be granted scope.
func (m *ManagedClient) HasScope(scope string) bool {
	return slices.Contains(m.Settings.AllowedOAuthScopes, scope)
}

// HasFlow reports whether the client may use the OAuth flow.
func (m *ManagedClient) HasFlow(flow string) bool {
	return m.Settings.AllowedOAuthFlowsUserPoolClient && slices.Contains(m.Settings.AllowedOAuthFlows, flow)
}

// CheckSecret reports, in constant time, whether secret is the client's.
func (m *ManagedClient) CheckSecret(secret string) bool { return constantEq(secret, m.Secret) }

// DomainPool returns the id of the pool that has domain, or
// ErrResourceNotFound.
func (s *Service) DomainPool(ctx context.Context, domain string) (string, error) {
	d, err := s.store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) {
		return "", newErr(ErrResourceNotFound, "No user pool has the domain %s.", domain)
	}
	if err != nil {
		return "", fmt.Errorf("get domain: %w", err)
	}
	return d.PoolID, nil
}

// ManagedLoginClient returns client clientID of pool poolID, or
// ErrResourceNotFound when the pool has no such client.
func (s *Service) ManagedLoginClient(ctx context.Context, poolID, clientID string) (*ManagedClient, error) {
	if clientID == "" {
		return nil, newErr(ErrResourceNotFound, "client_id is missing.")
	}
	_, c, err := s.loadClientPool(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	return &ManagedClient{PoolID: c.PoolID, ClientID: c.ID, Secret: c.Secret, Settings: c.set}, nil
}

// ManagedSignIn checks a username and password typed into the managed
// login, migrating an unknown user through the pool's trigger, and
// returns the signed-in user. Its errors are the API's (NotAuthorized with
// "Incorrect username or password.", UserNotConfirmed,
// PasswordResetRequired, the trigger's UserLambdaValidation, …); a failed
// migration creates nobody.
func (s *Service) ManagedSignIn(ctx context.Context, clientID, typed, password string) (*User, error) {
	p, c, err := s.loadClientPool(ctx, "", clientID)
	if err != nil {
		return nil, err
	}
	if typed == "" || password == "" {
		return nil, errIncorrect()
	}
	u, err := s.checkPassword(ctx, p, c, typed, password, AuthInput{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	if u.Status == "FORCE_CHANGE_PASSWORD" {
		return nil, newErr(ErrPasswordResetRequired, "Password reset required for the user")
	}
	return u, nil
}

// IssueOAuth mints the tokens of an OAuth 2.0 sign-in of username (its
// canonical name) through client clientID: scopes and nonce from g,
// at_hash in the id token, and a refresh token that keeps the scopes.
func (s *Service) IssueOAuth(ctx context.Context, clientID, username string, authTime time.Time, g OAuthGrant, withRefresh bool) (*TokenSet, error) {
	p, c, err := s.loadClientPool(ctx, "", clientID)
	if err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, p.ID, p.set.usernameKey(username))
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	return s.issueGrant(ctx, p, c, u, "", authTime, withRefresh, g)
}

// RefreshOAuth answers the token endpoint's refresh_token grant: new
// access and id tokens with the scopes of the original sign-in.
func (s *Service) RefreshOAuth(ctx context.Context, clientID, refreshToken string) (*TokenSet, error) {
	p, c, err := s.loadClientPool(ctx, "", clientID)
	if err != nil {
		return nil, err
	}
	return s.refreshTokens(ctx, p, c, refreshToken, nil)
}

// ClientCredentials mints the access token of a client_credentials grant
// for an authenticated client; scope is the granted custom scopes.
func (s *Service) ClientCredentials(ctx context.Context, clientID, scope string) (string, int64, error) {
	p, c, err := s.loadClientPool(ctx, "", clientID)
	if err != nil {
		return "", 0, err
	}
	ttl, _, _ := c.tokenTTLs()
	tok, err := s.issuer(p.ID).IssueClientAccess(c.ID, scope, ttl)
	if err != nil {
		return "", 0, fmt.Errorf("issue access token: %w", err)
	}
	return tok, int64(ttl / time.Second), nil
}

// Attributes the userInfo endpoint returns for the profile, email and
// phone scopes (custom attributes come with profile).
var (
	profileAttributes = []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address"}
	emailAttributes = []string{"email", "email_verified"}
	phoneAttributes = []string{"phone_number", "phone_number_verified"}
)

// UserInfo answers the userInfo endpoint: the user's attributes within the
// access token's scopes. The token must carry openid: the user-pool API's
// tokens (aws.cognito.signin.user.admin only) are refused, as Cognito does.
func (s *Service) UserInfo(ctx context.Context, accessToken string) (map[string]string, error) {
	_, u, claims, err := s.authenticateScope(ctx, accessToken, ScopeOpenID)
	if err != nil {
		return nil, err
	}
	c, err := s.loadClient(ctx, claims.ClientID)
	if err != nil {
		return nil, newErr(ErrNotAuthorized, "Invalid Access Token")
	}
	readable := s.readableAttributes(c, u)
	scopes := strings.Fields(claims.Scope)
	want := func(name string) bool {
		only := !slices.Contains(scopes, ScopeProfile) && !slices.Contains(scopes, ScopeEmail) && !slices.Contains(scopes, ScopePhone)
		switch {
		case only:
			return true
		case slices.Contains(emailAttributes, name):
			return slices.Contains(scopes, ScopeEmail)
		case slices.Contains(phoneAttributes, name):
			return slices.Contains(scopes, ScopePhone)
		default:
			return slices.Contains(scopes, ScopeProfile) &&
				(slices.Contains(profileAttributes, name) || strings.HasPrefix(name, "custom:"))
		}
	}
	out := map[string]string{"sub": u.Sub, "username": u.Username}
	for name, v := range readable {
		if want(name) {
			out[name] = v
		}
	}
	return out, nil
}

// SecretHash is the SECRET_HASH the managed login computes
// for a confidential client's API calls on the user's behalf.
func (m *ManagedClient) SecretHash(username string) string {
	if m.Secret == "" {
		return ""
	}
	return secretHash(m.ClientID, m.Secret, username)
}
