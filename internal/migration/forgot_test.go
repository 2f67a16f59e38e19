package migration_test

import (
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/timing"
)

// TestForgotPasswordAnswersTakeTheFloor: once a legacy user's
// forgot-password has shown what answering costs (a directory that takes
// 30 ms to find a user), an unknown name, a user without a verified
// channel, a throttled attempt and the legacy user again each take at
// least a quarter more: every answer is padded to one floor. Unpadded,
// the unknown name and the throttled attempt answer in microseconds.
func TestForgotPasswordAnswersTakeTheFloor(t *testing.T) {
	t.Parallel()
	const lookup = 30 * time.Millisecond
	unverified := alice()
	unverified.user.Username, unverified.user.Email, unverified.user.EmailVerified = "carol", "carol@example.com", false
	src := newSource(alice(), unverified)
	src.lookupDelay = lookup
	m := newGuarded(t, migration.Options{
		Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
		Throttle: newLimiter(t, guard.ThrottleConfig{Client: guard.Limit{Max: 1, Window: time.Minute}}),
		Now:      time.Now,
	})
	forgot := func(name, client string) (migration.Result, error, time.Duration) {
		start := time.Now()
		res, err := m.Migrate(t.Context(), migration.Request{Kind: migration.ForgotPassword, Username: name, ClientID: client})
		return res, err, time.Since(start)
	}
	if res, err, _ := forgot("alice", "first"); err != nil {
		t.Fatalf("legacy user: %+v, %v", res, err)
	}
	forgot("mallory", "spent") // spends client "spent"'s one attempt
	floor := timing.Headroom(lookup)
	for _, tc := range []struct {
		name, username, client string
		want                   migration.Outcome
	}{
		{"legacy user", "alice", "a", migration.OutcomeMigrated},
		{"unknown name", "mallory", "b", migration.OutcomeUnknown},
		{"no verified channel", "carol", "c", migration.OutcomeNoVerifiedChannel},
		{"throttled", "mallory", "spent", migration.OutcomeThrottled},
	} {
		res, err, took := forgot(tc.username, tc.client)
		if res.Outcome != tc.want || (err != nil) != (tc.want != migration.OutcomeMigrated) {
			t.Errorf("%s: outcome %q, %v; want %q", tc.name, res.Outcome, err, tc.want)
		}
		if took < floor {
			t.Errorf("%s: answered in %v, before the %v floor (lookup %v × 5/4)", tc.name, took, floor, lookup)
		}
	}
}
