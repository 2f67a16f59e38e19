package guard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
)

func newLimiter(t *testing.T, cfg guard.ThrottleConfig, counter guard.Counter, c *clock, logger *slog.Logger) *guard.Limiter {
	t.Helper()
	l, err := guard.NewLimiter(cfg, counter, c.Now, logger)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLimiterUsernameFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures []bool // outcome of each attempt let through, in order
		want     int    // attempts let through out of 10
	}{
		{"failures stop at the limit", []bool{true, true, true, true, true}, 5},
		{"successes give their unit back", []bool{false, false, false, false, false, false, false, false, false, false}, 10},
		{"mixed", []bool{true, false, true, false, true, true, true}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			l := newLimiter(t, guard.ThrottleConfig{}, guard.NewMemoryCounter(0, c.Now), c, nil)
			through := 0
			for i := range 10 {
				a, err := l.Begin(t.Context(), "app", "alice", true)
				if err != nil {
					var te *guard.ThrottleError
					if !errors.As(err, &te) || te.Scope != guard.ScopeUsername || !errors.Is(err, guard.ErrThrottled) {
						t.Fatalf("attempt %d: %v, want a username ThrottleError", i, err)
					}
					continue
				}
				through++
				a.End(t.Context(), i < len(tt.failures) && tt.failures[i])
			}
			if through != tt.want {
				t.Errorf("%d attempts through, want %d", through, tt.want)
			}
		})
	}
}

func TestLimiterWindowExpires(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := newLimiter(t, guard.ThrottleConfig{Username: guard.Limit{Max: 2, Window: time.Minute}}, guard.NewMemoryCounter(0, c.Now), c, nil)
	begin := func() error {
		a, err := l.Begin(t.Context(), "app", "bob", true)
		a.End(t.Context(), true)
		return err
	}
	for range 2 {
		if err := begin(); err != nil {
			t.Fatal(err)
		}
	}
	if err := begin(); !errors.Is(err, guard.ErrThrottled) {
		t.Fatalf("third failure in the window: %v, want throttled", err)
	}
	c.Advance(time.Minute)
	if err := begin(); err != nil {
		t.Fatalf("first attempt of the next window: %v", err)
	}
}

func TestLimiterClientCountsEveryAttempt(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := newLimiter(t, guard.ThrottleConfig{Client: guard.Limit{Max: 3, Window: time.Minute}}, guard.NewMemoryCounter(0, c.Now), c, nil)
	for i := range 3 {
		a, err := l.Begin(t.Context(), "app", fmt.Sprint("user", i), false)
		if err != nil {
			t.Fatal(err)
		}
		a.End(t.Context(), false)
	}
	_, err := l.Begin(t.Context(), "app", "user9", false)
	var te *guard.ThrottleError
	if !errors.As(err, &te) || te.Scope != guard.ScopeClient {
		t.Fatalf("fourth attempt: %v, want a client ThrottleError", err)
	}
	if _, err := l.Begin(t.Context(), "other-app", "user9", false); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

// TestLimiterRacingAttempts shows the advance reservation: however many
// attempts race for one username, no more than the limit get through.
func TestLimiterRacingAttempts(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := newLimiter(t, guard.ThrottleConfig{}, guard.NewMemoryCounter(0, c.Now), c, nil)
	var through atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 20 {
				a, err := l.Begin(t.Context(), "app", "carol", true)
				if err == nil {
					through.Add(1)
					a.End(t.Context(), true)
				}
			}
		})
	}
	wg.Wait()
	if got := through.Load(); got != guard.DefaultUsernameMax {
		t.Errorf("%d attempts through, want %d", got, guard.DefaultUsernameMax)
	}
}

// brokenCounter is a backend that is down.
type brokenCounter struct{}

var errTableDown = errors.New("table unreachable")

func (brokenCounter) Take(context.Context, string, int64, time.Time) (bool, error) {
	return false, errTableDown
}
func (brokenCounter) Give(context.Context, string) error { return errTableDown }

func TestLimiterBackendDown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		policy  string
		wantErr error
		wantLog string
	}{
		{"default fails open", "", nil, "fail-open"},
		{"open", guard.FailOpen, nil, "fail-open"},
		{"closed", guard.FailClosed, guard.ErrBackend, "fail-closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			l := newLimiter(t, guard.ThrottleConfig{OnBackendError: tt.policy}, brokenCounter{}, newClock(), logger)
			a, err := l.Begin(t.Context(), "app", "dave", true)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Begin = %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				a.End(t.Context(), false) // nothing was counted: nothing given back
			}
			if tt.wantErr != nil && !errors.Is(err, errTableDown) {
				t.Errorf("Begin = %v, want the backend's error wrapped", err)
			}
			out := buf.String()
			if !strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, tt.wantLog) || !strings.Contains(out, "table unreachable") {
				t.Errorf("log = %s, want an error-level %s line naming the cause", out, tt.wantLog)
			}
			if strings.Contains(out, `"op":"give"`) {
				t.Errorf("gave back a unit that was never taken: %s", out)
			}
		})
	}
}

func TestLimiterDisabled(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, guard.ThrottleConfig{Disabled: true}, brokenCounter{}, newClock(), nil)
	for range 20 {
		a, err := l.Begin(t.Context(), "app", "erin", true)
		if err != nil {
			t.Fatal(err)
		}
		a.End(t.Context(), true)
	}
}

func TestThrottleConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  guard.ThrottleConfig
		want []string
	}{
		{"zero is valid", guard.ThrottleConfig{}, nil},
		{"dynamodb needs a table", guard.ThrottleConfig{Backend: guard.CounterConfig{Type: "dynamodb"}}, []string{"backend.table: required for type dynamodb"}},
		{"memory takes no table", guard.ThrottleConfig{Backend: guard.CounterConfig{Table: "t"}}, []string{"backend: table, region and endpoint are for type dynamodb"}},
		{"bad values", guard.ThrottleConfig{
			Username:       guard.Limit{Max: -1, Window: time.Millisecond},
			OnBackendError: "maybe",
			Backend:        guard.CounterConfig{Type: "redis"},
		}, []string{
			"username.max: -1 must not be negative",
			"username.window: 1ms must be at least 1s",
			`on_backend_error: "maybe" is not one of open, closed`,
			`backend.type: "redis" is not one of memory, dynamodb`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertErrors(t, tt.cfg.Validate(), tt.want)
		})
	}
}

func TestMemoryCounterBounded(t *testing.T) {
	t.Parallel()
	c := newClock()
	mc := guard.NewMemoryCounter(100, c.Now)
	exp := c.Now().Add(time.Minute)
	for i := range 1000 {
		if ok, err := mc.Take(t.Context(), fmt.Sprint("k", i), 5, exp); err != nil || !ok {
			t.Fatalf("Take k%d = %v, %v", i, ok, err)
		}
	}
	if n := mc.Len(); n != 100 {
		t.Fatalf("Len = %d, want the cap 100", n)
	}
	// The most recent keys are kept.
	if ok, _ := mc.Take(t.Context(), "k999", 1, exp); ok {
		t.Error("k999 was forgotten, want it kept (most recently used)")
	}
	// Expired entries go first and a key past its expiry starts over.
	c.Advance(time.Minute)
	if ok, _ := mc.Take(t.Context(), "k999", 1, c.Now().Add(time.Minute)); !ok {
		t.Error("k999 still counted after it expired")
	}
}

func TestMemoryCounterGive(t *testing.T) {
	t.Parallel()
	c := newClock()
	mc := guard.NewMemoryCounter(0, c.Now)
	exp := c.Now().Add(time.Minute)
	if err := mc.Give(t.Context(), "absent"); err != nil {
		t.Fatalf("Give on an absent key: %v", err)
	}
	for range 2 {
		mc.Take(t.Context(), "k", 2, exp)
	}
	if ok, _ := mc.Take(t.Context(), "k", 2, exp); ok {
		t.Fatal("took past the limit")
	}
	for range 3 { // one more than taken: never below zero
		if err := mc.Give(t.Context(), "k"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if ok, _ := mc.Take(t.Context(), "k", 2, exp); !ok {
			t.Fatalf("take %d after giving back refused", i)
		}
	}
	if ok, _ := mc.Take(t.Context(), "k", 2, exp); ok {
		t.Fatal("count went below zero")
	}
}

// BenchmarkLimiter measures what throttling adds to one attempt with the
// memory counter: a client and a username unit taken, the latter given back.
func BenchmarkLimiter(b *testing.B) {
	l, err := guard.NewLimiter(guard.ThrottleConfig{Client: guard.Limit{Max: 1 << 40, Window: time.Minute}}, guard.NewMemoryCounter(0, nil), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, 1024)
	for i := range names {
		names[i] = fmt.Sprint("user", i)
	}
	i := 0
	for b.Loop() {
		a, err := l.Begin(b.Context(), "web", names[i%len(names)], true)
		if err != nil {
			b.Fatal(err)
		}
		a.End(b.Context(), false)
		i++
	}
}

// BenchmarkBreaker measures one call through a closed breaker.
func BenchmarkBreaker(b *testing.B) {
	br, err := guard.NewBreaker("legacy", guard.BreakerConfig{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		t, err := br.Allow()
		if err != nil {
			b.Fatal(err)
		}
		t.Done(guard.Success)
	}
}

// TestLimiterAccountSharesOneBudget: failures under several names of one
// account (its username, its email) draw on one account budget, and a
// success gives both units back.
func TestLimiterAccountSharesOneBudget(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := newLimiter(t, guard.ThrottleConfig{}, guard.NewMemoryCounter(0, c.Now), c, nil)
	through := 0
	for i := range 20 {
		name := []string{"alice", "alice@example.com", "ALİCE", "ａｌｉｃｅ@example.com"}[i%4]
		a, err := l.Begin(t.Context(), "app", name, true)
		var te *guard.ThrottleError
		if errors.As(err, &te) {
			continue
		}
		if err != nil {
			t.Fatalf("attempt %d: Begin: %v", i, err)
		}
		err = a.Account(t.Context(), "db\x00"+"42")
		if errors.As(err, &te) {
			if te.Scope != guard.ScopeAccount {
				t.Fatalf("attempt %d: scope %s, want account", i, te.Scope)
			}
			a.End(t.Context(), true)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		through++
		a.End(t.Context(), true)
	}
	if through != guard.DefaultUsernameMax {
		t.Errorf("%d failures reached the store under three names, want %d", through, guard.DefaultUsernameMax)
	}

	// A success gives back the account unit: another account's budget is
	// untouched, and succeeding does not use up this one's.
	for i := range 10 {
		a, err := l.Begin(t.Context(), "app", fmt.Sprintf("bob-%d", i%2), true)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Account(t.Context(), "db\x00"+"43"); err != nil {
			t.Fatalf("success %d: %v", i, err)
		}
		a.End(t.Context(), false)
	}
}

// TestLimiterNameKeyIsCanonical: every spelling of one name shares one
// username budget.
func TestLimiterNameKeyIsCanonical(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := newLimiter(t, guard.ThrottleConfig{}, guard.NewMemoryCounter(0, c.Now), c, nil)
	through := 0
	for i, name := range []string{"mississ", "MISSISS", "mıſſiss", "ｍｉｓｓｉｓｓ", " Mississ", "MıSSıSS", "mississ", "MISSİSS"} {
		a, err := l.Begin(t.Context(), "app", name, true)
		if err != nil {
			var te *guard.ThrottleError
			if !errors.As(err, &te) || te.Scope != guard.ScopeUsername {
				t.Fatalf("attempt %d: %v", i, err)
			}
			continue
		}
		through++
		a.End(t.Context(), true)
	}
	if through != guard.DefaultUsernameMax {
		t.Errorf("%d of 8 spellings reached the store, want %d", through, guard.DefaultUsernameMax)
	}
}
