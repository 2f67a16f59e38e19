package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Errors (faults) specific to this source; each reaches callers wrapped in
// a *source.Error.
var (
	// ErrAmbiguous: a lookup query returned more than one row for a name.
	ErrAmbiguous = errors.New("more than one row matches the name")
	// ErrMissingColumn: a configured column is not in the query's result.
	ErrMissingColumn = errors.New("configured column missing from the query result")
)

// Source is a SQL legacy source. It implements source.Source, source.Marker,
// source.Checker and io.Closer, and is safe for concurrent use.
type Source struct {
	name     string
	log      *slog.Logger
	cfg      Config // resolved: preset applied, defaults filled (see ready)
	db       *sql.DB
	verifier *passhash.Verifier
	params   []any
	now      func() time.Time

	dummyMu sync.Mutex
	dummy   *passhash.Hash
	// pacer pads every non-matching answer to one time (dummy.go).
	pacer *source.Pacer

	// given is the configuration as written; shape is its preset's, built
	// for the tables found when the source first reached the database.
	given   Config
	shape   *shape
	readyMu sync.Mutex
	isReady atomic.Bool
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Marker  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
)

// LogValue shows the configuration without the DSN (it holds a password)
// or the pepper.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("preset", c.Preset),
		slog.String("driver", c.Driver),
		slog.Bool("dsn_set", c.DSN != "" || c.DSNFile != ""),
		slog.String("lookup", c.Lookup),
		slog.String("hash_format", c.HashFormat),
		slog.Bool("pepper_set", c.Pepper != "" || c.PepperFile != ""),
	)
}

// String keeps fmt from printing the DSN and pepper.
func (c Config) String() string { return c.LogValue().String() }

// LogValue identifies the source without its DSN or pepper.
func (s *Source) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.name), slog.Any("config", s.cfg))
}

// String keeps fmt from printing the resolved configuration's secrets.
func (s *Source) String() string { return s.LogValue().String() }

// Close closes the connection pool.
func (s *Source) Close() error { return s.db.Close() }

// DB returns the source's connection pool, for tools that seed or inspect
// the legacy tables (ferry demo, tests).
func (s *Source) DB() *sql.DB { return s.db }

func (s *Source) fault(op string, err error) error {
	return &source.Error{Source: s.name, Op: op, Err: authFault(err)}
}

// Authenticate finds the user called name and verifies password against
// the stored hash.
func (s *Source) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	const op = "authenticate"
	if err := ctx.Err(); err != nil {
		return nil, s.fault(op, err)
	}
	if err := s.ready(ctx); err != nil {
		return nil, s.fault(op, err)
	}
	if s.cfg.trimPassword != "" {
		password = strings.Trim(password, s.cfg.trimPassword)
	}
	if password == "" {
		return nil, source.ErrInvalidPassword
	}
	unknown := func() (*source.User, error) {
		start := time.Now()
		if err := s.pacer.Spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.pacer.Pad(ctx, start, "")
		return nil, source.ErrUserNotFound
	}
	if !identity.Usable(name) {
		return unknown()
	}
	r, err := s.find(ctx, name)
	switch {
	case errors.Is(err, ErrAmbiguous):
		return nil, s.badRow(ctx, password, "", &source.RecordError{Reason: source.RecordAmbiguous, Err: err})
	case errors.Is(err, errUnreadableRow):
		return nil, s.badRow(ctx, password, "", &source.RecordError{Reason: source.RecordUnreadable, Err: err})
	case err != nil:
		return nil, s.fault(op, err)
	case r == nil:
		return unknown()
	}
	id := asString(r.get(s.cfg.Columns.ID))
	disabled, err := s.disabled(r)
	if err != nil {
		return nil, s.badRow(ctx, password, id, &source.RecordError{UserID: id, Reason: source.RecordUnreadable, Err: err})
	}
	h := s.hash(r)
	start := time.Now()
	var res passhash.Result
	if h.Encoded == "" {
		// A user without a usable password (social sign-in, unusable or
		// encrypted password) cannot migrate by password. The user hears
		// what any refused sign-in hears; the operator hears why, since no
		// password could ever have matched.
		if err := s.pacer.Spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.log.WarnContext(ctx, "legacy user has no verifiable password hash; they can migrate through forgot-password",
			"user_id", asString(r.get(s.cfg.Columns.ID)))
	} else if res, err = s.verifier.Verify(ctx, password, h); err != nil {
		if rec := source.HashRecord(id, err); rec != nil {
			return nil, s.badRow(ctx, password, id, rec)
		}
		return nil, s.fault(op, err)
	}
	if disabled || !res.Match {
		s.pacer.Pad(ctx, start, res.Family)
		if disabled {
			return nil, source.ErrUserDisabled
		}
		return nil, source.ErrInvalidPassword
	}
	u, err := s.user(r)
	if err != nil {
		return nil, &source.RecordError{UserID: id, Reason: source.RecordUnreadable, Err: err}
	}
	u.HashFamily, u.WeakHash = res.Family, res.Weak
	return u, nil
}

// Lookup finds the user called name without verifying a password.
func (s *Source) Lookup(ctx context.Context, name string) (*source.User, error) {
	const op = "lookup"
	if err := ctx.Err(); err != nil {
		return nil, s.fault(op, err)
	}
	if err := s.ready(ctx); err != nil {
		return nil, s.fault(op, err)
	}
	if !identity.Usable(name) {
		return nil, source.ErrUserNotFound
	}
	r, err := s.find(ctx, name)
	switch {
	case errors.Is(err, ErrAmbiguous):
		return nil, &source.RecordError{Reason: source.RecordAmbiguous, Err: err}
	case errors.Is(err, errUnreadableRow):
		return nil, &source.RecordError{Reason: source.RecordUnreadable, Err: err}
	case err != nil:
		return nil, s.fault(op, err)
	case r == nil:
		return nil, source.ErrUserNotFound
	}
	disabled, err := s.disabled(r)
	if err != nil {
		return nil, s.fault(op, err)
	}
	if disabled {
		return nil, source.ErrUserDisabled
	}
	u, err := s.user(r)
	if err != nil {
		return nil, s.fault(op, err)
	}
	if h := s.hash(r); h.Encoded != "" {
		if info, err := s.verifier.Identify(h); err == nil {
			u.HashFamily, u.WeakHash = info.Family, info.Weak
		}
	}
	return u, nil
}

// MarkMigrated runs the configured write-back for u. It is idempotent when
// the statement is (the presets' only update a NULL mark); without a
// statement it does nothing.
func (s *Source) MarkMigrated(ctx context.Context, u *source.User) error {
	if err := s.ready(ctx); err != nil {
		return s.fault("mark", err)
	}
	if isNone(s.cfg.Query.Migrated) {
		return nil
	}
	if u == nil || u.ID == "" {
		return s.fault("mark", errors.New("user without an id"))
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.cfg.Query.Migrated, u.ID); err != nil {
		return s.fault("mark", err)
	}
	return nil
}

// Check connects, runs each lookup query with a name that matches nothing
// (checking its syntax and columns), obtains the dummy hash and prepares the
// write-back statement.
func (s *Source) Check(ctx context.Context) error {
	const op = "check"
	if err := s.db.PingContext(ctx); err != nil {
		return s.fault(op, err)
	}
	if err := s.ready(ctx); err != nil {
		return s.fault(op, err)
	}
	probe := append([]any{"\u2400ferry-check\u2400"}, s.params...)
	for _, q := range []string{s.cfg.Query.ByUsername, s.cfg.Query.ByEmail} {
		if q == "" {
			continue
		}
		_, cols, err := s.queryOne(ctx, q, probe, false)
		if err == nil {
			err = s.checkColumns(cols)
		}
		if err != nil {
			return s.fault(op, err)
		}
	}
	if _, err := s.dummyHash(ctx); err != nil {
		return s.fault(op, err)
	}
	if !isNone(s.cfg.Query.Migrated) && source.WriteBackWanted(ctx) {
		// Preparing checks the statement (and, on PostgreSQL, MySQL and
		// SQLite, that its table and columns exist — the presets' write-back
		// column must be added by hand) without changing a row.
		stmt, err := s.db.PrepareContext(ctx, s.cfg.Query.Migrated)
		if err != nil {
			return s.fault(op, fmt.Errorf("migrated statement: %w", err))
		}
		if err := stmt.Close(); err != nil {
			return s.fault(op, err)
		}
	}
	return nil
}
