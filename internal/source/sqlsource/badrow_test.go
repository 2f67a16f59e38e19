package sqlsource

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// TestBadRowsAreOutcomes: a user's own unusable row is that user's
// *source.RecordError with its reason, never a source fault, and the other
// users are unaffected.
func TestBadRowsAreOutcomes(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, testCost)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('garbled', false, 'not-a-hash', false)`)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('broken', false, $1, false)`, "$2b$10$short")
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('twice', false, $1, false)`, bcryptHash(t, "pw", testCost))
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('twice', false, $1, false)`, bcryptHash(t, "pw", testCost))
	costly := strings.Replace(bcryptHash(t, "pw", testCost), "$04$", "$31$", 1)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('costly', false, $1, false)`, costly)
	slow := "$argon2id$v=19$m=1048576,t=10,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('slow', false, $1, false)`, slow)

	s := tdb.open(t, membersConfig(tdb.d))
	for _, c := range []struct{ user, reason string }{
		{"garbled", source.RecordHashUnknown},
		{"broken", source.RecordHashMalformed},
		{"costly", source.RecordHashOverBudget},
		{"slow", source.RecordHashOverBudget},
		{"twice", source.RecordAmbiguous},
	} {
		for range 3 {
			_, err := s.Authenticate(t.Context(), c.user, "pw")
			var re *source.RecordError
			if !errors.As(err, &re) || re.Reason != c.reason || !source.IsOutcome(err) {
				t.Fatalf("Authenticate(%s) = %v, want a %s record error", c.user, err, c.reason)
			}
			var fault *source.Error
			if errors.As(err, &fault) {
				t.Fatalf("Authenticate(%s) = %v is a fault", c.user, err)
			}
			if c.reason != source.RecordAmbiguous && re.UserID == "" {
				t.Errorf("Authenticate(%s): record error without the legacy id", c.user)
			}
		}
	}
	if _, err := s.Lookup(t.Context(), "twice"); !errors.Is(err, source.ErrBadRecord) {
		t.Errorf("Lookup(twice) = %v, want ErrBadRecord", err)
	}
	if u, err := s.Authenticate(t.Context(), "alice", members[0].password); err != nil || u == nil {
		t.Fatalf("Authenticate(alice) after the bad rows = %v, %v", u, err)
	}
}

// TestHostileDummyNeverUsed: a bcrypt-cost-31 row sampled as the
// unknown-user dummy is replaced by a well-formed one, so unknown names
// stay not-found (no fault for a circuit breaker to count) and the real
// user still signs in.
func TestHostileDummyNeverUsed(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, testCost)
	costly := strings.Replace(bcryptHash(t, "pw", testCost), "$04$", "$31$", 1)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('costly', false, $1, false)`, costly)
	for _, sample := range []string{
		`SELECT "pw" FROM "members" WHERE "login" = 'costly'`,
		`SELECT 'not-a-hash' AS "pw"`,
		`SELECT 'abc$2b$x' AS "pw"`,
	} {
		c := membersConfig(tdb.d)
		c.Query.Sample = sample
		s := tdb.open(t, c)
		if err := s.Check(t.Context()); err != nil {
			t.Fatalf("Check with sample %q = %v", sample, err)
		}
		for i := range 25 {
			if _, err := s.Authenticate(t.Context(), "nobody-"+string(rune('a'+i)), "pw"); !errors.Is(err, source.ErrUserNotFound) {
				t.Fatalf("unknown user with sample %q = %v, want ErrUserNotFound", sample, err)
			}
		}
		if _, err := s.Authenticate(t.Context(), "alice", "wrong"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Fatalf("wrong password = %v", err)
		}
		if u, err := s.Authenticate(t.Context(), "alice", members[0].password); err != nil || u == nil {
			t.Fatalf("real user with sample %q = %v, %v", sample, u, err)
		}
	}
}
