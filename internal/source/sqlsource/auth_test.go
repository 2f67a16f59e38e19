package sqlsource

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferry-migrate/ferry/internal/source"
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
