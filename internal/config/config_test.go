package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/migration"
)

// fakeConfig is a backend config as backends write them.
type fakeConfig struct {
	Path     string            `yaml:"path"`
	Token    string            `yaml:"token"`
	CAFile   string            `yaml:"ca_file"` // a path that must stay a path
	Port     int               `yaml:"port"`
	Query    fakeQuery         `yaml:"query"`
	Extra    map[string]string `yaml:"extra"`
	Timeouts []time.Duration   `yaml:"timeouts"`
}

type fakeQuery struct {
	ByUsername string `yaml:"by_username"`
}

func (c *fakeConfig) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required"))
	}
	if c.Query.ByUsername == "" {
		errs = append(errs, errors.New("query.by_username: required"))
	}
	return errors.Join(errs...)
}

func loader(t *testing.T, env map[string]string) config.Loader {
	t.Helper()
	return config.Loader{
		Types: map[string]func() any{
			"fake":  func() any { return &fakeConfig{} },
			"other": func() any { return &fakeConfig{} },
		},
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "token")
	if err := os.WriteFile(secret, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf(`
sources:
  - name: legacy
    type: fake
    config:
      path: ${DATA}/users.db
      token_file: %s
      ca_file: /etc/ssl/ca.pem
      port: ${PORT}
      query:
        by_username: "SELECT * FROM u WHERE name = ${PARAM}"
      extra: {custom:dept: department}
      timeouts: [1s, 2s]
migration:
  username_case: lower
  pool_mode: alias
  deadline: 3s
  attributes: [email, email_verified]
  password_policy: {min_length: 8, require_numbers: true}
  mark_migrated: true
trigger:
  failure_style: empty
log:
  level: debug
  format: text
`, secret)
	cfg, err := loader(t, map[string]string{"DATA": "/var/lib/ferry", "PORT": "5432", "PARAM": "$1"}).Load([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		Sources: []config.Backend{{Name: "legacy", Type: "fake", Config: &fakeConfig{
			Path: "/var/lib/ferry/users.db", Token: "s3cret-token", CAFile: "/etc/ssl/ca.pem", Port: 5432,
			Query:    fakeQuery{ByUsername: "SELECT * FROM u WHERE name = $1"},
			Extra:    map[string]string{"custom:dept": "department"},
			Timeouts: []time.Duration{time.Second, 2 * time.Second},
		}}},
		Migration: migration.Policy{
			UsernameCase: migration.FoldLower, PoolMode: migration.PoolAlias, Deadline: 3 * time.Second,
			Attributes: []string{"email", "email_verified"}, MarkMigrated: true,
			PasswordPolicy: &migration.PasswordPolicy{MinLength: 8, RequireNumbers: true},
		},
		Trigger: config.Trigger{FailureStyle: "empty"},
		Log:     config.Log{Level: "debug", Format: "text"},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yml  string
		want []string // every line expected in the error
		only bool     // and no other line
	}{
		{name: "empty", yml: "", want: []string{"empty document"}},
		{name: "not a mapping", yml: "- a\n", want: []string{"must be a mapping"}},
		{name: "bad YAML", yml: "sources: [\n", want: []string{"invalid configuration"}},
		{name: "no sources", yml: "log: {level: info}\n", want: []string{"sources: at least one source is required"}},
		{name: "every key problem at once", only: true, yml: `
sources:
  - name: a
    type: fake
    config:
      pth: x
      query: {by_usrname: y}
  - name: a
    type: nosuch
    config: {anything: goes}
  - type: other
    config:
      path: ${UNSET}
      query: {by_username: q}
migratoin: {}
`, want: []string{
			"sources[0].config.pth: unknown field (line 6)",
			"sources[0].config.query.by_usrname: unknown field (line 7)",
			`sources[1].type: unknown source type "nosuch" (one of fake, other) (line 9)`,
			"sources[2].config.path: environment variable UNSET is not set (line 13)",
			"migratoin: unknown field (line 15)",
		}},
		{name: "every value problem at once", only: true, yml: `
sources:
  - name: a
    type: fake
    config:
      query: {by_username: y}
  - name: a
    type: fake
    config: {path: p, query: {by_username: q}}
  - type: other
    config:
      path: p
      query: {by_username: q}
migration:
  pool_mode: pigeon
  deadline: 9s
trigger: {failure_style: loud}
log: {level: chatty, format: xml}
`, want: []string{
			"sources[0].config.path: required (line 5)",
			`sources[1].name: "a" is also the name of sources[0] (line 7)`,
			"sources[2].name: required (line 10)",
			"migration.pool_mode: ",
			"migration.deadline: ",
			"trigger.failure_style: ",
			"log.level: ",
			"log.format: ",
		}},
		{name: "a typo is one problem", only: true, yml: `
sources:
  - name: a
    type: fake
    config:
      pathh: p
      query: {by_username: q}
`, want: []string{"sources[0].config.pathh: unknown field (line 6)"}},
		{name: "an unset variable is one problem", only: true, yml: `
sources:
  - name: a
    type: fake
    config:
      path: ${NOPE}
      query: {by_username: q}
`, want: []string{"sources[0].config.path: environment variable NOPE is not set (line 6)"}},
		{name: "a value of the wrong kind", only: true, yml: `
sources:
  - name: a
    type: fake
    config:
      path: p
      query: {by_username: q}
      port: many
migration:
  deadline: soon
`, want: []string{
			`sources[0].config.port: must be a whole number, not "many" (line 8)`,
			`migration.deadline: must be a duration such as 500ms, 30s or 5m, not "soon" (line 10)`,
		}},
		{name: "secret set twice", yml: `
sources:
  - name: a
    type: fake
    config: {path: p, token: t, token_file: /x, query: {by_username: q}}
`, want: []string{"sources[0].config.token_file: set either token or token_file, not both"}},
		{name: "secret file missing", yml: `
sources:
  - name: a
    type: fake
    config: {path: p, token_file: /nonexistent/ferry-secret, query: {by_username: q}}
`, want: []string{"sources[0].config.token_file: open /nonexistent/ferry-secret"}},
		{name: "no x_file for a non-field", yml: `
sources:
  - name: a
    type: fake
    config: {path: p, nothing_file: /x, query: {by_username: q}}
`, want: []string{"sources[0].config.nothing_file: unknown field"}},
		{name: "routing names an unknown source", yml: `
sources:
  - name: a
    type: fake
    config: {path: p, query: {by_username: q}}
migration:
  routing:
    - match: {email_domain: corp.example.com}
      sources: [a, corp-ldap]
`, want: []string{`migration.routing[0].sources[1]: `, `"corp-ldap"`}},
		{name: "wrong shape", yml: `
sources:
  name: a
`, want: []string{"sources: a mapping is not allowed here"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loader(t, nil).Load([]byte(tc.yml))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if lines := strings.Count(err.Error(), "\n"); tc.only && lines != len(tc.want) {
				t.Errorf("error has %d problems, want %d:\n%v", lines, len(tc.want), err)
			}
			for _, leak := range []string{"fakeConfig", "config.", "unmarshal", "!!", "not found in type"} {
				if strings.Contains(strings.ReplaceAll(err.Error(), "].config.", "]"), leak) {
					t.Errorf("error names a Go type or library (%q):\n%v", leak, err)
				}
			}
		})
	}
}

func TestQuotedExpansionStaysString(t *testing.T) {
	t.Parallel()
	yml := `
sources:
  - name: a
    type: fake
    config: {path: "${N}", query: {by_username: q}}
`
	cfg, err := loader(t, map[string]string{"N": "0123"}).Load([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources[0].Config.(*fakeConfig).Path; got != "0123" {
		t.Errorf("path = %q", got)
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{{"", "INFO"}, {"debug", "DEBUG"}, {"WARN", "WARN"}, {"error", "ERROR"}} {
		if got := (config.Log{Level: tc.in}).SlogLevel().String(); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, got, tc.want)
		}
	}
}
