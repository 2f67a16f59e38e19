package cognitotest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// Claims decodes a JWT's payload without checking its signature: for
// tests that read what a token says (the signature is checked where it
// matters, by aws-jwt-verify and the tokens package).
func Claims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
