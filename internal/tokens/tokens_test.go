package tokens

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
)

// testKeys is generated once: RSA key generation is the slow part.
var testKeys = sync.OnceValues(GenerateKeySet)

func keys(t *testing.T) *KeySet {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const testPool = "us-east-1_AbC123xyz"

var fixedNow = time.Date(2024, 2, 3, 9, 5, 7, 0, time.UTC)

func issuer(t *testing.T) *Issuer {
	return &Issuer{Keys: keys(t), Issuer: AWSIssuer(testPool), Now: func() time.Time { return fixedNow }}
}

func testIdentity() Identity {
	return Identity{
		Sub: "5f2b6d1e-0c3a-4d7e-9a41-0f6b1a2c3d4e", Username: "alice", ClientID: "abcdefghijklmnopqrstuvwxyz",
		OriginJTI: "8a3c9b1e-2d4f-4e6a-8b7c-9d0e1f2a3b4c", EventID: "11111111-2222-3333-4444-555555555555",
		AuthTime: fixedNow.Add(-time.Hour), Groups: []string{"admins", "staff"},
		Attributes: map[string]string{
			"email": "alice@example.com", "email_verified": "true", "phone_number": "+15555550100",
			"phone_number_verified": "false", "custom:legacy_id": "42", "iss": "https://evil.example", "sub": "forged",
		},
	}
}

// rawClaims decodes a token's header and payload without checking it, the
// way a client library or jwt.io would.
func rawClaims(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func TestIssueClaims(t *testing.T) {
	t.Parallel()
	iss := issuer(t)
	access, idToken, err := iss.Issue(testIdentity(), time.Hour, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	iat := float64(fixedNow.Unix())
	authTime := float64(fixedNow.Add(-time.Hour).Unix())

	ah, ac := rawClaims(t, access)
	if diff := cmp.Diff(map[string]any{"alg": "RS256", "kid": keys(t).AccessToken.ID}, ah); diff != "" {
		t.Errorf("access header (-want +got):\n%s", diff)
	}
	if _, ok := ac["jti"].(string); !ok {
		t.Errorf("access jti missing")
	}
	delete(ac, "jti")
	wantAccess := map[string]any{
		"sub": "5f2b6d1e-0c3a-4d7e-9a41-0f6b1a2c3d4e", "cognito:groups": []any{"admins", "staff"},
		"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz", "client_id": "abcdefghijklmnopqrstuvwxyz",
		"origin_jti": "8a3c9b1e-2d4f-4e6a-8b7c-9d0e1f2a3b4c", "event_id": "11111111-2222-3333-4444-555555555555",
		"token_use": "access", "scope": "aws.cognito.signin.user.admin", "auth_time": authTime,
		"exp": iat + 3600, "iat": iat, "username": "alice",
	}
	if diff := cmp.Diff(wantAccess, ac); diff != "" {
		t.Errorf("access claims (-want +got):\n%s", diff)
	}

	ih, ic := rawClaims(t, idToken)
	if diff := cmp.Diff(map[string]any{"alg": "RS256", "kid": keys(t).IDToken.ID}, ih); diff != "" {
		t.Errorf("id header (-want +got):\n%s", diff)
	}
	if ic["jti"] == ac["jti"] || ic["jti"] == "" {
		t.Errorf("id jti %v must be fresh", ic["jti"])
	}
	delete(ic, "jti")
	wantID := map[string]any{
		"sub": "5f2b6d1e-0c3a-4d7e-9a41-0f6b1a2c3d4e", "aud": "abcdefghijklmnopqrstuvwxyz",
		"email_verified": true, "phone_number_verified": false, "token_use": "id", "auth_time": authTime,
		"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz", "cognito:username": "alice",
		"exp": iat + 7200, "iat": iat, "origin_jti": "8a3c9b1e-2d4f-4e6a-8b7c-9d0e1f2a3b4c",
		"event_id": "11111111-2222-3333-4444-555555555555", "cognito:groups": []any{"admins", "staff"},
		"email": "alice@example.com", "phone_number": "+15555550100", "custom:legacy_id": "42",
	}
	if diff := cmp.Diff(wantID, ic); diff != "" {
		t.Errorf("id claims (-want +got):\n%s", diff)
	}
}

func TestIssueDefaults(t *testing.T) {
	t.Parallel()
	iss := issuer(t)
	access, idToken, err := iss.Issue(Identity{Sub: "s", Username: "bob", ClientID: "c"}, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, ac := rawClaims(t, access)
	_, ic := rawClaims(t, idToken)
	for _, claim := range []string{"origin_jti", "event_id"} {
		if ac[claim] == nil || ac[claim] != ic[claim] {
			t.Errorf("%s: access %v, id %v; want one fresh value shared", claim, ac[claim], ic[claim])
		}
	}
	if ac["auth_time"] != float64(fixedNow.Unix()) {
		t.Errorf("auth_time = %v, want now", ac["auth_time"])
	}
	if _, ok := ac["cognito:groups"]; ok {
		t.Error("cognito:groups present without groups")
	}
	if _, ok := ac["aud"]; ok {
		t.Error("access token has aud")
	}
}

func TestParseAccess(t *testing.T) {
	t.Parallel()
	iss := issuer(t)
	access, idToken, err := iss.Issue(testIdentity(), time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := iss.ParseAccess(access)
	if err != nil {
		t.Fatal(err)
	}
	want := &AccessClaims{
		Sub: "5f2b6d1e-0c3a-4d7e-9a41-0f6b1a2c3d4e", Username: "alice", ClientID: "abcdefghijklmnopqrstuvwxyz",
		Issuer: AWSIssuer(testPool), TokenUse: "access", Scope: Scope, Groups: []string{"admins", "staff"},
		OriginJTI: "8a3c9b1e-2d4f-4e6a-8b7c-9d0e1f2a3b4c", EventID: "11111111-2222-3333-4444-555555555555",
		AuthTime: fixedNow.Add(-time.Hour), IssuedAt: fixedNow, Expiry: fixedNow.Add(time.Hour),
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".JTI" }, cmp.Ignore())); diff != "" {
		t.Errorf("ParseAccess (-want +got):\n%s", diff)
	}

	idc, err := iss.ParseID(idToken)
	if err != nil {
		t.Fatal(err)
	}
	if idc.Username != "alice" || idc.Audience != "abcdefghijklmnopqrstuvwxyz" || idc.Claims["email"] != "alice@example.com" ||
		!idc.Expiry.Equal(fixedNow.Add(time.Hour)) || idc.OriginJTI != want.OriginJTI {
		t.Errorf("ParseID = %+v", idc)
	}
}

// forge signs claims with key under kid.
func forge(t *testing.T, key any, kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestParseAccessRejects(t *testing.T) {
	t.Parallel()
	iss := issuer(t)
	access, idToken, err := iss.Issue(testIdentity(), time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, claims := rawClaims(t, access)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(name string, value any) map[string]any {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		if value == nil {
			delete(c, name)
		} else {
			c[name] = value
		}
		return c
	}
	parts := strings.Split(access, ".")
	tamperedPayload, _ := json.Marshal(with("username", "mallory"))
	tests := []struct {
		name    string
		token   string
		now     time.Time
		wantErr error
	}{
		{"expired", access, fixedNow.Add(time.Hour), ErrExpired},
		{"long expired", access, fixedNow.Add(48 * time.Hour), ErrExpired},
		{"id token", idToken, fixedNow, ErrInvalidToken},
		{"other key, same kid", forge(t, other, keys(t).AccessToken.ID, jose.RS256, claims), fixedNow, ErrInvalidToken},
		{"id key", forge(t, keys(t).IDToken.Private, keys(t).AccessToken.ID, jose.RS256, claims), fixedNow, ErrInvalidToken},
		{"RS512", forge(t, keys(t).AccessToken.Private, keys(t).AccessToken.ID, jose.RS512, claims), fixedNow, ErrInvalidToken},
		{"HS256 with the public modulus", forge(t, keys(t).AccessToken.Private.PublicKey.N.Bytes(), keys(t).AccessToken.ID, jose.HS256, claims), fixedNow, ErrInvalidToken},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+keys(t).AccessToken.ID+`"}`)) +
			"." + parts[1] + ".", fixedNow, ErrInvalidToken},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedPayload) + "." + parts[2], fixedNow, ErrInvalidToken},
		{"other issuer", forge(t, keys(t).AccessToken.Private, keys(t).AccessToken.ID, jose.RS256, with("iss", "https://elsewhere")), fixedNow, ErrInvalidToken},
		{"token_use id", forge(t, keys(t).AccessToken.Private, keys(t).AccessToken.ID, jose.RS256, with("token_use", "id")), fixedNow, ErrInvalidToken},
		{"no exp", forge(t, keys(t).AccessToken.Private, keys(t).AccessToken.ID, jose.RS256, with("exp", nil)), fixedNow, ErrInvalidToken},
		{"garbage", "not.a.token", fixedNow, ErrInvalidToken},
		{"empty", "", fixedNow, ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.token == "" && tt.name != "empty" {
				t.Fatal("test token not built")
			}
			p := &Issuer{Keys: keys(t), Issuer: AWSIssuer(testPool), Now: func() time.Time { return tt.now }}
			if _, err := p.ParseAccess(tt.token); !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseAccess error = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := (&Issuer{Keys: keys(t), Issuer: AWSIssuer(testPool), Now: func() time.Time { return fixedNow.Add(2 * time.Hour) }}).ParseID(idToken); !errors.Is(err, ErrExpired) {
		t.Errorf("ParseID of an expired token: %v, want ErrExpired", err)
	}
	if _, err := iss.ParseID(access); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("ParseID of an access token: %v, want ErrInvalidToken", err)
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	k := keys(t)
	raw, err := k.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 {
		t.Fatalf("%d keys, want 2", len(doc.Keys))
	}
	for i, want := range []Key{k.IDToken, k.AccessToken} {
		got := doc.Keys[i]
		var fields []string
		for f := range got {
			fields = append(fields, f)
		}
		if diff := cmp.Diff([]string{"alg", "e", "kid", "kty", "n", "use"}, fields, cmpSorted); diff != "" {
			t.Errorf("key %d fields (-want +got):\n%s", i, diff)
		}
		if got["alg"] != "RS256" || got["kty"] != "RSA" || got["use"] != "sig" || got["e"] != "AQAB" || got["kid"] != want.ID {
			t.Errorf("key %d = %v", i, got)
		}
	}
	// The set parses with go-jose and verifies the tokens by kid.
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	access, idToken, err := issuer(t).Issue(testIdentity(), time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{access, idToken} {
		tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		found := set.Key(tok.Headers[0].KeyID)
		if len(found) != 1 {
			t.Fatalf("kid %s not in JWKS", tok.Headers[0].KeyID)
		}
		var c jwt.Claims
		if err := tok.Claims(found[0].Key, &c); err != nil {
			t.Fatalf("token does not verify with its JWKS key: %v", err)
		}
		if err := c.ValidateWithLeeway(jwt.Expected{Issuer: AWSIssuer(testPool), Time: fixedNow}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if k.IDToken.ID == k.AccessToken.ID {
		t.Error("id and access keys share a kid")
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestOpenIDConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, issuer, base, wantJWKS string
	}{
		{"local issuer", "http://127.0.0.1:9229/" + testPool, "", "http://127.0.0.1:9229/" + testPool + "/.well-known/jwks.json"},
		{"aws issuer served locally", AWSIssuer(testPool), "http://127.0.0.1:9229/" + testPool + "/",
			"http://127.0.0.1:9229/" + testPool + "/.well-known/jwks.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := tt.base
			if base == "" {
				base = tt.issuer
			}
			raw, err := OpenIDConfigurationWith(tt.issuer, base, "")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["issuer"] != tt.issuer || doc["jwks_uri"] != tt.wantJWKS {
				t.Errorf("issuer %v, jwks_uri %v", doc["issuer"], doc["jwks_uri"])
			}
			if fmt.Sprint(doc["id_token_signing_alg_values_supported"]) != "[RS256]" || fmt.Sprint(doc["subject_types_supported"]) != "[public]" {
				t.Errorf("document %s", raw)
			}
		})
	}
}

func TestAWSIssuer(t *testing.T) {
	t.Parallel()
	if got, want := AWSIssuer("eu-west-1_myPool"), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_myPool"; got != want {
		t.Errorf("AWSIssuer = %s, want %s", got, want)
	}
}

func TestRefreshToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, hash, err := NewRefreshToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) < 32 {
			t.Fatalf("token %q: %d bytes, %v; want ≥32 random bytes, base64url", tok, len(raw), err)
		}
		if hash != HashRefreshToken(tok) || len(hash) != 64 || strings.Contains(hash, tok) {
			t.Fatalf("hash %q of %q", hash, tok)
		}
		if seen[tok] {
			t.Fatal("refresh token drawn twice")
		}
		seen[tok] = true
	}
	// Known answer: SHA-256("abc").
	if got := HashRefreshToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashRefreshToken(abc) = %s", got)
	}
}

func TestKeySetFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	first, err := LoadOrCreateKeySet(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{idKeyFile, accessKeyFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
	second, err := LoadOrCreateKeySet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if first.IDToken.ID != second.IDToken.ID || first.AccessToken.ID != second.AccessToken.ID ||
		!first.IDToken.Private.Equal(second.IDToken.Private) {
		t.Error("keys changed on reload")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("key directory holds %d entries, want 2 (no temporary files left)", len(entries))
	}

	// Save replaces; a reload sees the saved keys.
	k := keys(t)
	if err := k.Save(dir); err != nil {
		t.Fatal(err)
	}
	third, err := LoadOrCreateKeySet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if third.AccessToken.ID != k.AccessToken.ID {
		t.Error("Save did not replace the keys")
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, idKeyFile), []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeySet(bad); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("LoadOrCreateKeySet with a corrupt key: %v, want ErrInvalidKey", err)
	}
}

func TestKeysRedacted(t *testing.T) {
	t.Parallel()
	k := keys(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Debug("keys", "set", k, "id", k.IDToken)
	logger.Debug("keys", "fmt", fmt.Sprintf("%v %s", k.AccessToken, k.IDToken))
	out := buf.String()
	for _, secret := range []string{k.IDToken.Private.D.String(), k.AccessToken.Private.D.String(), k.IDToken.Private.D.Text(16)} {
		if strings.Contains(out, secret) {
			t.Fatal("log output holds a private key")
		}
	}
	if !strings.Contains(out, k.IDToken.ID) {
		t.Errorf("log output lacks the kid: %s", out)
	}
}

// TestLoadOrCreateKeySetConcurrent starts several loaders on one empty
// directory at once: all must end with the same keys.
func TestLoadOrCreateKeySetConcurrent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	const n = 4
	sets := make([]*KeySet, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sets[i], errs[i] = LoadOrCreateKeySet(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if sets[i].IDToken.ID != sets[0].IDToken.ID || sets[i].AccessToken.ID != sets[0].AccessToken.ID {
			t.Fatalf("loader %d ended with other keys", i)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("key directory holds %d entries, want 2", len(entries))
	}
}
