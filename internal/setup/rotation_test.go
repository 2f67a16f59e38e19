package setup_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/secrets/secretstest"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestPostgresPasswordRotation rotates a real PostgreSQL role's password
// the way Secrets Manager rotation does (the database first, the secret
// with it) and checks that Ferry, holding the old DSN, meets SQLSTATE
// 28P01 as source.ErrBackendAuth, fetches the secret again, reopens the
// source and signs the user in.
func TestPostgresPasswordRotation(t *testing.T) {
	t.Parallel()
	admin := pgAdmin(t)
	ctx := t.Context()
	role := "ferry_rot_" + strings.ToLower(rand.Text()[:10])
	var canCreate bool
	if err := admin.QueryRowContext(ctx, `SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&canCreate); err != nil {
		t.Fatal(err)
	}
	if !canCreate {
		testenv.Missing(t, "a PostgreSQL test role with CREATEROLE (scripts/services.sh grants it)")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("Alice-pw-1"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'old-Pw-1'`, role),
		// Membership lets the test end the role's sessions.
		fmt.Sprintf(`GRANT %s TO CURRENT_USER`, role),
		fmt.Sprintf(`CREATE SCHEMA %s`, role),
		fmt.Sprintf(`CREATE TABLE %s.auth_user (id serial PRIMARY KEY, username text UNIQUE NOT NULL, email text NOT NULL,
			first_name text NOT NULL DEFAULT '', last_name text NOT NULL DEFAULT '', is_active boolean NOT NULL DEFAULT true,
			password text NOT NULL, migrated_at timestamptz)`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %[1]s TO %[1]s`, role),
		fmt.Sprintf(`GRANT SELECT, UPDATE ON %[1]s.auth_user TO %[1]s`, role),
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		c := context.Background()
		_, _ = admin.ExecContext(c, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, role)
		for _, stmt := range []string{`DROP SCHEMA ` + role + ` CASCADE`, `DROP ROLE ` + role} {
			if _, err := admin.ExecContext(c, stmt); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})
	if _, err := admin.ExecContext(ctx, `INSERT INTO `+role+`.auth_user (username, email, password) VALUES ('alice', 'alice@example.com', $1)`, string(hash)); err != nil {
		t.Fatal(err)
	}

	roleDSN := func(password string) string {
		u, err := url.Parse(testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL"))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(role, password)
		q := u.Query()
		q.Set("search_path", role)
		u.RawQuery = q.Encode()
		return u.String()
	}
	putSecret := func(sm *secretstest.Server, password string) {
		b, _ := json.Marshal(map[string]string{"username": role, "password": password, "dsn": roleDSN(password)})
		sm.Put("ferry/legacy-db", string(b))
	}
	sm := secretstest.NewServer(t)
	putSecret(sm, "old-Pw-1")
	o := sm.Options()
	o.MinRefresh = 1 // the clock is real here; rate limiting is TestSecretRotation's
	res := secrets.New(o)
	doc := `sources:
  - name: legacy
    type: sql
    config:
      preset: django
      driver: postgres
      dsn: ${aws-sm:ferry/legacy-db#dsn}
      pool: {conn_max_lifetime: 1ms}
migration:
  attributes: [email, email_verified]
  assume_email_verified: true
`
	getenv := func(k string) string {
		if k == "FERRY_CONFIG" {
			return doc
		}
		return ""
	}
	loaded, err := setup.LoadEnv(getenv, res)
	if err != nil {
		t.Fatal(err)
	}
	var emf, logs bytes.Buffer
	app, err := setup.BuildWith(ctx, loaded.Config, setup.Options{
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Metrics: metrics.NewEmitter(&emf, metrics.Options{}),
		Secrets: loaded.Secrets, Reload: loaded.Reload,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	// A second function instance that cannot refresh: it shows what the
	// rotation looks like without Ferry's refetch.
	stale, err := setup.Build(ctx, loaded.Config, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stale.Close() })

	for i := range 3 {
		if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
			t.Fatalf("sign-in %d before rotation: %v\n%s", i, err, logs.String())
		}
	}
	if err := signIn(t, stale.Handler, "alice", "Alice-pw-1"); err != nil {
		t.Fatalf("stale instance before rotation: %v", err)
	}
	if got := sm.Requests("secretsmanager.GetSecretValue"); got != 1 {
		t.Fatalf("fetches before rotation = %d, want 1", got)
	}

	// Rotate: the database first, then the secret. Sessions opened with
	// the old password live on; the source's pool opens a new connection
	// per sign-in here (conn_max_lifetime 1ms), as a recycled one would.
	if _, err := admin.ExecContext(ctx, `ALTER ROLE `+role+` PASSWORD 'new-Pw-2'`); err != nil {
		t.Fatal(err)
	}
	putSecret(sm, "new-Pw-2")

	// Without a refetch: the old password is refused, as a credentials
	// fault, never a wrong password.
	_, staleErr := stale.Migrator.Migrate(ctx, migrationRequest("alice", "Alice-pw-1"))
	if !errors.Is(staleErr, source.ErrBackendAuth) {
		t.Errorf("stale instance after rotation = %v, want source.ErrBackendAuth", staleErr)
	}
	// With it: the refusal makes Ferry fetch the secret, reopen and retry.
	if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
		t.Fatalf("sign-in after rotation: %v\n%s", err, logs.String())
	}
	if got := sm.Requests("secretsmanager.GetSecretValue"); got != 2 {
		t.Errorf("fetches after rotation = %d, want 2", got)
	}
	if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
		t.Fatalf("second sign-in after rotation: %v", err)
	}
	if !strings.Contains(logs.String(), "source reopened with fresh secrets") {
		t.Errorf("logs lack the reopen:\n%s", logs.String())
	}
	for _, v := range []string{"old-Pw-1", "new-Pw-2", "Alice-pw-1"} {
		if strings.Contains(logs.String(), v) || strings.Contains(emf.String(), v) {
			t.Errorf("secret %q in the logs or metrics", v)
		}
	}
	lines, err := emftest.Lines(emf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.Dim("Outcome") != "migrated" || l.Dim("HashFamily") != "bcrypt" || l.Dim("Source") != "legacy" {
			t.Errorf("EMF line %v, want a bcrypt migration from legacy", l.Members)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d EMF lines, want 5", len(lines))
	}
}

func pgAdmin(t *testing.T) *sql.DB {
	t.Helper()
	dsn := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	return db
}
