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
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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

func testRightPassword(t *testing.T, f Fixture) {
	u, err := f.Source.Authenticate(t.Context(), f.User.Name, f.User.Password)
	if err != nil {
		t.Fatalf("Authenticate(%q, right password): %v", f.User.Name, err)
	}
	if d := diffUser(f.User.Want, u); d != "" {
		t.Errorf("Authenticate(%q) user mismatch (-want +got):\n%s", f.User.Name, d)
	}
}

func testWrongPassword(t *testing.T, f Fixture) {
	for _, pw := range []string{f.User.Password + "x", strings.ToUpper(f.User.Password) + "!", "x"} {
		u, err := f.Source.Authenticate(t.Context(), f.User.Name, pw)
		wantOutcome(t, fmt.Sprintf("Authenticate(%q, wrong password)", f.User.Name), u, err, source.ErrInvalidPassword)
	}
}

func testUnknownUser(t *testing.T, f Fixture) {
	for _, name := range []string{"no-such-user-4f1c", "nobody@nowhere.invalid"} {
		u, err := f.Source.Authenticate(t.Context(), name, f.User.Password)
		wantOutcome(t, fmt.Sprintf("Authenticate(%q)", name), u, err, source.ErrUserNotFound)
	}
}

// testUnknownUserCost interleaves wrong-password and unknown-user calls and
// compares the fastest of each, so that load from other processes affects
// both alike. An unknown user answered without a verification would be many
// times faster: that is how an attacker lists the users by timing.
func testUnknownUserCost(t *testing.T, newFixture func(t *testing.T) Fixture) {
	if testing.Short() {
		t.Skip("timing case: skipped with -short")
	}
	f := newFixture(t)
	if !f.VerifiesHashes {
		t.Skip("the source does not verify hashes itself")
	}
	var wrong, unknown time.Duration
	measure := func(best *time.Duration, name string, want error) {
		start := time.Now()
		if _, err := f.Source.Authenticate(t.Context(), name, f.User.Password+"-wrong"); !errors.Is(err, want) {
			t.Fatalf("Authenticate(%q) = %v, want %v", name, err, want)
		}
		if d := time.Since(start); *best == 0 || d < *best {
			*best = d
		}
	}
	for range 7 {
		measure(&wrong, f.User.Name, source.ErrInvalidPassword)
		measure(&unknown, "no-such-user-4f1c", source.ErrUserNotFound)
	}
	t.Logf("fastest: wrong password %v, unknown user %v", wrong, unknown)
	if unknown < wrong/2 {
		t.Errorf("an unknown user took %v, a wrong password %v: unknown users must cost a real verification", unknown, wrong)
	}
}

func testEmptyPassword(t *testing.T, f Fixture) {
	u, err := f.Source.Authenticate(t.Context(), f.User.Name, "")
	wantOutcome(t, "Authenticate(known user, empty password)", u, err, source.ErrInvalidPassword)
	u, err = f.Source.Authenticate(t.Context(), "no-such-user-4f1c", "")
	if !errors.Is(err, source.ErrInvalidPassword) && !errors.Is(err, source.ErrUserNotFound) {
		t.Errorf("Authenticate(unknown user, empty password): err = %v, want an outcome", err)
	}
	if u != nil {
		t.Errorf("Authenticate(unknown user, empty password) returned %+v", u)
	}
}

func testByEmail(t *testing.T, f Fixture) {
	if f.ByEmail == nil {
		t.Skip("fixture has no email-addressed user")
	}
	u, err := f.Source.Authenticate(t.Context(), f.ByEmail.Name, f.ByEmail.Password)
	if err != nil {
		t.Fatalf("Authenticate(%q): %v", f.ByEmail.Name, err)
	}
	if d := diffUser(f.ByEmail.Want, u); d != "" {
		t.Errorf("Authenticate(%q) user mismatch (-want +got):\n%s", f.ByEmail.Name, d)
	}
	u, err = f.Source.Authenticate(t.Context(), f.ByEmail.Name, f.ByEmail.Password+"x")
	wantOutcome(t, "Authenticate(email, wrong password)", u, err, source.ErrInvalidPassword)
}

func testDisabled(t *testing.T, f Fixture) {
	if f.Disabled == nil {
		t.Skip("fixture has no disabled user")
	}
	u, err := f.Source.Authenticate(t.Context(), f.Disabled.Name, f.Disabled.Password)
	wantOutcome(t, "Authenticate(disabled user, right password)", u, err, source.ErrUserDisabled)
	u, err = f.Source.Authenticate(t.Context(), f.Disabled.Name, f.Disabled.Password+"x")
	wantOutcome(t, "Authenticate(disabled user, wrong password)", u, err, source.ErrUserDisabled)
}

// hostileNames are names shaped like SQL, LDAP-filter and path injections,
// NUL bytes and oversized input. None may ever match a user.
func hostileNames(known string) []string {
	return []string{
		"",
		" ",
		"' OR '1'='1",
		"' OR 1=1 --",
		known + "' OR '1'='1",
		known + "'--",
		"admin'--",
		"*)(uid=*",
		"*)(|(uid=*))",
		known + ")(|(uid=*",
		"*",
		"%",
		known[:len(known)/2] + "%",
		known[:len(known)/2] + "_" + known[len(known)/2+1:],
		"\\",
		known + "\x00",
		"\x00" + known,
		known + "\x00' OR '1'='1",
		"../" + known,
		strings.Repeat("a", 10<<10),
		strings.Repeat(known, (10<<10)/len(known)+1),
		"\xff\xfe" + known,
	}
}

func testHostileNames(t *testing.T, f Fixture) {
	for _, name := range hostileNames(f.User.Name) {
		if name == f.User.Name {
			continue
		}
		for _, pw := range []string{f.User.Password, "' OR '1'='1"} {
			u, err := f.Source.Authenticate(t.Context(), name, pw)
			if err == nil || u != nil {
				t.Errorf("Authenticate(%.40q) = %+v, %v: a hostile name matched", name, u, err)
				continue
			}
			if source.IsOutcome(err) && !errors.Is(err, source.ErrUserNotFound) && !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("Authenticate(%.40q): err = %v, want not found or a fault", name, err)
			}
		}
		u, err := f.Source.Lookup(t.Context(), name)
		if err == nil || u != nil {
			t.Errorf("Lookup(%.40q) = %+v, %v: a hostile name matched", name, u, err)
		}
	}
}

// otherCase returns name with the case of its letters changed, or "" when
// it has no cased letters.
func otherCase(name string) string {
	up := strings.ToUpper(name)
	if up != name {
		return up
	}
	low := strings.ToLower(name)
	if low != name {
		return low
	}
	return ""
}

func testCaseRule(t *testing.T, f Fixture) {
	name := otherCase(f.User.Name)
	if name == "" {
		t.Skip("the fixture user's name has no cased letters")
	}
	u, err := f.Source.Authenticate(t.Context(), name, f.User.Password)
	if f.CaseInsensitive {
		if err != nil {
			t.Fatalf("Authenticate(%q) with a case-insensitive rule: %v", name, err)
		}
		if u.ID != f.User.Want.ID {
			t.Errorf("Authenticate(%q) found ID %q, want %q", name, u.ID, f.User.Want.ID)
		}
		return
	}
	wantOutcome(t, fmt.Sprintf("Authenticate(%q) with a case-sensitive rule", name), u, err, source.ErrUserNotFound)
}

func testLookup(t *testing.T, f Fixture) {
	u, err := f.Source.Lookup(t.Context(), f.User.Name)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", f.User.Name, err)
	}
	want := *f.User.Want
	want.HashFamily, want.WeakHash = "", false // Lookup verifies nothing
	if d := cmp.Diff(&want, u, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(source.User{}, "HashFamily", "WeakHash")); d != "" {
		t.Errorf("Lookup(%q) user mismatch (-want +got):\n%s", f.User.Name, d)
	}
	u, err = f.Source.Lookup(t.Context(), "no-such-user-4f1c")
	wantOutcome(t, "Lookup(unknown)", u, err, source.ErrUserNotFound)
	if f.ByEmail != nil {
		u, err = f.Source.Lookup(t.Context(), f.ByEmail.Name)
		if err != nil {
			t.Errorf("Lookup(%q): %v", f.ByEmail.Name, err)
		} else if u.ID != f.ByEmail.Want.ID {
			t.Errorf("Lookup(%q) ID = %q, want %q", f.ByEmail.Name, u.ID, f.ByEmail.Want.ID)
		}
	}
	if f.Disabled != nil {
		u, err = f.Source.Lookup(t.Context(), f.Disabled.Name)
		wantOutcome(t, "Lookup(disabled)", u, err, source.ErrUserDisabled)
	}
}

func testCancelledContext(t *testing.T, f Fixture) {
	calls := []struct {
		name string
		call func(ctx context.Context) (*source.User, error)
	}{
		{"Authenticate", func(ctx context.Context) (*source.User, error) {
			return f.Source.Authenticate(ctx, f.User.Name, f.User.Password)
		}},
		{"AuthenticateUnknown", func(ctx context.Context) (*source.User, error) {
			return f.Source.Authenticate(ctx, "no-such-user-4f1c", f.User.Password)
		}},
		{"Lookup", func(ctx context.Context) (*source.User, error) {
			return f.Source.Lookup(ctx, f.User.Name)
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			start := time.Now()
			u, err := c.call(ctx)
			if d := time.Since(start); d > PromptBound {
				t.Errorf("returned after %v with a cancelled context, want within %v", d, PromptBound)
			}
			if err == nil || u != nil {
				t.Fatalf("= %+v, %v with a cancelled context, want a fault", u, err)
			}
			if source.IsOutcome(err) {
				t.Errorf("err = %v with a cancelled context: an outcome, want a fault", err)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want it to wrap context.Canceled", err)
			}
		})
	}
}

func testConcurrent(t *testing.T, f Fixture) {
	n := f.Concurrency
	if n == 0 {
		n = 50
	}
	type call struct {
		name, password string
		want           error // nil: the user; else the outcome
		wantID         string
	}
	kinds := []call{
		{f.User.Name, f.User.Password, nil, f.User.Want.ID},
		{f.User.Name, f.User.Password + "x", source.ErrInvalidPassword, ""},
		{"no-such-user-4f1c", f.User.Password, source.ErrUserNotFound, ""},
	}
	if f.ByEmail != nil {
		kinds = append(kinds, call{f.ByEmail.Name, f.ByEmail.Password, nil, f.ByEmail.Want.ID})
	}
	if f.Disabled != nil {
		kinds = append(kinds, call{f.Disabled.Name, f.Disabled.Password, source.ErrUserDisabled, ""})
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		c := kinds[i%len(kinds)]
		wg.Go(func() {
			u, err := f.Source.Authenticate(t.Context(), c.name, c.password)
			switch {
			case c.want == nil && err != nil:
				errs <- fmt.Errorf("call %d Authenticate(%q): %w", i, c.name, err)
			case c.want == nil && u.ID != c.wantID:
				errs <- fmt.Errorf("call %d Authenticate(%q): ID %q, want %q", i, c.name, u.ID, c.wantID)
			case c.want != nil && (!errors.Is(err, c.want) || u != nil):
				errs <- fmt.Errorf("call %d Authenticate(%q) = %v, %v; want %v", i, c.name, u, err, c.want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testMarkMigratedTwice(t *testing.T, f Fixture) {
	m, ok := source.As[source.Marker](f.Source)
	if !ok {
		t.Skip("source is not a source.Marker")
	}
	u, err := f.Source.Authenticate(t.Context(), f.User.Name, f.User.Password)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	for i := range 2 {
		if err := m.MarkMigrated(t.Context(), u); err != nil {
			t.Fatalf("MarkMigrated call %d: %v", i+1, err)
		}
	}
	// A marked user still authenticates: marking records progress, it does
	// not remove anyone.
	if _, err := f.Source.Authenticate(t.Context(), f.User.Name, f.User.Password); err != nil {
		t.Errorf("Authenticate after MarkMigrated: %v", err)
	}
	if c, ok := source.As[source.Checker](f.Source); ok {
		if err := c.Check(t.Context()); err != nil {
			t.Errorf("Check: %v", err)
		}
	}
}

// testReturnedUserIsACopy checks that a caller changing a returned user
// (as attribute mapping does) cannot change what the source returns next.
func testReturnedUserIsACopy(t *testing.T, f Fixture) {
	u, err := f.Source.Authenticate(t.Context(), f.User.Name, f.User.Password)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	u.Attributes["ferry:mutated"] = "x"
	for k := range f.User.Want.Attributes {
		u.Attributes[k] = "mutated"
	}
	u.Groups = append(u.Groups, "ferry-mutated")
	if len(u.Groups) > 1 {
		u.Groups[0] = "mutated"
	}
	u.Email = "mutated@example.invalid"
	again, err := f.Source.Authenticate(t.Context(), f.User.Name, f.User.Password)
	if err != nil {
		t.Fatalf("Authenticate again: %v", err)
	}
	if d := diffUser(f.User.Want, again); d != "" {
		t.Errorf("a change to a returned user leaked into the next answer (-want +got):\n%s", d)
	}
}
