package sqlsource

import (
	"slices"
	"strconv"
	"strings"

	// The database/sql drivers, one per supported Driver. SQLite's is in
	// driver_sqlite.go, so the Lambda build can leave it out.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/microsoft/go-mssqldb"
)

// dialect is what differs between the drivers in the SQL that presets
// generate: the database/sql driver name, the placeholder style, identifier
// quoting, "first row only" and the current time.
type dialect struct {
	// driver is the Config.Driver value.
	driver string
	// sqlDriver is the name the driver registers with database/sql.
	sqlDriver string
	// now is the SQL expression for the current time.
	now string
}

var dialects = map[string]dialect{
	DriverPostgres:  {driver: DriverPostgres, sqlDriver: "pgx", now: "now()"},
	DriverMySQL:     {driver: DriverMySQL, sqlDriver: "mysql", now: "NOW()"},
	DriverSQLite:    {driver: DriverSQLite, sqlDriver: "sqlite", now: "CURRENT_TIMESTAMP"},
	DriverSQLServer: {driver: DriverSQLServer, sqlDriver: "sqlserver", now: "SYSUTCDATETIME()"},
}

func driverNames() []string {
	names := make([]string, 0, len(dialects))
	for n := range dialects {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// placeholder returns the driver's n-th (1-based) parameter placeholder.
func (d dialect) placeholder(n int) string {
	switch d.driver {
	case DriverMySQL, DriverSQLite:
		return "?"
	case DriverSQLServer:
		return "@p" + strconv.Itoa(n)
	default:
		return "$" + strconv.Itoa(n)
	}
}

// sql rewrites a statement written in the presets' house style — $1, $2 …
// placeholders in ascending order of appearance, "double-quoted"
// identifiers, a trailing LIMIT 1 — into d's dialect. Preset statements
// contain no string literals with '$' or '"', which is what makes this
// textual rewrite exact.
func (d dialect) sql(q string) string {
	var b strings.Builder
	open := true
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '$' && i+1 < len(q) && q[i+1] >= '1' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(q[i+1 : j])
			b.WriteString(d.placeholder(n))
			i = j - 1
		case c == '"' && d.driver == DriverMySQL:
			b.WriteByte('`')
		case c == '"' && d.driver == DriverSQLServer:
			if open {
				b.WriteByte('[')
			} else {
				b.WriteByte(']')
			}
			open = !open
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if d.driver == DriverSQLServer {
		if rest, ok := strings.CutSuffix(out, " LIMIT 1"); ok {
			if after, ok := strings.CutPrefix(rest, "SELECT "); ok {
				out = "SELECT TOP 1 " + after
			}
		}
	}
	return out
}
