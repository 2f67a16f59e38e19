package sqlsource

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

func TestAuthFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		auth bool
	}{
		{"nil", nil, false},
		{"postgres invalid password", &pgconn.PgError{Code: "28P01", Message: "password authentication failed"}, true},
		{"postgres wrapped", fmt.Errorf("connect: %w", &pgconn.PgError{Code: "28P01"}), true},
		{"postgres other", &pgconn.PgError{Code: "3D000"}, false},
		{"mysql access denied", &mysql.MySQLError{Number: 1045, Message: "Access denied"}, true},
		{"mysql other", &mysql.MySQLError{Number: 1049}, false},
		{"plain", errors.New("connection refused"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := authFault(tt.err)
			if errors.Is(got, source.ErrBackendAuth) != tt.auth {
				t.Fatalf("authFault(%v) = %v, ErrBackendAuth want %v", tt.err, got, tt.auth)
			}
			if tt.err != nil && !errors.Is(got, tt.err) {
				t.Fatalf("authFault lost the cause: %v", got)
			}
		})
	}
}

// TestAuthFaultFromServers points a source at the real servers with a
// wrong password: the refusal is a credentials fault, and a good login is
// not.
func TestAuthFaultFromServers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, driver, envVar, what string
		wrong                      func(t *testing.T, dsn string) string
	}{
		{"postgres", DriverPostgres, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL", func(t *testing.T, dsn string) string {
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			u.User = url.UserPassword(u.User.Username(), "not-the-password")
			return u.String()
		}},
		{"mysql", DriverMySQL, "FERRY_TEST_MYSQL_DSN", "MariaDB", func(t *testing.T, dsn string) string {
			c, err := mysql.ParseDSN(dsn)
			if err != nil {
				t.Fatal(err)
			}
			c.Passwd = "not-the-password"
			return c.FormatDSN()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dsn := testenv.Env(t, tt.envVar, tt.what)
			for _, c := range []struct {
				dsn  string
				auth bool
			}{{tt.wrong(t, dsn), true}, {dsn, false}} {
				s, err := Config{Preset: "django", Driver: tt.driver, DSN: c.dsn}.Open(t.Context(), "legacy", nil)
				if err != nil {
					t.Fatal(err)
				}
				_, err = s.Lookup(t.Context(), "alice")
				s.Close()
				if errors.Is(err, source.ErrBackendAuth) != c.auth {
					t.Errorf("Lookup with auth=%v credentials = %v", !c.auth, err)
				}
			}
		})
	}
}
