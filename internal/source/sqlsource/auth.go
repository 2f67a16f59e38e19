package sqlsource

import (
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Server answers that mean the database refused Ferry's own login.
const (
	// pgInvalidPassword is PostgreSQL's SQLSTATE invalid_password.
	pgInvalidPassword = "28P01"
	// mysqlAccessDenied is MySQL's and MariaDB's ER_ACCESS_DENIED_ERROR.
	mysqlAccessDenied = 1045
)

// authFault marks err with source.ErrBackendAuth when the database refused
// the DSN's credentials, so a rotated password can be told from a database
// that is down.
func authFault(err error) error {
	if err == nil || errors.Is(err, source.ErrBackendAuth) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == pgInvalidPassword {
		return fmt.Errorf("%w: %w", source.ErrBackendAuth, err)
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) && my.Number == mysqlAccessDenied {
		return fmt.Errorf("%w: %w", source.ErrBackendAuth, err)
	}
	return err
}
