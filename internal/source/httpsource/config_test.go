package httpsource

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{name: "https minimal", c: Config{URL: "https://legacy.example.com/ferry"}},
		{name: "http loopback", c: Config{URL: "http://127.0.0.1:8080"}},
		{name: "http localhost", c: Config{URL: "http://localhost:8080/x"}},
		{name: "http remote allowed", c: Config{URL: "http://legacy.internal", AllowInsecureHTTP: true}},
		{name: "bearer", c: Config{URL: "https://x", Auth: Auth{Type: AuthBearer, Token: "t"}}},
		{name: "basic from file", c: Config{URL: "https://x", Auth: Auth{Type: AuthBasic, Username: "u", PasswordFile: keyFile}}},
		{name: "hmac", c: Config{URL: "https://x", Auth: Auth{Type: AuthHMAC, HMACKeyFile: keyFile}}},
		{name: "keycloak with attributes", c: Config{URL: "https://x", Mode: ModeKeycloak, Attributes: map[string]string{"phone_number": "phone"}}},
		{name: "empty", c: Config{}, want: []string{"url: required"}},
		{name: "http remote", c: Config{URL: "http://legacy.example.com"}, want: []string{"url: http:// would send passwords"}},
		{name: "ftp", c: Config{URL: "ftp://x"}, want: []string{`url: scheme "ftp"`}},
		{name: "query", c: Config{URL: "https://x/?a=b"}, want: []string{"url: no query"}},
		{name: "userinfo", c: Config{URL: "https://u:p@x/"}, want: []string{"url: credentials in the url"}},
		{name: "bad mode", c: Config{URL: "https://x", Mode: "soap"}, want: []string{"mode:"}},
		{name: "attributes in ferry mode", c: Config{URL: "https://x", Attributes: map[string]string{"a": "b"}}, want: []string{"attributes:"}},
		{name: "bearer without token", c: Config{URL: "https://x", Auth: Auth{Type: AuthBearer}}, want: []string{"auth.token: required"}},
		{name: "token twice", c: Config{URL: "https://x", Auth: Auth{Type: AuthBearer, Token: "t", TokenFile: keyFile}}, want: []string{"auth.token: set token or token_file"}},
		{name: "basic incomplete", c: Config{URL: "https://x", Auth: Auth{Type: AuthBasic}}, want: []string{"auth.username: required", "auth.password: required"}},
		{name: "missing key file", c: Config{URL: "https://x", Auth: Auth{Type: AuthHMAC, HMACKeyFile: "/nonexistent"}}, want: []string{"auth.hmac_key_file:"}},
		{name: "secret without type", c: Config{URL: "https://x", Auth: Auth{Token: "t"}}, want: []string{"auth.type: credentials are set"}},
		{name: "bad auth type", c: Config{URL: "https://x", Auth: Auth{Type: "digest"}}, want: []string{"auth.type:"}},
		{name: "cert without key", c: Config{URL: "https://x", TLS: TLS{CertFile: keyFile}}, want: []string{"tls: cert_file and key_file"}},
		{name: "missing ca", c: Config{URL: "https://x", TLS: TLS{CAFile: "/nonexistent"}}, want: []string{"tls.ca_file:"}},
		{name: "timeout", c: Config{URL: "https://x", Timeout: 5 * time.Second}, want: []string{"timeout: 5s"}},
		{name: "response limit", c: Config{URL: "https://x", MaxResponseBytes: 1 << 30}, want: []string{"max_response_bytes:"}},
		{name: "all at once", c: Config{URL: "ftp://x", Mode: "soap", Timeout: -1}, want: []string{"url:", "mode:", "timeout:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	doc := `
url: https://legacy.example.com/api/users
mode: keycloak
auth: {type: bearer, token: abc}
tls: {server_name: legacy.example.com}
timeout: 2s
max_response_bytes: 32768
attributes: {phone_number: phone, custom:legacy_id: legacyId}
email_verified: true
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 2*time.Second || c.Attributes["custom:legacy_id"] != "legacyId" || c.Auth.Token != "abc" {
		t.Errorf("decoded %+v", c)
	}
}

// TestConfigLogValue: logging a configuration never shows its secrets.
func TestConfigLogValue(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := Config{URL: "https://x", Auth: Auth{Type: AuthBasic, Username: "u", Password: "Basic-Secret-1", Token: "Tok-Secret-2", HMACKey: "Hmac-Secret-3"}}
	log.Debug("config", "config", c)
	for _, s := range []string{"Basic-Secret-1", "Tok-Secret-2", "Hmac-Secret-3"} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("secret %q logged: %s", s, buf.String())
		}
	}
	if !strings.Contains(buf.String(), `"auth":"basic"`) {
		t.Errorf("expected the auth type in %s", buf.String())
	}
}

func TestCredentialsLogValue(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Debug("request", "body", credentials{Username: "alice", Password: "Pw-Secret-4"})
	if strings.Contains(buf.String(), "Pw-Secret-4") || !strings.Contains(buf.String(), "REDACTED") {
		t.Errorf("credentials logged as %s", buf.String())
	}
}
