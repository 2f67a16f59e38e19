package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.Lister = (*Source)(nil)

// ErrNoListing: the source has no preset, so Ferry does not know which
// table to list; `ferry status` and `ferry export` need a preset.
var ErrNoListing = errors.New("listing users needs a preset (a custom configuration names no users table)")

// ListPageSize is the number of rows one listing query reads: large enough
// that 40,000 users take 40 round trips, small enough that a page of wide
// rows stays well under a megabyte in memory.
const ListPageSize = 1000

// listing is how a preset's users are listed: the lookup query's SELECT
// list, its FROM clause, a fixed condition (bound to Params), the unique
// key the pages are ordered by, and where the write-back mark lives. All in
// the presets' house style ($n, "ident").
type listing struct {
	sel   string
	from  string
	where string // may use $1 … for Params; empty for none
	key   string
	// keySel, when set, is how the key is selected for binding back: a
	// SQL Server uniqueidentifier scans as mixed-endian bytes, its text form
	// binds back as itself.
	keySel string
	// mark is the MigratedColumn, always qualified with its table: SQLite
	// reads an unqualified "name" that is no column as a string literal,
	// which would make a missing column look like a mark on every row.
	mark string
}

// listings holds one listing per preset; TestListingsCovered keeps it in
// step with presets.
var listings = map[string]func(d dialect) listing{
	"aspnet-identity": func(dialect) listing {
		return listing{
			sel: `"Id", "UserName", "Email", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", ` +
				`"PasswordHash", "LockoutEnd", "LockoutEnabled"`,
			from: `"AspNetUsers"`, key: `"Id"`, mark: `"AspNetUsers"."` + MigratedColumn + `"`,
		}
	},
	"aspnet-membership": func(d dialect) listing {
		userID, keySel := `u."UserId"`, ""
		if d.driver == DriverSQLServer {
			userID = `CAST(u."UserId" AS NVARCHAR(36)) AS "UserId"`
			keySel = `CAST(u."UserId" AS NVARCHAR(36))`
		}
		return listing{
			sel: userID + `, u."UserName", m."Email", ` +
				`CASE WHEN m."PasswordFormat" = 1 THEN m."Password" END AS "PasswordHash", m."PasswordSalt", ` +
				`m."IsApproved", m."IsLockedOut"`,
			from: `"aspnet_Users" u JOIN "aspnet_Membership" m ON m."UserId" = u."UserId"`,
			key:  `u."UserId"`, keySel: keySel, mark: `m."` + MigratedColumn + `"`,
		}
	},
	"django": func(dialect) listing {
		return listing{
			sel: `"id", "username", "email", "first_name", "last_name", "is_active", ` +
				`CASE WHEN "password" LIKE '!%' THEN NULL ELSE "password" END AS "password"`,
			from: `"auth_user"`, key: `"id"`, mark: `"auth_user"."` + MigratedColumn + `"`,
		}
	},
	"wordpress": func(dialect) listing {
		return listing{
			sel:  `"ID", "user_login", "user_email", "display_name", "user_pass", "user_status"`,
			from: `"wp_users"`, key: `"ID"`, mark: `"wp_users"."` + MigratedColumn + `"`,
		}
	},
	"devise": func(dialect) listing {
		return listing{
			sel:  `"id", "email", "encrypted_password", "confirmed_at", "locked_at"`,
			from: `"users"`, key: `"id"`, mark: `"users"."` + MigratedColumn + `"`,
		}
	},
	"laravel": func(dialect) listing {
		return listing{
			sel:  `"id", "name", "email", "email_verified_at", "password"`,
			from: `"users"`, key: `"id"`, mark: `"users"."` + MigratedColumn + `"`,
		}
	},
	"keycloak": func(dialect) listing {
		return listing{
			sel: `u."id", u."username", u."email", u."email_verified", u."enabled", u."first_name", u."last_name", ` +
				`c."credential_data", c."secret_data"`,
			from: `"user_entity" u JOIN "realm" r ON r."id" = u."realm_id" ` +
				`LEFT JOIN "credential" c ON c."user_id" = u."id" AND c."type" = 'password'`,
			where: `r."name" = $1`, key: `u."id"`, mark: `u."` + MigratedColumn + `"`,
		}
	},
}

// The aliases listing queries add to the lookup's columns.
const (
	keyAlias  = "ferry_key"
	markAlias = "ferry_migrated"
)

// listing returns the source's listing, or ErrNoListing.
func (s *Source) listing() (listing, error) {
	l, ok := listings[s.cfg.Preset]
	if !ok {
		return listing{}, ErrNoListing
	}
	return l(dialects[s.cfg.Driver]), nil
}

// marks reports whether the source's write-back marks can be read, and if
// not, why. Marks are read only when the write-back is the preset's own
// (a custom statement may set any column) and its column exists.
func (s *Source) marks(ctx context.Context, l listing) (bool, string, error) {
	p, _ := PresetConfig(s.cfg.Preset, s.cfg.Driver)
	switch {
	case isNone(s.cfg.Query.Migrated):
		return false, "the write-back is off (query.migrated: none)", nil
	case s.cfg.Query.Migrated != p.Query.Migrated:
		return false, "query.migrated is a custom statement, whose marks Ferry cannot read", nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	d := dialects[s.cfg.Driver]
	probe := func(cols string) error {
		rows, err := s.db.QueryContext(ctx, d.sql(`SELECT `+cols+` FROM `+l.from+` WHERE 1 = 0`))
		if err != nil {
			return err
		}
		return rows.Close()
	}
	if err := probe(l.mark); err == nil {
		return true, "", nil
	}
	// Either the column is missing or the database is unreachable: a probe
	// without the column tells them apart.
	if err := probe(l.key); err != nil {
		return false, "", err
	}
	return false, fmt.Sprintf("the users table has no %s column yet (see docs/sources.md)", MigratedColumn), nil
}

// where joins the listing's fixed condition and cond with AND.
func where(fixed, cond string) string {
	switch {
	case fixed == "" && cond == "":
		return ""
	case fixed == "":
		return " WHERE " + cond
	case cond == "":
		return " WHERE " + fixed
	}
	return " WHERE " + fixed + " AND " + cond
}

// Count counts the listed users and, when the marks can be read, the
// migrated ones, in one query.
func (s *Source) Count(ctx context.Context) (source.Counts, error) {
	const op = "count"
	l, err := s.listing()
	if err != nil {
		return source.Counts{}, s.fault(op, err)
	}
	marked, reason, err := s.marks(ctx, l)
	if err != nil {
		return source.Counts{}, s.fault(op, err)
	}
	migrated := "0"
	if marked {
		migrated = "COUNT(" + l.mark + ")"
	}
	q := dialects[s.cfg.Driver].sql(`SELECT COUNT(*), ` + migrated + ` FROM ` + l.from + where(l.where, ""))
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	var c source.Counts
	if err := s.db.QueryRowContext(ctx, q, s.params...).Scan(&c.Total, &c.Migrated); err != nil {
		return source.Counts{}, s.fault(op, err)
	}
	c.Marked, c.MarksReason = marked, reason
	return c, nil
}

// pageQuery returns the listing query for the first page (after false) or
// a following one (rows whose key is above the last key, bound after the
// params).
func (s *Source) pageQuery(l listing, marked, after bool) string {
	d := dialects[s.cfg.Driver]
	mark := "0"
	if marked {
		mark = `CASE WHEN ` + l.mark + ` IS NULL THEN 0 ELSE 1 END`
	}
	cond := ""
	if after {
		cond = l.key + ` > $` + strconv.Itoa(len(s.params)+1)
	}
	keySel := l.key
	if l.keySel != "" {
		keySel = l.keySel
	}
	q := d.sql(`SELECT ` + l.sel + `, ` + keySel + ` AS "` + keyAlias + `", ` + mark + ` AS "` + markAlias + `" FROM ` +
		l.from + where(l.where, cond) + ` ORDER BY ` + l.key)
	n := strconv.Itoa(ListPageSize)
	if d.driver == DriverSQLServer {
		return "SELECT TOP " + n + " " + strings.TrimPrefix(q, "SELECT ")
	}
	return q + " LIMIT " + n
}

// List reads the users a page of ListPageSize at a time, ordered by the
// table's key (keyset pagination: each page starts after the last key seen,
// so a page costs an index range scan however deep the listing is, and
// rows added meanwhile are neither skipped nor repeated). Only one page is
// held in memory; fn runs after the page's rows are read, so a slow fn
// never holds a connection.
func (s *Source) List(ctx context.Context, fn func(source.Entry) error) error {
	const op = "list"
	return s.walk(ctx, op, func(r row) error {
		e, err := s.entry(r)
		if err != nil {
			return s.fault(op, err)
		}
		return fn(e)
	})
}

// walk runs the listing's pages and calls fn once per row, in key order;
// List and SampleHashes read the same rows.
func (s *Source) walk(ctx context.Context, op string, fn func(row) error) error {
	l, err := s.listing()
	if err != nil {
		return s.fault(op, err)
	}
	marked, _, err := s.marks(ctx, l)
	if err != nil {
		return s.fault(op, err)
	}
	first, next := s.pageQuery(l, marked, false), s.pageQuery(l, marked, true)
	var last any
	for page := 0; ; page++ {
		q, args := first, s.params
		if page > 0 {
			q, args = next, append(append([]any(nil), s.params...), last)
		}
		rows, err := s.page(ctx, q, args)
		if err != nil {
			return s.fault(op, err)
		}
		if page == 0 && len(rows) > 0 {
			if err := s.checkColumns(columnsOf(rows[0])); err != nil {
				return s.fault(op, err)
			}
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < ListPageSize {
			return nil
		}
		last = rows[len(rows)-1].get(keyAlias)
		if b, ok := last.([]byte); ok && s.cfg.Driver == DriverMySQL {
			// MySQL hands text back as bytes; bound as bytes it would
			// compare as binary, not in the collation ORDER BY used.
			last = string(b)
		}
	}
}

// columnsOf returns the column names of a row.
func columnsOf(r row) []string {
	cols := make([]string, 0, len(r))
	for c := range r {
		cols = append(cols, c)
	}
	return cols
}

// page runs one listing query and returns its rows.
func (s *Source) page(ctx context.Context, q string, args []any) ([]row, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(row, len(cols))
		for i, c := range cols {
			r[strings.ToLower(c)] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// entry maps a listed row to a source.Entry.
func (s *Source) entry(r row) (source.Entry, error) {
	u, err := s.user(r)
	if err != nil {
		return source.Entry{}, err
	}
	disabled, err := s.disabled(r)
	if err != nil {
		return source.Entry{}, err
	}
	migrated, err := asBool(r.get(markAlias))
	if err != nil {
		return source.Entry{}, fmt.Errorf("%s: %w", markAlias, err)
	}
	return source.Entry{User: u, Disabled: disabled, Migrated: migrated}, nil
}
