// The cases beyond sign-in: Lookup, cancellation, concurrent use, a
// repeated write-back, and returned users that are copies.

package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/source"
)

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
