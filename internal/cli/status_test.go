package cli

import (
	"bufio"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// legacyUser is one row of the Django directory the status and export
// tests seed.
type legacyUser struct {
	username, email, first, last string
	active, marked               bool
}

// legacyDirectory: ten users, two marked migrated, one inactive, one
// without an email (no verified channel), one whose username has a space,
// one whose name holds a comma. Five are left to export.
var legacyDirectory = []legacyUser{
	{username: "user0", email: "user0@example.com", first: "Ann", active: true, marked: true},
	{username: "user1", email: "user1@example.com", first: "Ben", active: true, marked: true},
	{username: "user2", email: "user2@example.com", first: "Cy"},
	{username: "user3", first: "Di", active: true},
	{username: "user4", email: "user4@example.com", first: "Jane", last: "Doe, Jr.", active: true},
	{username: "bob smith", email: "bob@example.com", first: "Bob", active: true},
	{username: "user6", email: "user6@example.com", first: "Eve", active: true},
	{username: "user7", email: "user7@example.com", first: "Fay", active: true},
	{username: "user8", email: "user8@example.com", first: "Gus", active: true},
	{username: "user9", email: "user9@example.com", first: "Hal", active: true},
}

// legacyDjangoConfig seeds legacyDirectory into a Django auth_user table on
// driver (sqlite, or postgres through FERRY_TEST_POSTGRES_DSN in a schema
// of its own) and writes a configuration for it.
func legacyDjangoConfig(t *testing.T, driver string) string {
	t.Helper()
	dir := t.TempDir()
	var sqlDriver, dsn string
	switch driver {
	case sqlsource.DriverSQLite:
		sqlDriver, dsn = "sqlite", "file:"+filepath.Join(dir, "legacy.db")
	case sqlsource.DriverPostgres:
		base := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
		ns := "ferry_cli_" + strings.ToLower(rand.Text()[:10])
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+ns); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("DROP SCHEMA " + ns + " CASCADE") })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", ns)
		u.RawQuery = q.Encode()
		sqlDriver, dsn = "pgx", u.String()
	default:
		t.Fatalf("no test directory on %s", driver)
	}
	db := djangoTables(t, sqlDriver, dsn, driver)
	insert := `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, ` +
		`is_active, date_joined, ferry_migrated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	if driver == sqlsource.DriverSQLite {
		insert = regexp.MustCompile(`\$\d+`).ReplaceAllString(insert, "?")
	}
	joined := time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, u := range legacyDirectory {
		var mark any
		if u.marked {
			mark = joined
		}
		// A realistic hash, so the tests can check none reaches the file.
		hash := "pbkdf2_sha256$600000$s4lt$" + strings.Repeat("h", 43)
		if _, err := db.ExecContext(t.Context(), insert, hash, false, u.username, u.first, u.last, u.email, false,
			u.active, joined, mark); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "ferry.yaml")
	cfg := fmt.Sprintf(`sources:
  - name: django
    type: sql
    config: {preset: django, driver: %s, dsn: %q}
migration:
  assume_email_verified: true
  mark_migrated: true
log: {level: warn}
`, driver, dsn)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// forEachLegacyDriver runs fn on SQLite and on PostgreSQL.
func forEachLegacyDriver(t *testing.T, fn func(t *testing.T, cfg string)) {
	for _, driver := range []string{sqlsource.DriverSQLite, sqlsource.DriverPostgres} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			fn(t, legacyDjangoConfig(t, driver))
		})
	}
}

// poolWithOneLegacyUser is a local pool holding user6 (migrated earlier)
// and a user who signed up there.
func poolWithOneLegacyUser(t *testing.T) *cognitotest.Server {
	srv := cognitotest.NewServer(t)
	srv.CreateUser(t, "user6", "Passw0rd!x", "email", "user6@example.com")
	srv.CreateUser(t, "newcomer", "Passw0rd!x", "email", "new@example.com")
	return srv
}

func TestStatus(t *testing.T) {
	t.Parallel()
	forEachLegacyDriver(t, func(t *testing.T, cfg string) {
		srv := poolWithOneLegacyUser(t)
		tests := []struct {
			name string
			args []string
			want []string
		}{
			{name: "marks only", args: []string{"--config", cfg},
				want: []string{"source django (sql):", "legacy users:   10", "marked migrated: 2", "migrated:       2 (20.0%)", "remaining:      8",
					"note: marks are optimistic"}},
			{name: "with the pool", args: []string{"--config", cfg, "--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL},
				want: []string{"in the pool:    1", "marked but absent from the pool: 2", "migrated:       1 (10.0%)", "remaining:      9 (1 of them disabled",
					"pool " + srv.PoolID + ": 2 users, 1 from the legacy sources, 1 created otherwise"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				out, _, err := ferryRun(t, "", append([]string{"status"}, tt.args...)...)
				if err != nil {
					t.Fatalf("status: %v\n%s", err, out)
				}
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
			})
		}
	})
}

func TestStatusJSONWatch(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	srv := poolWithOneLegacyUser(t)
	out, _, err := ferryRun(t, "", "status", "--config", cfg, "--json", "--watch", "10ms", "--count", "2",
		"--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL)
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	reports := 0
	for sc.Scan() {
		var r progress.StatusReport
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("report %d: %v", reports+1, err)
		}
		reports++
		if len(r.Sources) != 1 || r.Pool == nil {
			t.Fatalf("report %d: %+v", reports, r)
		}
		s := r.Sources[0]
		if s.Total != 10 || !s.Marked || s.MarkedMigrated != 2 || s.InPool == nil || *s.InPool != 1 ||
			s.Migrated != 1 || s.Remaining != 9 || r.Pool.Users != 2 || r.Pool.FromLegacy != 1 || r.Pool.Other != 1 ||
			s.MarkedAbsent == nil || *s.MarkedAbsent != 2 ||
			!slices.Equal(s.MarkedAbsentUsers, []progress.LegacyName{{ID: "1", Username: "user0"}, {ID: "2", Username: "user1"}}) {
			t.Errorf("report %d: source %+v, pool %+v", reports, s, *r.Pool)
		}
	}
	if reports != 2 {
		t.Errorf("%d reports, want 2 (--count 2)", reports)
	}
}

func TestStatusWithoutMarks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte(`users:
  - {username: alice, email: alice@example.com, password_hash: "$2a$04$abcdefghijklmnopqrstuu5F7uFZ6gBiGgBWjXBcwGmq4U1xSbYWy"}
  - {username: bob, email: bob@example.com, password_hash: "$2a$04$abcdefghijklmnopqrstuu5F7uFZ6gBiGgBWjXBcwGmq4U1xSbYWy"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  - {name: file, type: file, config: {path: "+users+"}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := cognitotest.NewServer(t)
	srv.CreateUser(t, "bob", "Passw0rd!x", "email", "bob@example.com")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "no pool", args: nil, want: []string{"marked migrated: unknown (a file source keeps no migration marks; give --user-pool-id"}},
		{name: "the pool tells", args: []string{"--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL},
			want: []string{"in the pool:    1", "migrated:       1 (50.0%)", "remaining:      1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", append([]string{"status", "--config", cfg}, tt.args...)...)
			if err != nil {
				t.Fatalf("status: %v\n%s", err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestStatusFlags(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	tests := []struct {
		name string
		args []string
	}{
		{name: "no config", args: nil},
		{name: "negative watch", args: []string{"--config", cfg, "--watch", "-1s"}},
		{name: "zero count", args: []string{"--config", cfg, "--watch", "1s", "--count", "0"}},
		{name: "no pool users", args: []string{"--config", cfg, "--max-pool-users", "0"}},
		{name: "missing config file", args: []string{"--config", filepath.Join(t.TempDir(), "none.yaml")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if out, _, err := ferryRun(t, "", append([]string{"status"}, tt.args...)...); err == nil {
				t.Errorf("status %v succeeded:\n%s", tt.args, out)
			}
		})
	}
}

// withUnlistedSource adds to cfg a second source on the same table, with
// its own queries and no preset: a SQL source that cannot list its users.
func withUnlistedSource(t *testing.T, cfg string) string {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dsn := regexp.MustCompile(`dsn: ("[^"]*")`).FindStringSubmatch(string(b))[1]
	custom := `  - name: custom
    type: sql
    config:
      driver: sqlite
      dsn: ` + dsn + `
      query: {by_username: "SELECT id, username, password FROM auth_user WHERE username = ?", sample: "SELECT password FROM auth_user LIMIT 1"}
      columns: {id: id, username: username, password_hash: password}
migration:`
	path := filepath.Join(t.TempDir(), "two.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "migration:", custom, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStatusUnlistedSource(t *testing.T) {
	t.Parallel()
	cfg := withUnlistedSource(t, legacyDjangoConfig(t, sqlsource.DriverSQLite))
	out, _, err := ferryRun(t, "", "status", "--config", cfg)
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	for _, w := range []string{"source django (sql):", "legacy users:   10", "source custom (sql):", "not counted: ", "needs a preset"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestStatusPoolBound(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	srv := poolWithOneLegacyUser(t)
	out, _, err := ferryRun(t, "", "status", "--config", cfg, "--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL, "--max-pool-users", "1")
	if err == nil || !strings.Contains(err.Error(), "more than 1 users") {
		t.Errorf("status with a pool over --max-pool-users = %v\n%s", err, out)
	}
}

// TestStatusPoolWithUnlistedSource: pool users are not said to be
// "created otherwise" when a source that may hold them was not counted.
func TestStatusPoolWithUnlistedSource(t *testing.T) {
	t.Parallel()
	cfg := withUnlistedSource(t, legacyDjangoConfig(t, sqlsource.DriverSQLite))
	srv := poolWithOneLegacyUser(t)
	out, _, err := ferryRun(t, "", "status", "--config", cfg, "--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL)
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	want := "pool " + srv.PoolID + ": 2 users, 1 from the listed legacy sources; 1 not matched, some of whom may come from custom, which could not be counted"
	if !strings.Contains(out, want) || strings.Contains(out, "created otherwise") {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// djangoTables opens dsn with sqlDriver, creates the django preset's tables
// for driver in it, and closes it when t ends.
func djangoTables(t *testing.T, sqlDriver, dsn, driver string) *sql.DB {
	t.Helper()
	db, err := sql.Open(sqlDriver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ddl, err := sqlsource.Schema("django", driver)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	return db
}
