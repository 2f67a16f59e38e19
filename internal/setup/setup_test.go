package setup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// fakeConfig is a backend whose Open fails on demand.
type fakeConfig struct {
	User     string `yaml:"user"`
	FailOpen bool   `yaml:"fail_open"`
}

func (c *fakeConfig) Validate() error {
	if c.User == "" {
		return errors.New("user: required")
	}
	return nil
}

type fakeSource struct {
	user   string
	closed *int
}

func (s *fakeSource) Authenticate(_ context.Context, name, password string) (*source.User, error) {
	if name != s.user {
		return nil, source.ErrUserNotFound
	}
	if password != "pw" {
		return nil, source.ErrInvalidPassword
	}
	return &source.User{ID: "1", Username: name, Email: name + "@example.com", EmailVerified: true}, nil
}

func (s *fakeSource) Lookup(_ context.Context, name string) (*source.User, error) {
	return s.Authenticate(context.Background(), name, "pw")
}

func (s *fakeSource) Close() error { *s.closed++; return nil }

func fakeTypes(closed *int) map[string]sourceType {
	return map[string]sourceType{
		"fake": backend(func(c *fakeConfig, _ context.Context, name string, _ *slog.Logger) (*fakeSource, error) {
			if c.FailOpen {
				return nil, errors.New("cannot reach the directory")
			}
			return &fakeSource{user: c.User, closed: closed}, nil
		}),
	}
}

func TestBuildChain(t *testing.T) {
	t.Parallel()
	var closed int
	types := fakeTypes(&closed)
	cfg, err := loader(types).Load([]byte(`
sources:
  - {name: first, type: fake, config: {user: alice}}
  - {name: second, type: fake, config: {user: bob}}
trigger: {failure_style: empty}
`))
	if err != nil {
		t.Fatal(err)
	}
	app, err := build(t.Context(), cfg, Options{Logger: slog.New(slog.DiscardHandler)}, types)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user string
		wantSource string
		wantEmpty  bool
	}{
		{name: "first source", user: "alice"},
		{name: "second source", user: "bob"},
		{name: "nobody, empty style", user: "carol", wantEmpty: true},
	}
	for _, tc := range tests {
		ev, err := app.Handler.Handle(t.Context(), trigger.Event{
			TriggerSource: trigger.SourceAuthentication, UserName: tc.user, Request: trigger.Request{Password: "pw"},
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ev.Response.UserAttributes["email"]; (got == "") != tc.wantEmpty {
			t.Errorf("%s: email = %q", tc.name, got)
		}
	}
	if err := app.Close(); err != nil || closed != 2 {
		t.Errorf("Close: %v, %d sources closed, want 2", err, closed)
	}
}

func TestBuildClosesOnOpenFailure(t *testing.T) {
	t.Parallel()
	var closed int
	types := fakeTypes(&closed)
	cfg, err := loader(types).Load([]byte(`
sources:
  - {name: ok, type: fake, config: {user: alice}}
  - {name: broken, type: fake, config: {user: bob, fail_open: true}}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = build(t.Context(), cfg, Options{Logger: slog.New(slog.DiscardHandler)}, types)
	var se *source.Error
	if !errors.As(err, &se) || se.Source != "broken" || se.Op != "open" {
		t.Fatalf("err = %v, want a source.Error for broken/open", err)
	}
	if closed != 1 {
		t.Errorf("%d sources closed, want 1", closed)
	}
}

func TestLoadEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "nothing", wantErr: "no configuration"},
		{name: "both", env: map[string]string{"FERRY_CONFIG": "x", "FERRY_CONFIG_FILE": "y"}, wantErr: "not both"},
		{name: "inline, invalid", env: map[string]string{"FERRY_CONFIG": "sources: []"}, wantErr: "at least one source"},
		{name: "file missing", env: map[string]string{"FERRY_CONFIG_FILE": filepath.Join(dir, "none.yaml")}, wantErr: "no such file"},
		{name: "unknown type lists the known ones", env: map[string]string{"FERRY_CONFIG": "sources: [{name: a, type: nope}]"}, wantErr: "(one of "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadEnv(func(k string) string { return tc.env[k] }, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	cfg, err := loader(fakeTypes(new(int))).Load([]byte("sources: [{name: a, type: fake, config: {user: u}}]\nlog: {level: warn}\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLogger(cfg.Log, &buf)
	l.Info("hidden")
	l.Warn("shown")
	if out := buf.String(); strings.Contains(out, "hidden") || !strings.Contains(out, `"msg":"shown"`) {
		t.Errorf("logs:\n%s", out)
	}
}

// TestBuildSQLite wires the real SQL backend on an SQLite file with the
// Django preset and migrates a user through the trigger handler.
func TestBuildSQLite(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "legacy.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl, err := sqlsource.Schema("django", sqlsource.DriverSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("Corr3ct-horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO auth_user (username, email, first_name, last_name, is_active, password, is_superuser, is_staff, date_joined)
		VALUES ('alice', 'alice@example.com', 'Alice', 'Liddell', 1, ?, 0, 0, CURRENT_TIMESTAMP)`, string(hash)); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(fmt.Appendf(nil, `
sources:
  - name: django
    type: sql
    config:
      preset: django
      driver: sqlite
      dsn: file:%s
migration:
  mark_migrated: true
`, dbPath))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	app, err := Build(t.Context(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ev, err := app.Handler.Handle(t.Context(), trigger.Event{
		TriggerSource: trigger.SourceAuthentication, UserName: "alice", Request: trigger.Request{Password: "Corr3ct-horse"},
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	want := map[string]string{"email": "alice@example.com", "email_verified": "false", "given_name": "Alice", "family_name": "Liddell"}
	for k, v := range want {
		if ev.Response.UserAttributes[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, ev.Response.UserAttributes[k], v, ev.Response.UserAttributes)
		}
	}
	var marked sql.NullString
	if err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM auth_user WHERE username = 'alice'`, sqlsource.MigratedColumn)).Scan(&marked); err != nil {
		t.Fatal(err)
	}
	if !marked.Valid {
		t.Error("the migration was not written back")
	}
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(p, []byte("sources: [{name: a, type: file, config: {path: users.yaml}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(p + ".missing")
	if err == nil {
		t.Fatal("missing file: no error")
	}
	// The path once, what is wrong, and how to fix it.
	if got, want := err.Error(), "config "+p+".missing: no such file (pass --config"; !strings.HasPrefix(got, want) || strings.Count(got, p) != 1 {
		t.Errorf("missing file: %q, want it to start %q and name the config once", got, want)
	}
}
