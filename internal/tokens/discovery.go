package tokens

import (
	"encoding/json"
	"fmt"
	"strings"
)

// OpenIDConfigurationWith returns the discovery document served at
// /<poolId>/.well-known/openid-configuration for a pool whose tokens carry
// issuer as iss, reached at base (e.g. http://127.0.0.1:9229/us-east-1_abc,
// which may differ from an AWS-shaped issuer such as
// https://cognito-idp.<region>.amazonaws.com/<poolId>: iss stays issuer, the
// endpoints point at base). Its OAuth 2.0 endpoints (authorize, token,
// userInfo) live under oauthBase, the pool's managed-login domain, as
// Cognito serves them from the pool's domain rather than beside the JWKS.
// An empty oauthBase (a pool without a domain, which has no OAuth
// endpoints) leaves them out, so the document lists only endpoints that
// answer.
func OpenIDConfigurationWith(issuer, base, oauthBase string) ([]byte, error) {
	base = strings.TrimRight(base, "/")
	doc := map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              base + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
	if oauthBase != "" {
		oauthBase = strings.TrimRight(oauthBase, "/")
		doc["authorization_endpoint"] = oauthBase + "/oauth2/authorize"
		doc["token_endpoint"] = oauthBase + "/oauth2/token"
		doc["userinfo_endpoint"] = oauthBase + "/oauth2/userInfo"
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("tokens: openid configuration: %w", err)
	}
	return b, nil
}

// AWSIssuer returns the issuer real Cognito puts in iss for a pool:
// https://cognito-idp.<region>.amazonaws.com/<poolId>, where region is the
// part of the pool id before '_'. aws-jwt-verify insists on this form.
func AWSIssuer(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}
