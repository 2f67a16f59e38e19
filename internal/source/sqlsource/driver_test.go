package sqlsource

import (
	"database/sql"
	"slices"
	"testing"
)

// Every build but the Lambda one carries the SQLite driver; tests, the CLI
// and the demo depend on it.
func TestSQLiteDriverBuiltIn(t *testing.T) {
	if !slices.Contains(sql.Drivers(), dialects[DriverSQLite].sqlDriver) {
		t.Fatalf("sqlite driver not registered; drivers: %v", sql.Drivers())
	}
}
