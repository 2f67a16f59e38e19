package sqlsource

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MigratedColumn is the column the presets' write-back sets. It is not part
// of any of the legacy schemas: add it to the users table (see
// docs/sources.md, or Schema's DDL) to record progress, or set
// query.migrated to "none".
const MigratedColumn = "ferry_migrated_at"

// shape is one preset's users, written once: the lookup queries, the
// listing and the count are all built from it, so sign-in, `ferry status`
// and `ferry export` read the same rows. Everything is in the presets'
// house style ($n placeholders, "ident" quoting; see dialect.sql).
type shape struct {
	// sel is the SELECT list, from the FROM clause.
	sel, from string
	// where is a fixed condition, numbered over Params from $1 (the lookups
	// shift it past the name); empty for none.
	where string
	// byUsername and byEmail are the lookup conditions on the name ($1).
	byUsername, byEmail string
	// key is the unique key the listing pages by; keySel, when set, is how
	// it is selected for binding back (a SQL Server uniqueidentifier scans
	// as mixed-endian bytes, its text form binds back as itself).
	key, keySel string
	// mark is the MigratedColumn, always qualified with its table: SQLite
	// reads an unqualified "name" that is no column as a string literal,
	// which would make a missing column look like a mark on every row.
	mark string
	// markTable and markKey are where the write-back sets the mark.
	markTable, markKey string
	// sample selects one real user's hash columns (the dummy hash).
	sample string
	// cfg holds the preset's Lookup, Fold, Columns, Attributes, HashFormat
	// and its private rules.
	cfg Config
}

// presetDef is a preset: the tables whose columns it looks at when the
// source first connects (the optional columns of its framework's schema)
// and the shape it then builds.
type presetDef struct {
	tables func(c Config) []string
	build  func(d dialect, c Config, t *tables) shape
}

var presets = map[string]presetDef{
	"aspnet-identity":   {tables: fixedTables(identityTable), build: aspnetIdentity},
	"aspnet-membership": {build: aspnetMembership},
	"django":            {build: django},
	"wordpress":         {tables: wordpressTables, build: wordpress},
	"devise":            {tables: fixedTables("users"), build: devise},
	"laravel":           {build: laravel},
	"keycloak":          {tables: fixedTables(keycloakUsers, strings.ToUpper(keycloakUsers)), build: keycloak},
}

func fixedTables(names ...string) func(Config) []string {
	return func(Config) []string { return names }
}

// Presets lists the preset names.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// PresetConfig returns the configuration preset name fills for driver,
// before any override and for the framework's default schema (optional
// columns are looked for only when a source connects): what `ferry check`
// shows and what docs/sources.md documents.
func PresetConfig(name, driver string) (Config, bool) {
	p, ok := presets[name]
	d, dok := dialects[driver]
	if !ok || !dok {
		return Config{}, false
	}
	c := p.build(d, Config{}, nil).config(d)
	c.Preset, c.Driver = name, driver
	return c, true
}

// config returns the Config the shape stands for in dialect d.
func (s shape) config(d dialect) Config {
	c := s.cfg
	lookup := func(cond string) string {
		return d.sql(`SELECT ` + s.sel + ` FROM ` + s.from + ` WHERE ` + cond + andFixed(s.where, 1))
	}
	c.Query.ByUsername = lookup(s.byUsername)
	if s.byEmail != "" {
		c.Query.ByEmail = lookup(s.byEmail)
	}
	c.Query.Sample = d.sql(s.sample)
	c.Query.Migrated = d.sql(`UPDATE "` + s.markTable + `" SET "` + MigratedColumn + `" = ` + d.now +
		` WHERE "` + s.markKey + `" = $1 AND "` + MigratedColumn + `" IS NULL`)
	return c
}

// andFixed returns " AND " + fixed with its placeholders shifted by n, or
// "" for no fixed condition.
func andFixed(fixed string, n int) string {
	if fixed == "" {
		return ""
	}
	return " AND " + shift(fixed, n)
}

var placeholderRE = regexp.MustCompile(`\$[1-9][0-9]*`)

// shift renumbers the house-style placeholders of q by n ($1 → $1+n).
func shift(q string, n int) string {
	return placeholderRE.ReplaceAllStringFunc(q, func(p string) string {
		i, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(i+n)
	})
}

// tables is what the source found when it first connected: each probed
// table's columns, lower-cased, and nil for a table that is not there. A nil
// *tables (before connecting, or for documentation) answers as the
// framework's default schema.
type tables struct {
	cols map[string]map[string]bool
}

// exists reports whether table was found; def when nothing was probed.
func (t *tables) exists(table string, def bool) bool {
	if t == nil {
		return def
	}
	return t.cols[table] != nil
}

// has reports whether table has column col; def when nothing was probed.
func (t *tables) has(table, col string, def bool) bool {
	if t == nil {
		return def
	}
	return t.cols[table][strings.ToLower(col)]
}

// isNone reports whether a statement is switched off.
func isNone(q string) bool {
	q = strings.TrimSpace(q)
	return q == "" || strings.EqualFold(q, "none")
}
