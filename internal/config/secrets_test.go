package config_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/config"
)

func TestSecretReferences(t *testing.T) {
	t.Parallel()
	store := map[string]string{
		"aws-sm:arn:aws:secretsmanager:eu-west-1:123:secret:legacy-AbCdEf#token": "tok-from-sm",
		"aws-ssm:/ferry/path": "/data/users.yaml",
	}
	resolve := func(ref string) (string, error) {
		v, ok := store[ref]
		if !ok {
			return "", fmt.Errorf("secret %s: secret not found", ref)
		}
		return v, nil
	}
	tests := []struct {
		name      string
		yaml      string
		secrets   func(string) (string, error)
		wantToken string
		wantRefs  []string
		wantWarn  []string
		wantErr   []string
	}{
		{
			name: "secrets manager and parameter store",
			yaml: `sources:
  - name: a
    type: fake
    config:
      path: ${aws-ssm:/ferry/path}
      token: "${aws-sm:arn:aws:secretsmanager:eu-west-1:123:secret:legacy-AbCdEf#token}"
      query: {by_username: q}
`,
			secrets:   resolve,
			wantToken: "tok-from-sm",
			wantRefs:  []string{"aws-ssm:/ferry/path", "aws-sm:arn:aws:secretsmanager:eu-west-1:123:secret:legacy-AbCdEf#token"},
		},
		{
			name: "literal credential warns",
			yaml: `sources:
  - name: a
    type: fake
    config: {path: /p, token: plain-token, query: {by_username: q}}
`,
			secrets:   resolve,
			wantToken: "plain-token",
			wantWarn:  []string{"sources[0].config.token: a literal credential in the configuration (line 4)"},
		},
		{
			name: "environment reference does not warn",
			yaml: `sources:
  - name: a
    type: fake
    config: {path: /p, token: "${TOKEN}", query: {by_username: q}}
`,
			secrets:   resolve,
			wantToken: "from-env",
		},
		{
			name: "missing secret names the reference",
			yaml: `sources:
  - name: a
    type: fake
    config: {path: /p, token: "${aws-sm:nope#token}", query: {by_username: q}}
`,
			secrets: resolve,
			wantErr: []string{"sources[0].config.token: secret aws-sm:nope#token: secret not found (line 4)"},
		},
		{
			name: "no resolver",
			yaml: `sources:
  - name: a
    type: fake
    config: {path: /p, token: "${aws-ssm:/x}", query: {by_username: q}}
`,
			wantErr: []string{"sources[0].config.token: aws-ssm:/x: secret references are not supported here"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := loader(t, map[string]string{"TOKEN": "from-env"})
			l.Secrets = tt.secrets
			cfg, err := l.Load([]byte(tt.yaml))
			if len(tt.wantErr) > 0 {
				if !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("Load = %v, want ErrInvalid", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Sources[0].Config.(*fakeConfig).Token; got != tt.wantToken {
				t.Errorf("token = %q, want %q", got, tt.wantToken)
			}
			if !slices.Equal(cfg.Sources[0].SecretRefs, tt.wantRefs) {
				t.Errorf("SecretRefs = %q, want %q", cfg.Sources[0].SecretRefs, tt.wantRefs)
			}
			if len(cfg.Warnings) != len(tt.wantWarn) {
				t.Fatalf("Warnings = %q, want %q", cfg.Warnings, tt.wantWarn)
			}
			for i, w := range tt.wantWarn {
				if !strings.HasPrefix(cfg.Warnings[i], w) || strings.Contains(cfg.Warnings[i], "plain-token") {
					t.Errorf("warning %q, want prefix %q and no value", cfg.Warnings[i], w)
				}
			}
		})
	}
}

func TestLiteralDSN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dsn  string
		warn bool
	}{
		{"postgres url with password", "postgres://ferry:pw@db/legacy", true},
		{"postgres url without password", "postgres://ferry@db/legacy", false},
		{"libpq key=value", "host=db user=ferry password=pw", true},
		{"mysql", "ferry:pw@tcp(db:3306)/legacy", true},
		{"mysql without password", "ferry@tcp(db:3306)/legacy", false},
		{"sqlserver", "sqlserver://sa:pw@db:1433?database=legacy", true},
		{"sqlite file", "file:/data/legacy.db", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := config.Loader{Types: map[string]func() any{"fake": func() any { return &dsnConfig{} }}}
			cfg, err := l.Load([]byte("sources: [{name: a, type: fake, config: {dsn: " + strconv.Quote(tt.dsn) + "}}]\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(cfg.Warnings) > 0; got != tt.warn {
				t.Errorf("warnings %q, want a warning: %v", cfg.Warnings, tt.warn)
			}
		})
	}
}

type dsnConfig struct {
	DSN string `yaml:"dsn"`
}
