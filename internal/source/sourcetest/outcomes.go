// The outcome cases: a right and a wrong password, an unknown user (and what
// it costs), an empty password, sign-in by email and a disabled user.

package sourcetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

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
