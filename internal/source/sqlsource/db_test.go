package sqlsource

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// testDB is a namespace of its own in a real database (a PostgreSQL schema,
// a MariaDB database, an SQLite file), dropped when the test ends, so tests
// run in parallel without seeing each other's tables.
type testDB struct {
	driver string
	dsn    string
	db     *sql.DB
	d      dialect
}

// testDrivers lists the drivers tests run on. SQLite always runs;
// PostgreSQL and MariaDB need the servers scripts/services.sh starts (and
// skip, or fail under FERRY_REQUIRE_INTEGRATION=1, without them). SQL
// Server joins only when FERRY_TEST_SQLSERVER_DSN names one: no SQL Server
// runs on the CI machines, so its absence is neither a skip nor a failure.
var testDrivers = func() []string {
	d := []string{DriverSQLite, DriverPostgres, DriverMySQL}
	if os.Getenv(sqlServerDSNVar) != "" {
		d = append(d, DriverSQLServer)
	}
	return d
}()

// sqlServerDSNVar names a SQL Server login allowed to create databases,
// e.g. sqlserver://sa:…@127.0.0.1:1433.
const sqlServerDSNVar = "FERRY_TEST_SQLSERVER_DSN"

func newTestDB(t testing.TB, driver string) *testDB {
	t.Helper()
	ns := "ferry_t_" + strings.ToLower(rand.Text()[:12])
	tdb := &testDB{driver: driver, d: dialects[driver]}
	switch driver {
	case DriverSQLite:
		tdb.dsn = "file:" + filepath.Join(t.TempDir(), "legacy.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	case DriverPostgres:
		base := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
		admin := openDB(t, "pgx", base)
		mustExec(t, admin, `CREATE SCHEMA `+ns)
		t.Cleanup(func() { dropNamespace(t, admin, `DROP SCHEMA `+ns+` CASCADE`) })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("FERRY_TEST_POSTGRES_DSN: %v", err)
		}
		q := u.Query()
		q.Set("search_path", ns)
		u.RawQuery = q.Encode()
		tdb.dsn = u.String()
	case DriverMySQL:
		base := testenv.Env(t, "FERRY_TEST_MYSQL_DSN", "MariaDB")
		admin := openDB(t, "mysql", base)
		mustExec(t, admin, "CREATE DATABASE "+ns+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		t.Cleanup(func() { dropNamespace(t, admin, "DROP DATABASE "+ns) })
		cfg, err := mysql.ParseDSN(base)
		if err != nil {
			t.Fatalf("FERRY_TEST_MYSQL_DSN: %v", err)
		}
		cfg.DBName = ns
		tdb.dsn = cfg.FormatDSN()
	case DriverSQLServer:
		base := os.Getenv(sqlServerDSNVar)
		admin := openDB(t, "sqlserver", base)
		mustExec(t, admin, "CREATE DATABASE "+ns)
		t.Cleanup(func() {
			dropNamespace(t, admin, "ALTER DATABASE "+ns+" SET SINGLE_USER WITH ROLLBACK IMMEDIATE")
			dropNamespace(t, admin, "DROP DATABASE "+ns)
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("%s: %v", sqlServerDSNVar, err)
		}
		q := u.Query()
		q.Set("database", ns)
		u.RawQuery = q.Encode()
		tdb.dsn = u.String()
	default:
		t.Fatalf("no test database for driver %q", driver)
	}
	tdb.db = openDB(t, tdb.d.sqlDriver, tdb.dsn)
	return tdb
}

func openDB(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("sql.Open(%s): %v", driver, err)
	}
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	return db
}

func dropNamespace(t testing.TB, db *sql.DB, stmt string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Errorf("%s: %v", stmt, err)
	}
}

func mustExec(t testing.TB, db *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), stmt, args...); err != nil {
		t.Fatalf("%.120s: %v", stmt, err)
	}
}

// exec runs a statement written in the presets' house style ($n, "ident").
func (tdb *testDB) exec(t testing.TB, stmt string, args ...any) {
	t.Helper()
	mustExec(t, tdb.db, tdb.d.sql(stmt), args...)
}

// ddl runs DDL written with the portable type tokens of schema.go.
func (tdb *testDB) ddl(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		mustExec(t, tdb.db, tdb.d.sql(schemaTypes(tdb.d).Replace(s)))
	}
}

// preset creates preset's tables as its framework's default migration does.
func (tdb *testDB) preset(t testing.TB, name string) {
	t.Helper()
	tdb.presetVariant(t, name, "")
}

// presetVariant creates preset's tables as variant of its framework's DDL
// does ("" for the default; see SchemaVariants).
func (tdb *testDB) presetVariant(t testing.TB, name, variant string) {
	t.Helper()
	stmts, err := SchemaVariant(name, variant, tdb.driver)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		mustExec(t, tdb.db, s)
	}
}

// open opens a Source on the test database with c (Driver and DSN filled).
func (tdb *testDB) open(t testing.TB, c Config) *Source {
	t.Helper()
	c.Driver, c.DSN = tdb.driver, tdb.dsn
	if c.QueryTimeout == 0 {
		// The production default (2 s) is for a lone Lambda; 50 concurrent
		// calls on a shared 2-core test machine queue for the 2 pooled
		// connections far longer than that.
		c.QueryTimeout = time.Minute
	}
	s, err := c.Open(t.Context(), "legacy", discard())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func forEachDriver(t *testing.T, fn func(t *testing.T, driver string)) {
	for _, driver := range testDrivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			fn(t, driver)
		})
	}
}

func id(n int64) string { return fmt.Sprint(n) }

// TestSQLServer says, in every run, whether SQL Server joined the matrix:
// it is not required anywhere (no SQL Server runs in CI), so without
// FERRY_TEST_SQLSERVER_DSN it skips with the way to add it.
func TestSQLServer(t *testing.T) {
	if os.Getenv(sqlServerDSNVar) == "" {
		t.Skipf("skipping SQL Server: set %s=sqlserver://sa:…@127.0.0.1:1433 to run every preset's DDL and statements on it too", sqlServerDSNVar)
	}
	t.Logf("SQL Server is in the driver matrix of every test of this package (%s set)", sqlServerDSNVar)
}
