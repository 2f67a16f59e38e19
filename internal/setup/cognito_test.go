package setup

import (
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source/cognitosource"
)

func TestLoadCognitoSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string // error substrings; none for a valid configuration
	}{
		{name: "valid", yaml: `
sources:
  - name: old-pool
    type: cognito
    config:
      user_pool_id: eu-west-1_AbCdEf123
      client_id: 1example23456789
      custom_attributes: {"custom:tenant": "custom:tenant"}
`},
		{name: "problems with paths", yaml: `
sources:
  - name: old-pool
    type: cognito
    config:
      user_pool_id: pool
      challenge_policy: accept-everything
`, want: []string{"sources[0].config.client_id: required", "sources[0].config.user_pool_id:", "sources[0].config.challenge_policy:"}},
		{name: "unknown key", yaml: `
sources:
  - name: old-pool
    type: cognito
    config: {user_pool_id: eu-west-1_AbCdEf123, client_id: c, client_secrt: x}
`, want: []string{"client_secrt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Load([]byte(tc.yaml))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				c, ok := cfg.Sources[0].Config.(*cognitosource.Config)
				if !ok || c.ClientID != "1example23456789" || c.CustomAttributes["custom:tenant"] != "custom:tenant" {
					t.Fatalf("decoded %#v", cfg.Sources[0].Config)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// A routing rule naming a source that is not configured is a configuration
// error, reported at load time with its path (before any source opens).
func TestLoadRejectsUnknownRouteSource(t *testing.T) {
	t.Parallel()
	_, err := Load([]byte(`
sources:
  - name: old-pool
    type: cognito
    config: {user_pool_id: eu-west-1_AbCdEf123, client_id: c, endpoint: "http://127.0.0.1:1"}
migration:
  routing:
    - match: {email_domain: corp.example.com}
      sources: [corp-ldap]
`))
	if err == nil || !strings.Contains(err.Error(), `routing[0].sources[0]: unknown source "corp-ldap"`) {
		t.Fatalf("Load: %v, want the unknown routed source with its path", err)
	}
}
