package userpool

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// OAuth 2.0 settings of an app client, checked as Cognito checks them in
// CreateUserPoolClient and UpdateUserPoolClient:
//
//   - AllowedOAuthFlows are code, implicit and client_credentials; a
//     client_credentials client has a secret and no code or implicit flow.
//   - code and implicit need at least one callback URL; DefaultRedirectURI
//     is one of the CallbackURLs.
//   - A callback or logout URL is absolute, has no fragment, and uses HTTPS
//     unless it is http://localhost (Cognito's exception for testing; an
//     app's own scheme such as myapp:// is fine).
//   - AllowedOAuthScopes are openid, email, phone, profile,
//     aws.cognito.signin.user.admin, or "<resource server>/<scope>" of a
//     resource server of the pool.
//   - SupportedIdentityProviders name COGNITO (the pool's own users); the
//     local pool has no federated identity providers.
//
// Cognito stores these settings even when AllowedOAuthFlowsUserPoolClient
// is false; the OAuth endpoints then refuse the client (unauthorized_client),
// which is what teams that create clients with an SDK and forget the flag
// run into.

// OAuth flows and the standard scopes.
const (
	OAuthFlowCode              = "code"
	OAuthFlowImplicit          = "implicit"
	OAuthFlowClientCredentials = "client_credentials"

	ScopeOpenID  = "openid"
	ScopeEmail   = "email"
	ScopePhone   = "phone"
	ScopeProfile = "profile"
)

// standardScopes are the scopes every pool has.
var standardScopes = []string{ScopeOpenID, ScopeEmail, ScopePhone, ScopeProfile, "aws.cognito.signin.user.admin"}

// maxURLs is Cognito's bound on CallbackURLs and LogoutURLs (100 each).
const maxURLs = 100

// checkOAuthSettings applies the rules above to set, for a client that has
// a secret or not.
func (s *Service) checkOAuthSettings(ctx context.Context, p *pool, set *ClientSettings, hasSecret bool) error {
	for _, f := range set.AllowedOAuthFlows {
		switch f {
		case OAuthFlowCode, OAuthFlowImplicit, OAuthFlowClientCredentials:
		default:
			return newErr(ErrInvalidParameter, "1 validation error detected: Value '[%s]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]", strings.Join(set.AllowedOAuthFlows, ", "))
		}
	}
	redirecting := slices.Contains(set.AllowedOAuthFlows, OAuthFlowCode) || slices.Contains(set.AllowedOAuthFlows, OAuthFlowImplicit)
	if slices.Contains(set.AllowedOAuthFlows, OAuthFlowClientCredentials) {
		if redirecting {
			return newErr(ErrInvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if !hasSecret {
			return newErr(ErrInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
		}
	}
	if redirecting && len(set.CallbackURLs) == 0 {
		return newErr(ErrInvalidOAuthFlow, "CallbackUrls can not be empty when code flow or implicit flow is selected")
	}
	for _, list := range []struct {
		member string
		urls   []string
	}{{"callbackURLs", set.CallbackURLs}, {"logoutURLs", set.LogoutURLs}} {
		if len(list.urls) > maxURLs {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", list.member, maxURLs)
		}
		for _, u := range list.urls {
			if err := checkRedirectURL(u); err != nil {
				return newErr(ErrInvalidParameter, "Invalid %s %s: %s", strings.TrimSuffix(strings.ToUpper(list.member[:1])+list.member[1:], "s"), u, err)
			}
		}
	}
	if set.DefaultRedirectURI != "" && !slices.Contains(set.CallbackURLs, set.DefaultRedirectURI) {
		return newErr(ErrInvalidParameter, "DefaultRedirectURI %s must be one of the CallbackURLs.", set.DefaultRedirectURI)
	}
	for _, idp := range set.SupportedIdentityProviders {
		if idp != "COGNITO" {
			return newErr(ErrInvalidParameter, "The provider %s does not exist for User Pool %s", idp, p.ID)
		}
	}
	for _, scope := range set.AllowedOAuthScopes {
		ok, err := s.scopeExists(ctx, p.ID, scope)
		if err != nil {
			return err
		}
		if !ok {
			return newErr(ErrScopeDoesNotExist, "Invalid scope requested: %s", scope)
		}
	}
	return nil
}

// checkRedirectURL reports what is wrong with a callback or logout URL.
func checkRedirectURL(raw string) error {
	if raw == "" || len(raw) > 1024 {
		return fmt.Errorf("must be 1 to 1024 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("must be an absolute URL")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("must not have a fragment")
	}
	if u.Scheme == "http" && u.Hostname() != "localhost" {
		return fmt.Errorf("must use HTTPS (http is allowed for http://localhost only)")
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return fmt.Errorf("must name a host")
	}
	return nil
}

// scopeExists reports whether scope is a standard scope or a custom scope
// of one of the pool's resource servers.
func (s *Service) scopeExists(ctx context.Context, poolID, scope string) (bool, error) {
	if slices.Contains(standardScopes, scope) {
		return true, nil
	}
	i := strings.LastIndexByte(scope, '/')
	if i <= 0 {
		return false, nil
	}
	rs, err := s.store.GetResourceServer(ctx, poolID, scope[:i])
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("get resource server: %w", err)
	}
	return slices.ContainsFunc(rs.Scopes, func(sc ResourceServerScope) bool { return sc.ScopeName == scope[i+1:] }), nil
}

// IsCustomScope reports whether scope is a resource server's scope rather
// than one of the standard ones.
func IsCustomScope(scope string) bool { return !slices.Contains(standardScopes, scope) }
