package sqlsource

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// warmTable is a members table of bcrypt rows (cost 4, the dummy's
// family) with, when dear, one PBKDF2-SHA256 row of 100,000 iterations,
// opened with a listing so that Warm can read its hashes.
func warmTable(t *testing.T, dear bool) *Source {
	t.Helper()
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, 4)
	if dear {
		key, err := pbkdf2.Key(sha256.New, "right", []byte("salt"), 100_000, 32)
		if err != nil {
			t.Fatal(err)
		}
		tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('dear', false, $1, false)`,
			"pbkdf2_sha256$100000$salt$"+base64.StdEncoding.EncodeToString(key))
	}
	c := membersConfig(tdb.d)
	c.Query.Sample = `SELECT "pw" FROM "members" WHERE "login" = 'alice'`
	c.Query.List = `SELECT "id", "login", "email", "email_ok", "phone", "pw", "salt", "disabled", "given" FROM "members"`
	return tdb.open(t, c)
}

// TestWarmLearnsTheDearestFamily: Warm verifies the dummy and the table's
// dearest hash, so the floor holds the PBKDF2 row's cost before any
// sign-in — well above the floor Warm learns from the bcrypt dummy alone
// on a table without that row — and the first unknown user after
// start-up is already padded to it; without Warm, that first answer
// costs only the bcrypt dummy (TestDearerFamilyRaisesFloor shows the
// floor rising only after the row is tried). Times are compared only
// where the padding guarantees them, or with a wide margin (PBKDF2 at
// 100,000 iterations is tens of times bcrypt cost 4), so the test holds
// on a loaded machine.
func TestWarmLearnsTheDearestFamily(t *testing.T) {
	plain := warmTable(t, false)
	for range 3 { // three dummy verifications: one slow one moves the median little
		if err := plain.Warm(t.Context()); err != nil {
			t.Fatalf("Warm: %v", err)
		}
	}
	s := warmTable(t, true)
	if err := s.Warm(t.Context()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if n := s.pacer.Families(); n != 1 {
		t.Fatalf("after Warm the floor has %d families besides the dummy's, want the PBKDF2 one", n)
	}
	floor, dummyOnly := s.pacer.Floor(), plain.pacer.Floor()
	if floor < 2*dummyOnly {
		t.Errorf("floor after Warm %s, %s with the dummy alone: want the PBKDF2 row's, far above", floor, dummyOnly)
	}
	start := time.Now()
	if _, err := s.Authenticate(t.Context(), "nobody", "wrong"); err == nil {
		t.Fatal("nobody signed in")
	}
	if first := time.Since(start); first < floor {
		t.Errorf("the first unknown user after Warm took %s: want the floor Warm learnt, %s", first, floor)
	}
}

// TestWarmWithoutDearerFamily: when the dummy's family is the dearest,
// or the source cannot list, Warm learns the dummy's cost alone.
func TestWarmWithoutDearerFamily(t *testing.T) {
	s := warmTable(t, false)
	if err := s.Warm(t.Context()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if n := s.pacer.Families(); n != 0 || s.pacer.Floor() == 0 {
		t.Errorf("after Warm: %d families, floor %s; want none, and the dummy's floor", n, s.pacer.Floor())
	}
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, 2)
	unlisted := tdb.open(t, membersConfig(tdb.d))
	if err := unlisted.Warm(t.Context()); err != nil || unlisted.pacer.Floor() == 0 {
		t.Errorf("Warm without a listing: %v, floor %s; want the dummy's floor and no error", err, unlisted.pacer.Floor())
	}
}

// BenchmarkWarm measures what Warm adds to a start-up: a table of 2,000
// bcrypt cost-10 rows whose last sampled one is a PBKDF2-SHA256 row of
// Django 5's 870,000 iterations, so Warm reads every sampled row and
// verifies the bcrypt dummy and the PBKDF2 row. The
// metric ms-median is over the iterations, each on a fresh Source:
//
//	go test -run '^$' -bench BenchmarkWarm -benchtime 10x ./internal/source/sqlsource
func BenchmarkWarm(b *testing.B) {
	tdb := newTestDB(b, DriverSQLite)
	tdb.ddl(b, membersDDL)
	h := bcryptHash(b, "pw", 10)
	for i := range source.WarmSample - 1 {
		tdb.exec(b, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ($1, false, $2, false)`, fmt.Sprint("user", i), h)
	}
	key, err := pbkdf2.Key(sha256.New, "right", []byte("salt"), 870_000, 32)
	if err != nil {
		b.Fatal(err)
	}
	tdb.exec(b, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('dear', false, $1, false)`,
		"pbkdf2_sha256$870000$salt$"+base64.StdEncoding.EncodeToString(key))
	tdb.exec(b, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('late', false, $1, false)`, h)
	c := membersConfig(tdb.d)
	c.Query.List = `SELECT "id", "login", "email", "email_ok", "phone", "pw", "salt", "disabled", "given" FROM "members"`
	var runs []time.Duration
	for b.Loop() {
		s := tdb.open(b, c)
		if err := s.Check(b.Context()); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := s.Warm(b.Context()); err != nil {
			b.Fatal(err)
		}
		runs = append(runs, time.Since(start))
		if n := s.pacer.Families(); n != 1 {
			b.Fatalf("Warm learnt %d families, want the PBKDF2 one", n)
		}
	}
	slices.Sort(runs)
	b.ReportMetric(float64(runs[len(runs)/2].Microseconds())/1000, "ms-median")
}

// TestWarmPresets: every preset's source warms on its framework's tables
// (its listing and sample statements run), on SQLite.
func TestWarmPresets(t *testing.T) {
	t.Parallel()
	for _, name := range Presets() {
		pc := presetCases[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _ := pc.openSeeded(t, newTestDB(t, DriverSQLite), name, bcryptHasher(pc.bcryptSalt))
			if err := s.Warm(t.Context()); err != nil {
				t.Fatalf("Warm: %v", err)
			}
			if s.pacer.Floor() == 0 {
				t.Error("Warm learnt no floor")
			}
		})
	}
}
