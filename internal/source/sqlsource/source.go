package sqlsource

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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

// fallbackDummyCost is the bcrypt cost of the dummy hash made when the users
// table holds no hash to sample (an empty directory): the common default of
// the frameworks the presets cover.
const fallbackDummyCost = 10

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
	floor   time.Duration // padding of every non-matching answer (dummy.go)

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

// row is one result row keyed by lower-cased column name.
type row map[string]any

func (r row) get(col string) any { return r[strings.ToLower(col)] }

// fold is the name as the configured fold compares it, by the one
// normalisation every part of Ferry uses (identity.Name): a name the
// directory lower- or upper-cases is first put in NFKC, so a full-width or
// compatibility spelling finds the row its ordinary spelling finds. With
// fold none the name is bound exactly as typed.
func (s *Source) fold(name string) string {
	switch s.cfg.Fold {
	case FoldLower, FoldUpper:
		return identity.Name(name, identity.Fold(s.cfg.Fold))
	}
	return name
}

// find runs the lookup query (or queries) the mode calls for and returns the
// one matching row, or nil when none matches.
func (s *Source) find(ctx context.Context, name string) (row, error) {
	name = s.fold(name)
	var queries []string
	switch s.cfg.Lookup {
	case LookupEmail:
		queries = []string{s.cfg.Query.ByEmail}
	case LookupBoth:
		if strings.Contains(name, "@") {
			// An email first; a username that contains "@" second.
			queries = []string{s.cfg.Query.ByEmail, s.cfg.Query.ByUsername}
		} else {
			queries = []string{s.cfg.Query.ByUsername}
		}
	default:
		queries = []string{s.cfg.Query.ByUsername}
	}
	args := append([]any{name}, s.params...)
	for i, q := range queries {
		if i > 0 && q == queries[i-1] {
			continue
		}
		r, cols, err := s.queryOne(ctx, q, args, true)
		if err != nil {
			return nil, err
		}
		if err := s.checkColumns(cols); err != nil {
			return nil, err
		}
		if r != nil {
			return r, nil
		}
	}
	return nil, nil
}

// queryOne runs q and returns its only row (nil for none). With unique set,
// a second row is ErrAmbiguous; otherwise the first row is taken.
func (s *Source) queryOne(ctx context.Context, q string, args []any, unique bool) (row, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out row
	for rows.Next() {
		if out != nil {
			if unique {
				return nil, nil, ErrAmbiguous
			}
			break
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errUnreadableRow, err)
		}
		out = make(row, len(cols))
		for i, c := range cols {
			out[strings.ToLower(c)] = vals[i]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return out, cols, nil
}

// checkColumns reports a configured column that the lookup query does not
// return: a configuration error that would otherwise read as NULL.
func (s *Source) checkColumns(cols []string) error {
	have := make(map[string]bool, len(cols))
	for _, c := range cols {
		have[strings.ToLower(c)] = true
	}
	c := s.cfg.Columns
	var missing []string
	for _, name := range []string{c.ID, c.Username, c.Email, c.EmailVerified, c.Phone, c.PhoneVerified,
		c.PasswordHash, c.Salt, c.HashFormat, c.Disabled, c.Enabled, c.LockoutEnd, c.LockoutEnabled} {
		if name != "" && !have[strings.ToLower(name)] {
			missing = append(missing, name)
		}
	}
	for col := range s.cfg.Attributes {
		if !have[strings.ToLower(col)] {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingColumn, strings.Join(missing, ", "))
	}
	return nil
}

// hash reads the stored hash of r; Encoded is empty when the row has none.
func (s *Source) hash(r row) passhash.Hash {
	h := passhash.Hash{
		Encoded: asString(r.get(s.cfg.Columns.PasswordHash)),
		Format:  s.cfg.HashFormat,
	}
	if s.cfg.Columns.Salt != "" {
		h.Salt = asString(r.get(s.cfg.Columns.Salt))
	}
	if s.cfg.Columns.HashFormat != "" {
		if f := asString(r.get(s.cfg.Columns.HashFormat)); f != "" {
			h.Format = f
		}
	}
	if f, ok := s.cfg.bareHex[len(h.Encoded)]; ok && h.Format == "" && lowerHex(h.Encoded) {
		h.Format = f
	}
	return h
}

// lowerHex reports whether v is made only of lower-case hex digits: how the
// frameworks write their unsalted digests, and all they compare against.
func lowerHex(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return v != ""
}

// disabled reports whether r's user is disabled or locked out now.
func (s *Source) disabled(r row) (bool, error) {
	c := s.cfg.Columns
	if c.Disabled != "" {
		d, err := asBool(r.get(c.Disabled))
		if err != nil || d {
			return d, err
		}
	}
	if c.Enabled != "" {
		e, err := asBool(r.get(c.Enabled))
		if err != nil || !e {
			return !e, err
		}
	}
	if c.LockoutEnd != "" {
		if c.LockoutEnabled != "" {
			on, err := asBool(r.get(c.LockoutEnabled))
			if err != nil || !on {
				return false, err
			}
		}
		end, ok, err := asTime(r.get(c.LockoutEnd))
		if err != nil {
			return false, err
		}
		if ok && end.After(s.now()) {
			return true, nil
		}
	}
	if s.cfg.rule != nil {
		return s.cfg.rule(r, s.now())
	}
	return false, nil
}

// user maps r to a source.User.
func (s *Source) user(r row) (*source.User, error) {
	c := s.cfg.Columns
	u := &source.User{
		ID:       asString(r.get(c.ID)),
		Username: asString(r.get(c.Username)),
	}
	if u.ID == "" {
		return nil, fmt.Errorf("%w: column %s is NULL", errValue, c.ID)
	}
	if c.Email != "" {
		u.Email = asString(r.get(c.Email))
	}
	if c.Phone != "" {
		u.Phone = asString(r.get(c.Phone))
	}
	var err error
	if c.EmailVerified != "" {
		if u.EmailVerified, err = asBool(r.get(c.EmailVerified)); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.EmailVerified, err)
		}
	}
	if c.PhoneVerified != "" {
		if u.PhoneVerified, err = asBool(r.get(c.PhoneVerified)); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.PhoneVerified, err)
		}
	}
	for col, attr := range s.cfg.Attributes {
		if v := asString(r.get(col)); v != "" {
			if u.Attributes == nil {
				u.Attributes = make(map[string]string, len(s.cfg.Attributes))
			}
			u.Attributes[attr] = v
		}
	}
	return u, nil
}

// dummyHash returns the hash unknown users are verified against: the
// configured dummy_hash, or one sampled from the users table at first need.
func (s *Source) dummyHash(ctx context.Context) (passhash.Hash, error) {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	if s.dummy != nil {
		return *s.dummy, nil
	}
	r, cols, err := s.queryOne(ctx, s.cfg.Query.Sample, nil, false)
	if err != nil {
		return passhash.Hash{}, fmt.Errorf("sample query: %w", err)
	}
	if !slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, s.cfg.Columns.PasswordHash) }) {
		return passhash.Hash{}, fmt.Errorf("sample query: %w: %s", ErrMissingColumn, s.cfg.Columns.PasswordHash)
	}
	var h passhash.Hash
	if r != nil {
		h = s.hash(r)
	}
	if h.Encoded == "" {
		// No user has a hash yet: any real verification at a typical cost
		// is as good as another.
		s.log.Warn("the sample query found no password hash; unknown users are verified against a bcrypt dummy")
	} else if err := s.usableDummy(h); err != nil {
		// A hostile or broken row must not become everyone's dummy.
		s.log.Warn("the sampled hash cannot be the unknown-user dummy; using a bcrypt dummy", "error", err)
		h = passhash.Hash{}
	}
	if h.Encoded == "" {
		if h, err = fallbackDummy(); err != nil {
			return passhash.Hash{}, err
		}
	}
	s.dummy = &h
	s.floor = s.measureFloor(ctx, h)
	return h, nil
}

// spend performs the dummy verification that makes an unknown user cost
// the same as a wrong password. It returns only faults.
func (s *Source) spend(ctx context.Context, password string) error {
	h, err := s.dummyHash(ctx)
	if err != nil {
		return err
	}
	if _, err := s.verifier.Verify(ctx, password, h); err != nil {
		if ctx.Err() != nil {
			return err
		}
		if errors.Is(err, passhash.ErrCostTooHigh) {
			// Too long a password for the family: the real row refuses it
			// the same way.
			return nil
		}
		return fmt.Errorf("dummy verification: %w", err)
	}
	return nil
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
		if err := s.spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.pad(ctx, start)
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
		if err := s.spend(ctx, password); err != nil {
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
		s.pad(ctx, start)
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
