package sqlsource

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkMixedFamilies measures the median answer time of an unknown
// user and of wrong passwords on rows of two families in one table: the
// dominant one (bcrypt cost 10, which the dummy is sampled from) and a far
// cheaper one (PBKDF2-SHA256, 1,000 iterations). Every sub-benchmark runs a
// fixed 31 sign-ins per iteration; compare the median-ms metrics:
//
//	go test -run '^$' -bench MixedFamilies -benchtime 1x ./internal/source/sqlsource
func BenchmarkMixedFamilies(b *testing.B) {
	tdb := newTestDB(b, DriverSQLite)
	seedMembers(b, tdb, 10)
	key, err := pbkdf2.Key(sha256.New, "right", []byte("salt"), 1000, 32)
	if err != nil {
		b.Fatal(err)
	}
	django := "pbkdf2_sha256$1000$salt$" + base64.StdEncoding.EncodeToString(key)
	tdb.exec(b, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('cheap', false, $1, false)`, django)
	c := membersConfig(tdb.d)
	c.Query.Sample = `SELECT "pw" FROM "members" WHERE "login" = 'alice'`
	s := tdb.open(b, c)
	if err := s.Check(b.Context()); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, user string }{
		{"unknown", "nobody"}, {"wrong-password-pbkdf2-row", "cheap"}, {"wrong-password-bcrypt-row", "alice"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var runs []time.Duration
			for b.Loop() {
				for i := range 31 {
					start := time.Now()
					_, _ = s.Authenticate(b.Context(), tc.user, fmt.Sprint("wrong", i))
					runs = append(runs, time.Since(start))
				}
			}
			slices.Sort(runs)
			b.ReportMetric(float64(runs[len(runs)/2].Microseconds())/1000, "median-ms")
		})
	}
}

// TestDearerFamilyRaisesFloor: once a wrong password was verified against
// a row of a family dearer than the dummy (PBKDF2-SHA256 at 100,000
// iterations next to bcrypt cost 4), an unknown user is padded to that
// family's cost, not the dummy's: the padding guarantees the lower bound,
// so the comparison holds on any machine load.
func TestDearerFamilyRaisesFloor(t *testing.T) {
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, 4)
	key, err := pbkdf2.Key(sha256.New, "right", []byte("salt"), 100_000, 32)
	if err != nil {
		t.Fatal(err)
	}
	dear := "pbkdf2_sha256$100000$salt$" + base64.StdEncoding.EncodeToString(key)
	tdb.exec(t, `INSERT INTO "members" ("login", "email_ok", "pw", "disabled") VALUES ('dear', false, $1, false)`, dear)
	c := membersConfig(tdb.d)
	c.Query.Sample = `SELECT "pw" FROM "members" WHERE "login" = 'alice'`
	s := tdb.open(t, c)
	timed := func(user string) time.Duration {
		start := time.Now()
		if _, err := s.Authenticate(t.Context(), user, "wrong"); err == nil {
			t.Fatalf("%s signed in with a wrong password", user)
		}
		return time.Since(start)
	}
	timed("nobody") // samples the dummy and measures its cost
	cheap := timed("nobody")
	dearAnswer := timed("dear")
	if dearAnswer < 4*cheap {
		t.Skipf("the PBKDF2 row (%s) is not dearer enough than the bcrypt dummy (%s) on this machine to tell", dearAnswer, cheap)
	}
	if unknown := timed("nobody"); unknown < dearAnswer*4/5 {
		t.Errorf("an unknown user took %s after a wrong password on the PBKDF2 row took %s: want the dearer family's floor", unknown, dearAnswer)
	}
	if wrong := timed("alice"); wrong < dearAnswer*4/5 {
		t.Errorf("a wrong password on a bcrypt row took %s after one on the PBKDF2 row took %s: want the dearer family's floor", wrong, dearAnswer)
	}
}
