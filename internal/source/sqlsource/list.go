package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.Lister = (*Source)(nil)

// ErrNoListing: the source has no statement that lists its users.
var ErrNoListing = errors.New("listing users needs a preset or query.list")

// ErrListingOverridden: the lookups are overridden but the listing is not,
// so the preset's listing would read rows that sign-in does not.
var ErrListingOverridden = errors.New("query.list: required when query.by_username or query.by_email is overridden " +
	"(status, export and audit must read the rows sign-in reads)")

// ListPageSize is the number of rows one listing query reads: large enough
// that 40,000 users take 40 round trips, small enough that a page of wide
// rows stays well under a megabyte in memory.
const ListPageSize = 1000

// listing is how the users are listed: a SELECT list, a FROM clause, a
// fixed condition (bound to Params), the unique key the pages are ordered
// by and the migration mark (see shape). All in the presets' house style
// ($n, "ident"), except a custom query.list, which is in the driver's own
// and is wrapped as a derived table.
type listing struct {
	sel, from, where, key, keySel, mark string
	// custom is set for query.list: from is then the user's statement and
	// where, if any, the key condition only.
	custom bool
}

// listAlias names the derived table a custom query.list is wrapped in.
const listAlias = "ferry_list"

// The aliases listing queries add to the lookup's columns.
const (
	keyAlias  = "ferry_key"
	markAlias = "ferry_migrated"
)

// listing returns the source's listing: query.list when set, else the
// preset's own when its lookups are not overridden.
func (s *Source) listing(ctx context.Context) (listing, error) {
	if err := s.ready(ctx); err != nil {
		return listing{}, err
	}
	if !isNone(s.cfg.Query.List) {
		d := dialects[s.cfg.Driver]
		q := func(col string) string { return d.sql(listAlias + `."` + col + `"`) }
		return listing{
			sel: listAlias + ".*", from: "(" + s.cfg.Query.List + ") " + listAlias,
			key: q(s.cfg.Columns.ID), mark: q(MigratedColumn), custom: true,
		}, nil
	}
	if s.shape == nil {
		return listing{}, ErrNoListing
	}
	if s.given.Query.ByUsername != "" || s.given.Query.ByEmail != "" {
		return listing{}, ErrListingOverridden
	}
	sh := s.shape
	return listing{sel: sh.sel, from: sh.from, where: sh.where, key: sh.key, keySel: sh.keySel, mark: sh.mark}, nil
}

// sql writes a listing statement in the driver's dialect: the preset's
// house style is rewritten, a custom query.list is left as written.
func (s *Source) listSQL(l listing, q string) string {
	if l.custom {
		return q
	}
	return dialects[s.cfg.Driver].sql(q)
}

// marks reports whether the source's write-back marks can be read, and if
// not, why. Marks are read only when the write-back is the preset's own
// (a custom statement may set any column) and its column exists.
func (s *Source) marks(ctx context.Context, l listing) (bool, string, error) {
	switch {
	case isNone(s.cfg.Query.Migrated):
		return false, "the write-back is off (query.migrated: none)", nil
	case l.custom:
		cols, err := s.columns(ctx, `SELECT * FROM `+l.from+` WHERE 1 = 0`, s.params...)
		if err != nil {
			return false, "", err
		}
		if slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, MigratedColumn) }) {
			return true, "", nil
		}
		return false, fmt.Sprintf("query.list returns no %s column", MigratedColumn), nil
	case s.given.Query.Migrated != "" && s.cfg.Query.Migrated != s.shape.config(dialects[s.cfg.Driver]).Query.Migrated:
		return false, "query.migrated is a custom statement, whose marks Ferry cannot read", nil
	}
	probe := func(cols string) error {
		_, err := s.columns(ctx, s.listSQL(l, `SELECT `+cols+` FROM `+l.from+where(l.where, "1 = 0")), s.params...)
		return err
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
	l, err := s.listing(ctx)
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
	q := s.listSQL(l, `SELECT COUNT(*), `+migrated+` FROM `+l.from+where(l.where, ""))
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
		p := `$` + strconv.Itoa(len(s.params)+1)
		if l.custom {
			p = d.placeholder(len(s.params) + 1)
		}
		cond = l.key + ` > ` + p
	}
	keySel := l.key
	if l.keySel != "" {
		keySel = l.keySel
	}
	// The aliases are lower-case words that need no quoting in any dialect.
	q := s.listSQL(l, `SELECT `+l.sel+`, `+keySel+` AS `+keyAlias+`, `+mark+` AS `+markAlias+` FROM `+
		l.from+where(l.where, cond)+` ORDER BY `+l.key)
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
	l, err := s.listing(ctx)
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
