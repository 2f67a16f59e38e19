package sqlsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// testCost keeps the conformance suite quick under -race; the timing test
// uses a realistic cost.
const testCost = bcrypt.MinCost

func bcryptHash(t testing.TB, password string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

const membersDDL = `CREATE TABLE "members" (
  "id" {AUTO},
  "login" VARCHAR(100) NOT NULL,
  "email" VARCHAR(200),
  "email_ok" {BOOL} NOT NULL,
  "phone" VARCHAR(30),
  "pw" VARCHAR(200),
  "salt" VARCHAR(100),
  "disabled" {BOOL} NOT NULL,
  "given" VARCHAR(100),
  "migrated_at" {TS}
)`

// membersConfig is a hand-written configuration of the generic members
// table; on PostgreSQL it folds names to lower case (case-insensitive), on
// SQLite it matches exactly, on MariaDB the collation ignores case.
func membersConfig(d dialect) Config {
	cols := `SELECT "id", "login", "email", "email_ok", "phone", "pw", "salt", "disabled", "given" FROM "members" WHERE `
	c := Config{
		Query: Queries{
			ByUsername: d.sql(cols + `"login" = $1`),
			ByEmail:    d.sql(cols + `"email" = $1`),
			Sample:     d.sql(`SELECT "pw", "salt" FROM "members" WHERE "pw" IS NOT NULL LIMIT 1`),
			Migrated:   d.sql(`UPDATE "members" SET "migrated_at" = ` + d.now + ` WHERE "id" = $1 AND "migrated_at" IS NULL`),
		},
		Columns: Columns{
			ID: "id", Username: "login", Email: "email", EmailVerified: "email_ok", Phone: "phone",
			PasswordHash: "pw", Salt: "salt", Disabled: "disabled",
		},
		Attributes: map[string]string{"given": "given_name", "id": "custom:legacy_id"},
	}
	if d.driver == DriverPostgres {
		c.Fold = FoldLower
		c.Query.ByUsername = d.sql(cols + `lower("login") = $1`)
		c.Query.ByEmail = d.sql(cols + `lower("email") = $1`)
	}
	return c
}

type member struct {
	login, email, phone, password, given string
	emailOK, disabled                    bool
}

var members = []member{
	{"alice", "alice@example.com", "+15550100", "correct horse battery", "Alice", true, false},
	{"bob", "bob@example.com", "", "b0b's pass", "Bob", false, false},
	{"carol", "carol@example.com", "", "carol-pass", "Carol", true, true},
	{"Dave@Example.com", "dave.other@example.com", "", "dave-pass", "", false, false},
}

// seedMembers creates and fills the members table with cost-cost hashes
// and returns the generated ids by login.
func seedMembers(t testing.TB, tdb *testDB, cost int) map[string]string {
	t.Helper()
	tdb.ddl(t, membersDDL)
	ids := map[string]string{}
	for i, m := range members {
		tdb.exec(t, `INSERT INTO "members" ("login", "email", "email_ok", "phone", "pw", "disabled", "given") VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			m.login, m.email, m.emailOK, nullable(m.phone), bcryptHash(t, m.password, cost), m.disabled, nullable(m.given))
		ids[m.login] = id(int64(i + 1))
	}
	return ids
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		// The suite's cases share one seeded namespace: they only read, and
		// the write-back is idempotent.
		tdb := newTestDB(t, driver)
		ids := seedMembers(t, tdb, testCost)
		sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
			s := tdb.open(t, membersConfig(tdb.d))
			return sourcetest.Fixture{
				Source: s,
				User: sourcetest.Account{Name: "alice", Password: members[0].password, Want: &source.User{
					ID: ids["alice"], Username: "alice", Email: "alice@example.com", EmailVerified: true, Phone: "+15550100",
					Attributes: map[string]string{"given_name": "Alice", "custom:legacy_id": ids["alice"]},
					HashFamily: "bcrypt", WeakHash: true,
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: members[1].password, Want: &source.User{
					ID: ids["bob"], Username: "bob", Email: "bob@example.com",
					Attributes: map[string]string{"given_name": "Bob", "custom:legacy_id": ids["bob"]},
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: members[2].password},
				CaseInsensitive: driver != DriverSQLite,
				VerifiesHashes:  true,
			}
		})
	})
}

// TestLookupModes checks which query each mode uses, including the
// fallback from an email-shaped name to a username that contains "@".
func TestLookupModes(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	ids := seedMembers(t, tdb, testCost)
	tests := []struct {
		name, mode, lookup string
		wantID             string
		wantErr            error
	}{
		{"both/username", LookupBoth, "alice", ids["alice"], nil},
		{"both/email", LookupBoth, "alice@example.com", ids["alice"], nil},
		{"both/username with @", LookupBoth, "Dave@Example.com", ids["Dave@Example.com"], nil},
		{"username/email is not a username", LookupUsername, "alice@example.com", "", source.ErrUserNotFound},
		{"username/username", LookupUsername, "alice", ids["alice"], nil},
		{"email/email", LookupEmail, "bob@example.com", ids["bob"], nil},
		{"email/username is not an email", LookupEmail, "bob", "", source.ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := membersConfig(tdb.d)
			c.Lookup = tt.mode
			s := tdb.open(t, c)
			u, err := s.Lookup(t.Context(), tt.lookup)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup(%q) err = %v, want %v", tt.lookup, err, tt.wantErr)
			}
			if err == nil && u.ID != tt.wantID {
				t.Errorf("Lookup(%q) ID = %q, want %q", tt.lookup, u.ID, tt.wantID)
			}
		})
	}
}

// TestFaults checks that what is not an answer from the directory comes
// back as a *source.Error and never as an outcome.
func TestFaults(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, testCost)

	missingCol := membersConfig(tdb.d)
	missingCol.Attributes = map[string]string{"nickname": "nickname"}
	badQuery := membersConfig(tdb.d)
	badQuery.Query.ByUsername = `SELECT * FROM "no_such_table" WHERE "login" = ?`
	down := membersConfig(dialects[DriverPostgres])

	tests := []struct {
		name      string
		driver    string
		dsn       string
		cfg       Config
		user, pw  string
		wantCause error
	}{
		{"column missing from the result", "", "", missingCol, "alice", "pw", ErrMissingColumn},
		{"bad query", "", "", badQuery, "alice", "pw", nil},
		{"database down", DriverPostgres, "postgres://ferry:x@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", down, "alice", "pw", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.cfg
			c.Driver, c.DSN = tdb.driver, tdb.dsn
			if tt.driver != "" {
				c.Driver, c.DSN = tt.driver, tt.dsn
			}
			s, err := c.Open(t.Context(), "legacy", discard())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, call := range []string{"authenticate", "lookup"} {
				var u *source.User
				if call == "authenticate" {
					u, err = s.Authenticate(t.Context(), tt.user, tt.pw)
				} else {
					u, err = s.Lookup(t.Context(), tt.user)
				}
				var se *source.Error
				if !errors.As(err, &se) || u != nil {
					t.Fatalf("%s = %v, %v; want a *source.Error", call, u, err)
				}
				if se.Source != "legacy" || se.Op != call {
					t.Errorf("%s: source.Error{Source: %q, Op: %q}", call, se.Source, se.Op)
				}
				if source.IsOutcome(err) {
					t.Errorf("%s: fault %v reads as an outcome", call, err)
				}
				if tt.wantCause != nil && !errors.Is(err, tt.wantCause) {
					t.Errorf("%s: err = %v, want it to wrap %v", call, err, tt.wantCause)
				}
			}
		})
	}

	t.Run("empty password never reaches the database", func(t *testing.T) {
		t.Parallel()
		c := down
		c.Driver, c.DSN = DriverPostgres, "postgres://ferry:x@127.0.0.1:1/none?sslmode=disable"
		s, err := c.Open(t.Context(), "legacy", discard())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Authenticate(t.Context(), "alice", ""); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("Authenticate(empty password) = %v, want ErrInvalidPassword", err)
		}
	})
}

// TestUnknownUserCostsAVerification checks the timing rule: an unknown
// user, an oversized name and a disabled user each cost a real verification,
// comparable to a wrong password. Calls are interleaved and the fastest of
// each kind compared, so that load from other processes on the machine
// affects every kind alike.
func TestUnknownUserCostsAVerification(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: skipped with -short")
	}
	// Not parallel: the package's parallel tests wait until it is done, so
	// their bcrypt work does not distort the measurement.
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, 8) // costly enough that verification dominates a query
	s := tdb.open(t, membersConfig(tdb.d))
	ctx := t.Context()
	// Warm up: connect and sample the dummy hash.
	if _, err := s.Authenticate(ctx, "nobody", "x"); !errors.Is(err, source.ErrUserNotFound) {
		t.Fatalf("warm-up: %v", err)
	}
	kinds := []struct {
		what, name string
		want       error
	}{
		{"wrong password", "alice", source.ErrInvalidPassword},
		{"unknown user", "nobody-here", source.ErrUserNotFound},
		{"oversized name", strings.Repeat("x", 10<<10), source.ErrUserNotFound},
		{"disabled user", "carol", source.ErrUserDisabled},
	}
	fastest := make([]time.Duration, len(kinds))
	for range 7 {
		for i, k := range kinds {
			start := time.Now()
			_, err := s.Authenticate(ctx, k.name, "wrong password")
			d := time.Since(start)
			if !errors.Is(err, k.want) {
				t.Fatalf("%s: %v, want %v", k.what, err, k.want)
			}
			if fastest[i] == 0 || d < fastest[i] {
				fastest[i] = d
			}
		}
	}
	for i, k := range kinds {
		t.Logf("fastest %s: %v", k.what, fastest[i])
		if i > 0 && fastest[i] < fastest[0]/2 {
			t.Errorf("%s took %v, a wrong password %v: it must cost a real verification", k.what, fastest[i], fastest[0])
		}
	}
}

func TestDummyHashConfigured(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	tdb.ddl(t, membersDDL) // no rows: nothing to sample
	c := membersConfig(tdb.d)
	c.DummyHash = bcryptHash(t, "whatever", testCost)
	s := tdb.open(t, c)
	if _, err := s.Authenticate(t.Context(), "nobody", "pw"); !errors.Is(err, source.ErrUserNotFound) {
		t.Fatalf("Authenticate = %v, want ErrUserNotFound", err)
	}
	c.DummyHash = "dummy"
	c.Driver, c.DSN = tdb.driver, tdb.dsn
	if _, err := c.Open(t.Context(), "legacy", discard()); err == nil {
		t.Error(`Open with dummy_hash "dummy" succeeded; a hash no verifier accepts must be refused`)
	}
}

func TestEmptyTableFallsBackToARealDummy(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	tdb.ddl(t, membersDDL)
	s := tdb.open(t, membersConfig(tdb.d))
	if _, err := s.Authenticate(t.Context(), "nobody", "pw"); !errors.Is(err, source.ErrUserNotFound) {
		t.Fatalf("Authenticate = %v, want ErrUserNotFound", err)
	}
	h, err := s.dummyHash(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(h.Encoded)); err != nil || cost != fallbackDummyCost {
		t.Errorf("fallback dummy %q: cost %d, %v; want a bcrypt hash of cost %d", h.Encoded, cost, err, fallbackDummyCost)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		seedMembers(t, tdb, testCost)
		if err := tdb.open(t, membersConfig(tdb.d)).Check(t.Context()); err != nil {
			t.Errorf("Check: %v", err)
		}
		bad := membersConfig(tdb.d)
		bad.Columns.Phone = "mobile"
		err := tdb.open(t, bad).Check(t.Context())
		if !errors.Is(err, ErrMissingColumn) {
			t.Errorf("Check with a missing column = %v, want ErrMissingColumn", err)
		}
		noMark := membersConfig(tdb.d)
		noMark.Query.Migrated = tdb.d.sql(`UPDATE "members" SET "ferry_migrated_at" = ` + tdb.d.now + ` WHERE "id" = $1`)
		err = tdb.open(t, noMark).Check(t.Context())
		var se *source.Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "migrated statement") {
			t.Errorf("Check with a write-back column the table lacks = %v, want a fault naming the statement", err)
		}
	})
}

func TestMarkMigrated(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		ids := seedMembers(t, tdb, testCost)
		s := tdb.open(t, membersConfig(tdb.d))
		u, err := s.Authenticate(t.Context(), "alice", members[0].password)
		if err != nil {
			t.Fatal(err)
		}
		read := func() (n int) {
			q := tdb.d.sql(`SELECT COUNT(*) FROM "members" WHERE "migrated_at" IS NOT NULL AND "id" = $1`)
			if err := tdb.db.QueryRowContext(t.Context(), q, ids["alice"]).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for i := range 2 {
			if err := s.MarkMigrated(t.Context(), u); err != nil {
				t.Fatalf("MarkMigrated #%d: %v", i+1, err)
			}
			if n := read(); n != 1 {
				t.Fatalf("after MarkMigrated #%d: %d rows marked, want 1", i+1, n)
			}
		}
		var others int
		if err := tdb.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM members WHERE migrated_at IS NOT NULL`).Scan(&others); err != nil {
			t.Fatal(err)
		}
		if others != 1 {
			t.Errorf("%d rows marked in all, want 1", others)
		}
	})
}

func TestConfigLogValueRedacts(t *testing.T) {
	t.Parallel()
	c := Config{Driver: DriverPostgres, DSN: "postgres://app:s3cr3t-dsn@db/legacy", Pepper: "p3pp3r-value",
		Query:   Queries{ByUsername: "SELECT 1", Sample: "SELECT 1"},
		Columns: Columns{ID: "id", Username: "u", PasswordHash: "pw"}}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Debug("open", "config", c)
	log.Debug("open", "config", &c)
	s, err := c.Open(t.Context(), "legacy", discard())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	log.Debug("source", "source", s)
	out := buf.String() + c.String() + fmt.Sprintf("%v %+v", s, s)
	for _, secret := range []string{"s3cr3t-dsn", "p3pp3r-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"driver":"postgres"`) {
		t.Errorf("log output lacks the driver:\n%s", out)
	}
}

func TestCancelledQueryIsPrompt(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		seedMembers(t, tdb, testCost)
		s := tdb.open(t, membersConfig(tdb.d))
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		<-ctx.Done()
		start := time.Now()
		_, err := s.Authenticate(ctx, "alice", "pw")
		if !errors.Is(err, context.DeadlineExceeded) || source.IsOutcome(err) {
			t.Errorf("Authenticate with an expired context = %v, want a fault wrapping DeadlineExceeded", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v", d)
		}
	})
}

// TestFirstUnknownUserVerifiesOnce: the padding floor is learnt from the
// dummy's own verifications, so the first unknown user after start-up pays
// one verification (padded a quarter above it), not a calibration of
// several on top — which, with a dear dummy on a loaded machine, pushed the
// first answer past the deadline. The fastest of a few fresh sources is
// compared with the fastest direct verification of the same hash.
func TestFirstUnknownUserVerifiesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: skipped with -short")
	}
	const cost = 12
	var first, direct time.Duration
	for range 3 {
		tdb := newTestDB(t, DriverSQLite)
		tdb.ddl(t, membersDDL)
		hash := bcryptHash(t, "Only-row-1", cost)
		tdb.exec(t, `INSERT INTO "members" ("login", "email", "email_ok", "pw", "disabled") VALUES ($1, $2, $3, $4, $5)`,
			"only", "only@example.com", true, hash, false)
		s := tdb.open(t, membersConfig(tdb.d))
		start := time.Now()
		_ = bcrypt.CompareHashAndPassword([]byte(hash), []byte("x"))
		if d := time.Since(start); direct == 0 || d < direct {
			direct = d
		}
		start = time.Now()
		if _, err := s.Authenticate(t.Context(), "nobody", "Nobody-pass-1"); !errors.Is(err, source.ErrUserNotFound) {
			t.Fatalf("Authenticate(unknown) = %v", err)
		}
		if d := time.Since(start); first == 0 || d < first {
			first = d
		}
	}
	t.Logf("first unknown-user answer %v; one verification of the dummy %v", first, direct)
	if first > 2*direct {
		t.Errorf("the first unknown-user answer took %v, %.1f verifications of the dummy: want one, padded by a quarter", first, float64(first)/float64(direct))
	}
}

// TestConfiguredDummyPadsCheapRows: with dummy_hash configured, a wrong
// password on a row cheaper than the dummy is padded to the dummy's cost
// like any other non-matching answer (the floor once came only from a
// sampled dummy, so a configured one padded nothing).
func TestConfiguredDummyPadsCheapRows(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: skipped with -short")
	}
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, testCost)
	c := membersConfig(tdb.d)
	c.DummyHash = bcryptHash(t, "whatever", 12)
	s := tdb.open(t, c)
	if _, err := s.Authenticate(t.Context(), "nobody", "x"); !errors.Is(err, source.ErrUserNotFound) {
		t.Fatalf("warm-up: %v", err)
	}
	var direct, wrong time.Duration
	for range 3 {
		start := time.Now()
		_ = bcrypt.CompareHashAndPassword([]byte(c.DummyHash), []byte("x"))
		if d := time.Since(start); direct == 0 || d < direct {
			direct = d
		}
		start = time.Now()
		if _, err := s.Authenticate(t.Context(), "alice", "wrong password"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Fatalf("Authenticate(wrong) = %v", err)
		}
		if d := time.Since(start); wrong == 0 || d < wrong {
			wrong = d
		}
	}
	t.Logf("wrong password on a cost-%d row %v; one verification of the cost-12 dummy %v", testCost, wrong, direct)
	if wrong < direct*3/4 {
		t.Errorf("a wrong password on a cheap row took %v, the dummy's verification %v: it must be padded to the dummy's cost", wrong, direct)
	}
}
