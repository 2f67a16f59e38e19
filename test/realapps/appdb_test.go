package realapps

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// appDB is an empty database of its own for one framework site, dropped
// when the test ends: env are the DB_* variables the site's script reads
// (the names internal/source/sqlsource/testdata/frameworks/scratch.sh
// gives the generators), dsn is how Ferry reaches the same database.
type appDB struct {
	driver string
	env    []string
	dsn    string
	// path is the SQLite file.
	path string
}

// newAppDB makes an appDB on driver: an SQLite file, a PostgreSQL schema
// or a MariaDB database on the servers scripts/services.sh starts. The
// MariaDB database compares case-insensitively (utf8mb4_unicode_ci, as
// MariaDB's own defaults do); "mysql_bin" is a MariaDB database whose
// collation compares exactly (utf8mb4_bin), its driver "mysql".
func newAppDB(t *testing.T, driver string) appDB {
	t.Helper()
	db := appDB{driver: driver}
	switch driver {
	case "sqlite":
		db.path = filepath.Join(t.TempDir(), "site.sqlite3")
		db.env = []string{"DB_NAME=" + db.path}
		db.dsn = "file:" + db.path + "?_pragma=busy_timeout(10000)"
	case "postgres":
		base := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("FERRY_TEST_POSTGRES_DSN: %v", err)
		}
		schema := scratchName()
		conn, err := pgx.Connect(t.Context(), base)
		if err != nil {
			t.Fatalf("PostgreSQL: %v", err)
		}
		if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
			conn.Close(ctx)
		})
		password, _ := u.User.Password()
		db.env = []string{"DB_HOST=" + u.Hostname(), "DB_PORT=" + u.Port(), "DB_USER=" + u.User.Username(),
			"DB_PASSWORD=" + password, "DB_NAME=" + strings.TrimPrefix(u.Path, "/"), "DB_SCHEMA=" + schema}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db.dsn = u.String()
	case "mysql", "mysql_bin":
		collation := "utf8mb4_unicode_ci"
		if driver == "mysql_bin" {
			collation = "utf8mb4_bin"
		}
		db.driver = "mysql"
		base := testenv.Env(t, "FERRY_TEST_MYSQL_DSN", "MariaDB")
		cfg, err := mysql.ParseDSN(base)
		if err != nil {
			t.Fatalf("FERRY_TEST_MYSQL_DSN: %v", err)
		}
		name := scratchName()
		admin, err := sql.Open("mysql", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE "+collation); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name); err != nil {
				t.Errorf("drop database %s: %v", name, err)
			}
		})
		host, port, _ := strings.Cut(cfg.Addr, ":")
		db.env = []string{"DB_HOST=" + host, "DB_PORT=" + port, "DB_USER=" + cfg.User, "DB_PASSWORD=" + cfg.Passwd, "DB_NAME=" + name}
		cfg.DBName = name
		db.dsn = cfg.FormatDSN()
	default:
		t.Fatalf("no site database for driver %q", driver)
	}
	return db
}

// frameworksDir is where the frameworks' DDL generators and the files they
// share with the sites here live.
var frameworksDir = filepath.Join("..", "..", "internal", "source", "sqlsource", "testdata", "frameworks")
