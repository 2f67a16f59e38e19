// Package sqlitestore is the persistent userpool.Store of `ferry serve`: one
// SQLite database (modernc.org/sqlite, pure Go) in a data directory.
//
// Durability and concurrency choices:
//
//   - WAL journal: readers never block the writer nor each other, and a
//     commit is one append to the log.
//   - synchronous=FULL: in WAL mode NORMAL already survives a killed process
//     (a commit is in the OS once the write returns), but a power cut or
//     kernel crash could drop the last commits. FULL syncs the log at every
//     commit, so a user the pool has acknowledged — one the migration
//     trigger moved, whose legacy record may now be marked migrated —
//     survives the machine too. It costs one fsync per write transaction,
//     which a local pool does not notice.
//   - One writer connection, BEGIN IMMEDIATE, and a pool of read-only
//     connections. SQLite runs one writer at a time anyway; queueing writers
//     in Go instead of in SQLite avoids SQLITE_BUSY retry storms and lock
//     upgrades that deadlock. busy_timeout covers another process on the
//     same directory.
//   - Every change that touches several rows (a user, its aliases and its
//     filter values; a stolen alias; a deleted pool) is one transaction, so
//     a crash at any instant leaves the whole change or none of it.
//   - The schema is versioned with PRAGMA user_version (see migrations).
package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// FileName is the database file inside the data directory.
const FileName = "userpool.db"

// Errors of Open.
var (
	ErrSchemaTooNew = errors.New("database was written by a newer ferry")
)

const (
	// defaultReaders is the read pool size. Reads are short point lookups;
	// a few connections keep two cores busy without each holding a page
	// cache nobody uses.
	defaultReaders = 4
	// busyTimeout (ms) is how long a statement waits for another process
	// holding the write lock before it reports SQLITE_BUSY.
	busyTimeout = 5000
	// cacheKiB is each connection's page cache. 16 MiB holds the upper
	// levels of every index at a million users, so a lookup reads only its
	// leaf pages; five connections stay well inside the memory budget.
	cacheKiB = 16 * 1024
	// dbPageSize is the database page of a new store. 4 KiB holds a user
	// row (about 1 KiB, mostly the SRP verifier) in its table leaf and
	// makes each page read that misses the cache a small one. (Databases
	// created at schema 2 have 8 KiB pages; both work.)
	dbPageSize = 4096
	// defaultLimit is the page size when a caller passes none: Cognito's
	// largest page.
	defaultLimit = 60
)

// Config opens a store. In YAML:
//
//	store:
//	  type: sqlite
//	  config:
//	    dir: /var/lib/ferry
type Config struct {
	// Dir is the data directory, created (0700) if missing.
	Dir string `yaml:"dir"`
	// Readers is the number of read connections; 0 means 4.
	Readers int `yaml:"readers"`
}

// Store is a userpool.Store in a SQLite database.
type Store struct {
	w      *sql.DB   // holds the one writer connection
	wc     *sql.Conn // the writer connection, used under wmu
	wmu    sync.Mutex
	r      *sql.DB // read-only connections
	logger *slog.Logger
	path   string

	getUser, getUserByAlias, getUserBySub *sql.Stmt

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared on the writer, by query text

	closeOnce sync.Once
	closeErr  error
}

var _ userpool.Store = (*Store)(nil)

// Open opens (creating and migrating as needed) the store in cfg.Dir.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Dir == "" {
		return nil, errors.New("sqlitestore: no data directory")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	readers := cfg.Readers
	if readers <= 0 {
		readers = defaultReaders
	}
	path := filepath.Join(cfg.Dir, FileName)
	s := &Store{logger: logger, path: path, stmts: map[string]*sql.Stmt{}}
	var err error
	if s.w, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxIdleTime(0)
	s.w.SetConnMaxLifetime(0)
	if err := s.w.PingContext(ctx); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	// page_size only takes effect on a database that has no tables yet and
	// is not in WAL mode, so it goes first (the driver would run DSN
	// pragmas in alphabetical order, journal_mode before page_size); on an
	// existing database it is a no-op. journal_mode=WAL is stored in the
	// file, so it holds for the readers too.
	for _, p := range []string{fmt.Sprintf("PRAGMA page_size = %d", dbPageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := s.w.ExecContext(ctx, p); err != nil {
			_ = s.w.Close()
			return nil, fmt.Errorf("sqlitestore: %s: %s: %w", path, p, err)
		}
	}
	if err := migrate(ctx, s.w, s.logger); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlitestore: %s: %w", path, err)
	}
	if s.wc, err = s.w.Conn(ctx); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	if s.r, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	stmts := []struct {
		dst **sql.Stmt
		q   string
	}{
		{&s.getUser, `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND username_key = ?`},
		{&s.getUserByAlias, `SELECT ` + userColsOf("u") + ` FROM aliases a
			JOIN users u ON u.id = a.user_id
			WHERE a.pool_id = ? AND a.attribute = ? AND a.key = ?`},
		{&s.getUserBySub, `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND sub = ?`},
	}
	for _, st := range stmts {
		if *st.dst, err = s.r.PrepareContext(ctx, st.q); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
		}
	}
	return s, nil
}

// dsn is the connection string: the pragmas every connection runs as it
// opens (see the package doc for why each).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout))
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -cacheKiB))
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database; later calls return the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		s.stmtMu.Lock()
		for _, st := range s.stmts {
			errs = append(errs, st.Close())
		}
		s.stmtMu.Unlock()
		for _, st := range []*sql.Stmt{s.getUser, s.getUserByAlias, s.getUserBySub} {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		if s.wc != nil {
			errs = append(errs, s.wc.Close())
		}
		errs = append(errs, s.w.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// write runs fn in one write transaction on the writer connection and
// commits it, or rolls it back if fn fails. Writers queue on wmu: SQLite
// admits one at a time, and waiting here costs nothing, where waiting in
// SQLite means polling for the lock.
//
// The transaction is driven with BEGIN IMMEDIATE/COMMIT on one *sql.Conn,
// rather than *sql.Tx, so statements prepared once on that connection
// serve every transaction.
func (s *Store) write(ctx context.Context, fn func(t wtx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.wc.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(wtx{ctx: ctx, s: s}); err != nil {
		s.rollback()
		return err
	}
	// Once the work is done, commit even if the caller stopped waiting: the
	// outcome must not depend on when a context was cancelled.
	if _, err := s.wc.ExecContext(context.Background(), "COMMIT"); err != nil {
		s.rollback()
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// rollback ends a failed transaction. Should even that fail, the
// connection is discarded (database/sql opens a fresh one) so no later
// transaction inherits this one's state.
func (s *Store) rollback() {
	_, err := s.wc.ExecContext(context.Background(), "ROLLBACK")
	if err == nil {
		return
	}
	s.logger.Error("rollback", "err", err)
	_ = s.wc.Raw(func(any) error { return driver.ErrBadConn })
	_ = s.wc.Close()
	s.stmtMu.Lock()
	for q, st := range s.stmts {
		_ = st.Close()
		delete(s.stmts, q)
	}
	s.stmtMu.Unlock()
	wc, err := s.w.Conn(context.Background())
	if err != nil {
		s.logger.Error("reopen writer", "err", err)
		return
	}
	s.wc = wc
}

// dbErr wraps a database error, mapping constraint violations to
// userpool.ErrExists (the explicit checks come first; this is the backstop).
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, userpool.ErrNotFound) || errors.Is(err, userpool.ErrExists) ||
		errors.Is(err, userpool.ErrAliasExists) || errors.Is(err, userpool.ErrConflict) ||
		errors.Is(err, userpool.ErrInvalidCursor) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return fmt.Errorf("sqlitestore: %s: %w: %w", op, userpool.ErrExists, err)
	}
	return fmt.Errorf("sqlitestore: %s: %w", op, err)
}

func notFound(what, key string) error {
	return fmt.Errorf("%s %q: %w", what, key, userpool.ErrNotFound)
}

// poolExists reports whether the pool is there.
func (t wtx) poolExists(poolID string) (bool, error) {
	var one int
	return t.scan(`SELECT 1 FROM pools WHERE id = ?`, []any{poolID}, &one)
}
