// Opening the source: the database handle and its pool, and, at the first
// query, the preset's statements built for the schema the database has.

package sqlsource

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Open validates c and returns a Source named name. It does not connect:
// the first query does (a Lambda cold start should not pay for a database
// it may not need yet); Check connects on purpose.
func (c Config) Open(ctx context.Context, name string, log *slog.Logger) (*Source, error) {
	fault := func(err error) error { return &source.Error{Source: name, Op: "open", Err: err} }
	if err := c.Validate(); err != nil {
		return nil, fault(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fault(err)
	}
	r, err := c.resolved()
	if err != nil {
		return nil, fault(err)
	}
	dsn, err := readSecret(r.DSN, r.DSNFile)
	if err != nil {
		return nil, fault(fmt.Errorf("dsn_file: %w", err))
	}
	pepper, err := readSecret(r.Pepper, r.PepperFile)
	if err != nil {
		return nil, fault(fmt.Errorf("pepper_file: %w", err))
	}
	v, err := passhash.New(passhash.Options{Pepper: pepper, Firebase: r.Firebase})
	if err != nil {
		return nil, fault(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		name:     name,
		log:      log.With("source", name, "type", "sql", "driver", r.Driver),
		cfg:      r,
		verifier: v,
		now:      time.Now,
		given:    c,
	}
	s.pacer = source.NewPacer(v, s.dummyHash)
	s.setParams()
	if presets[c.Preset].tables == nil {
		// Nothing to look for: the preset's statements are final.
		_, s.shape, _ = c.resolve(nil)
		s.isReady.Store(true)
	}
	if r.DummyHash != "" {
		h := passhash.Hash{Encoded: r.DummyHash, Format: r.HashFormat}
		if _, err := v.Identify(h); err != nil {
			return nil, fault(fmt.Errorf("dummy_hash: %w", err))
		}
		s.dummy = &h
	}
	if !slices.Contains(sql.Drivers(), dialects[r.Driver].sqlDriver) {
		return nil, fault(fmt.Errorf("driver %s is not built into this binary (the Lambda build leaves SQLite out: a Lambda has no database file to read)", r.Driver))
	}
	db, err := sql.Open(dialects[r.Driver].sqlDriver, dsn)
	if err != nil {
		return nil, fault(fmt.Errorf("dsn: %w", err))
	}
	db.SetMaxOpenConns(r.Pool.MaxOpen)
	db.SetMaxIdleConns(r.Pool.MaxIdle)
	db.SetConnMaxLifetime(r.Pool.ConnMaxLifetime)
	db.SetConnMaxIdleTime(r.Pool.ConnMaxIdleTime)
	s.db = db
	return s, nil
}

func (s *Source) setParams() {
	s.params = s.params[:0]
	for _, p := range s.cfg.Params {
		s.params = append(s.params, p)
	}
}

// ready builds the preset's statements for the schema the database really
// has, once, at the first query: which optional columns are there (Devise's
// Confirmable and Lockable, a multisite's spam and deleted, Identity 2's
// LockoutEndDateUtc), how Keycloak's tables are cased. Until it succeeds
// every call tries again, so a database that is down at the first sign-in
// is not remembered as an empty schema. Every entry point calls it before
// reading s.cfg.
func (s *Source) ready(ctx context.Context) error {
	if s.isReady.Load() {
		return nil
	}
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	if s.isReady.Load() {
		return nil
	}
	t, err := s.probe(ctx, presets[s.given.Preset].tables(s.given))
	if err != nil {
		return fmt.Errorf("reading the %s schema: %w", s.given.Preset, err)
	}
	r, sh, err := s.given.resolve(t)
	if err != nil {
		return err
	}
	s.cfg, s.shape = r, sh
	s.setParams()
	s.isReady.Store(true)
	return nil
}

// probe returns the columns of each of names that exists. A table that
// cannot be read counts as missing, unless none can: then the database, not
// the schema, is the problem.
func (s *Source) probe(ctx context.Context, names []string) (*tables, error) {
	d := dialects[s.cfg.Driver]
	t := &tables{cols: map[string]map[string]bool{}}
	var first error
	for _, name := range names {
		cols, err := s.columns(ctx, d.sql(`SELECT * FROM "`+name+`" WHERE 1 = 0`))
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			first = cmp.Or(first, err)
			continue
		}
		set := make(map[string]bool, len(cols))
		for _, c := range cols {
			set[strings.ToLower(c)] = true
		}
		t.cols[name] = set
	}
	if len(t.cols) == 0 && first != nil {
		return nil, first
	}
	return t, nil
}

// columns returns the result columns of q, which must match no row.
func (s *Source) columns(ctx context.Context, q string, args ...any) ([]string, error) {
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
	return cols, rows.Close()
}

// readSecret returns value, or the trimmed content of file when it is set.
func readSecret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
