package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ferry-migrate/ferry/internal/tokens"
)

// showTokens verifies the tokens against the pool's published JWKS, checks
// the claims that identify the user and prints them.
func (d *demo) showTokens(ctx context.Context, res *ciptypes.AuthenticationResultType, username, sub string) error {
	if aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" || aws.ToString(res.RefreshToken) == "" {
		return errors.New("the result lacks an access, id or refresh token")
	}
	if res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" {
		return fmt.Errorf("ExpiresIn %d, TokenType %q; want 3600, Bearer", res.ExpiresIn, aws.ToString(res.TokenType))
	}
	jwksURL := d.baseURL + "/" + d.poolID + "/.well-known/jwks.json"
	set, err := d.fetchJWKS(ctx, jwksURL)
	if err != nil {
		return err
	}
	issuer := tokens.AWSIssuer(d.poolID)
	idClaims, err := verifyJWT(set, aws.ToString(res.IdToken), issuer)
	if err != nil {
		return fmt.Errorf("id token: %w", err)
	}
	accessClaims, err := verifyJWT(set, aws.ToString(res.AccessToken), issuer)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	checks := []struct {
		claims      map[string]any
		name        string
		want        any
		description string
	}{
		{idClaims, "token_use", "id", "id token"},
		{idClaims, "cognito:username", username, "id token"},
		{idClaims, "sub", sub, "id token"},
		{idClaims, "aud", d.clientID, "id token"},
		{accessClaims, "token_use", "access", "access token"},
		{accessClaims, "username", username, "access token"},
		{accessClaims, "client_id", d.clientID, "access token"},
		{accessClaims, "scope", tokens.Scope, "access token"},
	}
	for _, c := range checks {
		if c.claims[c.name] != c.want {
			return fmt.Errorf("%s claim %s = %v, want %v", c.description, c.name, c.claims[c.name], c.want)
		}
	}
	d.say("tokens verified with the pool's JWKS (%s):", jwksURL)
	d.say("  id token:     %s", claimLine(idClaims, "sub", "cognito:username", "email", "email_verified", "name", "token_use", "aud"))
	d.say("  access token: %s", claimLine(accessClaims, "username", "client_id", "token_use", "scope"))
	d.say("  both:         iss %v, expires %s", idClaims["iss"], time.Unix(int64(idClaims["exp"].(float64)), 0).UTC().Format(time.RFC3339))
	return nil
}

func (d *demo) fetchJWKS(ctx context.Context, url string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS: HTTP %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	return &set, nil
}

// verifyJWT checks an RS256 token against the key its kid names, its
// issuer and expiry, and returns its claims.
func verifyJWT(set *jose.JSONWebKeySet, token, issuer string) (map[string]any, error) {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		return nil, fmt.Errorf("kid %q is not in the JWKS", tok.Headers[0].KeyID)
	}
	var std jwt.Claims
	claims := map[string]any{}
	if err := tok.Claims(keys[0].Key, &std, &claims); err != nil {
		return nil, err
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: issuer, Time: time.Now()}, time.Minute); err != nil {
		return nil, err
	}
	return claims, nil
}

// unverifiedClaims decodes a JWT's payload without checking it, for
// comparing two tokens that were verified elsewhere.
func unverifiedClaims(token string) map[string]any {
	claims := map[string]any{}
	if tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256}); err == nil {
		_ = tok.UnsafeClaimsWithoutVerification(&claims)
	}
	return claims
}

func claimLine(claims map[string]any, names ...string) string {
	var parts []string
	for _, n := range names {
		if v, ok := claims[n]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", n, v))
		}
	}
	return strings.Join(parts, " ")
}
