package tokens

import (
	"encoding/json"
	"fmt"
	"strings"
)

// OpenIDConfiguration returns the discovery document served at
// /<poolId>/.well-known/openid-configuration for a pool whose tokens carry
// issuer as iss, with every endpoint under issuer.
func OpenIDConfiguration(issuer string) ([]byte, error) {
	return OpenIDConfigurationAt(issuer, issuer)
}

// OpenIDConfigurationAt is OpenIDConfiguration for a server reached at base
// (e.g. http://127.0.0.1:9229/us-east-1_abc) while its tokens keep another
// issuer (e.g. the AWS-shaped https://cognito-idp.<region>.amazonaws.com/<poolId>):
// iss stays issuer, the endpoints point at base.
func OpenIDConfigurationAt(issuer, base string) ([]byte, error) {
	base = strings.TrimRight(base, "/")
	doc := map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              base + "/.well-known/jwks.json",
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
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
