// Package sourcetest is the conformance suite every legacy source passes, in
// the shape of testing/fstest and dex's storage/conformance: a backend's test
// calls Run with a factory that seeds a directory and returns a Fixture
// describing the users it holds, and the suite checks the source.Source
// contract against it (outcomes, faults, hostile names, case rule,
// cancellation, concurrency, idempotent write-back, and that an unknown
// user costs a real verification).
//
// The suite knows nothing about any backend: seeding is the factory's job.
package sourcetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Account is a user the factory seeded, with the name to sign in with, the
// password it knows, and the user the source must return for it.
type Account struct {
	// Name is the name as typed (already folded as the caller would).
	Name string
	// Password is the user's right password.
	Password string
	// Want is the user the source must return. HashFamily and WeakHash are
	// compared only when Want.HashFamily is set.
	Want *source.User
}

// Fixture is a ready Source and what the factory put in it.
type Fixture struct {
	// Source is the source under test, open and seeded.
	Source source.Source
	// User is an enabled user addressed by username. Required.
	User Account
	// ByEmail is an enabled user addressed by email address; nil when the
	// source does not look users up by email.
	ByEmail *Account
	// Disabled is a user who is disabled or locked in the directory; nil
	// when the directory has no such notion.
	Disabled *Account
	// CaseInsensitive states the source's case rule: true when a name that
	// differs from User.Name only in letter case must find the same user,
	// false when it must not be found.
	CaseInsensitive bool
	// Concurrency is how many Authenticate calls the concurrency case runs
	// at once; zero means 50.
	Concurrency int
	// VerifiesHashes is true when the source verifies stored hashes itself
	// (SQL, file, LDAP compare mode): the suite then checks that an unknown
	// user costs a real verification, as long as a wrong password does.
	VerifiesHashes bool
}

// PromptBound is how long a source may take to give up once its context is
// cancelled. It is generous for a loaded 2-core CI machine, and far below
// Cognito's 5-second budget for the whole trigger.
const PromptBound = 3 * time.Second

// Run checks the source.Source contract against the fixture newFixture
// returns. newFixture is called once per case (the cases run in parallel),
// so each case gets a source of its own; it registers its own cleanup with
// t.Cleanup.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, f Fixture)
	}{
		{"RightPassword", testRightPassword},
		{"WrongPassword", testWrongPassword},
		{"UnknownUser", testUnknownUser},
		{"EmptyPassword", testEmptyPassword},
		{"ByEmail", testByEmail},
		{"Disabled", testDisabled},
		{"HostileNames", testHostileNames},
		{"CaseRule", testCaseRule},
		{"Lookup", testLookup},
		{"CancelledContext", testCancelledContext},
		{"Concurrent", testConcurrent},
		{"MarkMigratedTwice", testMarkMigratedTwice},
		{"ReturnedUserIsACopy", testReturnedUserIsACopy},
	}
	// Not parallel, and before the parallel cases are released: a timing
	// comparison needs the machine to itself.
	t.Run("UnknownUserCostsAVerification", func(t *testing.T) {
		testUnknownUserCost(t, newFixture)
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if f.Source == nil {
				t.Fatal("fixture has no Source")
			}
			if f.User.Name == "" || f.User.Password == "" || f.User.Want == nil {
				t.Fatal("fixture User needs Name, Password and Want")
			}
			tc.fn(t, f)
		})
	}
}

// diffUser compares a returned user with the wanted one.
func diffUser(want, got *source.User) string {
	opts := []cmp.Option{cmpopts.EquateEmpty()}
	if want != nil && want.HashFamily == "" {
		opts = append(opts, cmpopts.IgnoreFields(source.User{}, "HashFamily", "WeakHash"))
	}
	return cmp.Diff(want, got, opts...)
}

// wantOutcome fails t unless err is (or wraps) target and u is nil.
func wantOutcome(t *testing.T, what string, u *source.User, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
	if u != nil {
		t.Errorf("%s: returned user %+v with outcome %v", what, u, err)
	}
}
