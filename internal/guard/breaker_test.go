package guard_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
)

// clock is a manual clock for deterministic tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newBreaker(t *testing.T, cfg guard.BreakerConfig, c *clock) *guard.Breaker {
	t.Helper()
	b, err := guard.NewBreaker("legacy", cfg, c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// call makes one call through b with outcome o and reports whether it was let through.
func call(b *guard.Breaker, o guard.Outcome) bool {
	tk, err := b.Allow()
	if err != nil {
		return false
	}
	tk.Done(o)
	return true
}

func TestBreakerTrips(t *testing.T) {
	t.Parallel()
	type step struct {
		n       int
		o       guard.Outcome
		advance time.Duration
	}
	tests := []struct {
		name  string
		steps []step
		want  guard.State
	}{
		{"below min calls stays closed", []step{{n: 19, o: guard.Fault}}, guard.Closed},
		{"half faults over min calls opens", []step{{n: 10, o: guard.Success}, {n: 10, o: guard.Fault}}, guard.Open},
		{"few faults among many stays closed", []step{{n: 30, o: guard.Success}, {n: 10, o: guard.Fault}}, guard.Closed},
		{"consecutive timeouts open", []step{{n: 5, o: guard.Timeout}}, guard.Open},
		{"a success resets the timeout run", []step{{n: 4, o: guard.Timeout}, {n: 1, o: guard.Success}, {n: 4, o: guard.Timeout}}, guard.Closed},
		{"faults age out of the window", []step{{n: 15, o: guard.Fault, advance: 11 * time.Second}, {n: 10, o: guard.Fault}}, guard.Closed},
		{"ignored calls do not count", []step{{n: 100, o: guard.Ignored}}, guard.Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			b := newBreaker(t, guard.BreakerConfig{}, c)
			for _, s := range tt.steps {
				for range s.n {
					call(b, s.o)
				}
				c.Advance(s.advance)
			}
			if got := b.State(); got != tt.want {
				t.Errorf("state = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBreakerCoolDownAndHalfOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		trials []guard.Outcome
		want   guard.State
	}{
		{"all trials succeed: closed", []guard.Outcome{guard.Success, guard.Success, guard.Success}, guard.Closed},
		{"a trial fails: open again", []guard.Outcome{guard.Success, guard.Fault}, guard.Open},
		{"an ignored trial frees its slot", []guard.Outcome{guard.Ignored, guard.Success, guard.Success, guard.Success}, guard.Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			b := newBreaker(t, guard.BreakerConfig{CoolDown: 30 * time.Second}, c)
			for range 5 {
				call(b, guard.Timeout)
			}
			if _, err := b.Allow(); !errors.Is(err, guard.ErrCircuitOpen) {
				t.Fatalf("Allow while open: %v, want ErrCircuitOpen", err)
			}
			c.Advance(29 * time.Second)
			if b.State() != guard.Open {
				t.Fatal("half-open before the cool-down ended")
			}
			c.Advance(time.Second)
			if b.State() != guard.HalfOpen {
				t.Fatalf("state after cool-down = %v, want half-open", b.State())
			}
			for _, o := range tt.trials {
				if !call(b, o) {
					t.Fatalf("trial call refused")
				}
			}
			if got := b.State(); got != tt.want {
				t.Errorf("state = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBreakerHalfOpenLimitsTrials(t *testing.T) {
	t.Parallel()
	c := newClock()
	b := newBreaker(t, guard.BreakerConfig{HalfOpenCalls: 2}, c)
	for range 5 {
		call(b, guard.Timeout)
	}
	c.Advance(guard.DefaultCoolDown)
	var tickets []guard.Ticket
	for range 2 {
		tk, err := b.Allow()
		if err != nil {
			t.Fatalf("trial refused: %v", err)
		}
		tickets = append(tickets, tk)
	}
	if _, err := b.Allow(); !errors.Is(err, guard.ErrCircuitOpen) {
		t.Fatalf("third call in half-open: %v, want ErrCircuitOpen", err)
	}
	for _, tk := range tickets {
		tk.Done(guard.Success)
	}
	if b.State() != guard.Closed {
		t.Fatalf("state = %v, want closed", b.State())
	}
}

func TestBreakerDisabled(t *testing.T) {
	t.Parallel()
	b := newBreaker(t, guard.BreakerConfig{Disabled: true}, newClock())
	for range 100 {
		if !call(b, guard.Timeout) {
			t.Fatal("a disabled breaker refused a call")
		}
	}
}

func TestBreakerConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  guard.BreakerConfig
		want []string
	}{
		{"zero is valid", guard.BreakerConfig{}, nil},
		{"ratio above one", guard.BreakerConfig{FailureRatio: 1.5}, []string{"failure_ratio: 1.5 must be between 0 and 1"}},
		{"negatives", guard.BreakerConfig{MinCalls: -1, CoolDown: -time.Second}, []string{
			"min_calls: -1 must not be negative", "cool_down: -1s must not be negative"}},
		{"tiny window", guard.BreakerConfig{Window: time.Millisecond}, []string{"window: 1ms must be at least 10ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertErrors(t, tt.cfg.Validate(), tt.want)
		})
	}
}

func assertErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var got []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			got = append(got, e.Error())
		}
	} else if err != nil {
		got = []string{err.Error()}
	}
	if len(got) != len(want) {
		t.Fatalf("errors = %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("error[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
