package migration_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/rollout"
	"github.com/ferry-migrate/ferry/internal/source"
)

// fixedClock never moves: under it a window never ends and an open
// circuit never cools down, so a burst's bounds are exact.
func fixedClock() time.Time { return time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC) }

func newLimiter(t *testing.T, cfg guard.ThrottleConfig) *guard.Limiter {
	t.Helper()
	l, err := guard.NewLimiter(cfg, guard.NewMemoryCounter(0, fixedClock), fixedClock, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func newGate(t *testing.T, cfg rollout.Config) *rollout.Gate {
	t.Helper()
	g, err := rollout.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func newGuarded(t *testing.T, o migration.Options) *migration.Migrator {
	t.Helper()
	if o.Now == nil {
		o.Now = fixedClock
	}
	m, err := migration.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// burst runs n attempts from workers goroutines, stopping early after
// limit, and returns how many ended in each error class.
func burst(t *testing.T, m *migration.Migrator, n, workers int, limit time.Duration, req func(i int) migration.Request) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), limit)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				_, err := m.Migrate(ctx, req(i))
				class := "migrated"
				switch {
				case errors.Is(err, migration.ErrThrottled):
					class = "throttled"
				case errors.Is(err, migration.ErrCircuitOpen):
					class = "circuit_open"
				case errors.Is(err, migration.ErrNotMigrated):
					class = "not_migrated"
				case err != nil:
					class = "fault"
				}
				mu.Lock()
				counts[class]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return counts
}

// TestBurstOfWrongPasswords: 2,000 wrong passwords for one user from 50
// goroutines; the legacy store verifies at most the limit.
func TestBurstOfWrongPasswords(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	m := newGuarded(t, migration.Options{
		Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
		Throttle: newLimiter(t, guard.ThrottleConfig{Client: guard.Limit{Max: 1_000_000, Window: time.Minute}}),
	})
	counts := burst(t, m, 2000, 50, 20*time.Second, func(int) migration.Request {
		return migration.Request{Kind: migration.Authentication, Username: "alice", Password: "guess", ClientID: "web"}
	})
	if src.verifies > guard.DefaultUsernameMax {
		t.Errorf("legacy store verified %d passwords, want at most %d", src.verifies, guard.DefaultUsernameMax)
	}
	if counts["throttled"]+counts["not_migrated"] != 2000 || counts["not_migrated"] != src.verifies {
		t.Errorf("outcomes %v, source verified %d", counts, src.verifies)
	}
	if st := m.Stats(); st.Throttled != int64(counts["throttled"]) || st.NotMigrated != 2000 {
		t.Errorf("stats %+v, outcomes %v", st, counts)
	}
	// The right password now is throttled too: the window is spent.
	_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse", ClientID: "web"})
	if !errors.Is(err, migration.ErrThrottled) {
		t.Errorf("right password after the burst: %v, want throttled", err)
	}
}

// flakySource answers like a healthy directory for its first healthy
// calls, then fails every call, counting all of them.
type flakySource struct {
	healthy int64
	calls   atomic.Int64
}

func (s *flakySource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	if s.calls.Add(1) > s.healthy {
		return nil, errDown
	}
	return nil, source.ErrInvalidPassword
}

func (s *flakySource) Lookup(ctx context.Context, name string) (*source.User, error) {
	return s.Authenticate(ctx, name, "")
}

// TestBurstAgainstFailingSource: 2,000 sign-ins of distinct users from 50
// goroutines against a source that fails after 100 calls; the breaker
// keeps the calls that reach it bounded.
func TestBurstAgainstFailingSource(t *testing.T) {
	t.Parallel()
	src := &flakySource{healthy: 100}
	var logs bytes.Buffer
	m := newGuarded(t, migration.Options{
		Sources: []migration.NamedSource{{Name: "legacy", Source: src}},
		Breaker: &guard.BreakerConfig{},
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	names := make([]string, 2000)
	for i := range names {
		names[i] = "user" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()
	}
	counts := burst(t, m, 2000, 50, 20*time.Second, func(i int) migration.Request {
		return migration.Request{Kind: migration.Authentication, Username: names[i], Password: "pw", ClientID: "web"}
	})
	// Once faulting, the breaker needs its window to hold at least
	// MinCalls calls with half of them faults: at most 100 more faults
	// after 100 successes; plus up to one call in flight per goroutine
	// when it trips.
	bound := src.healthy + 100 + 50
	if got := src.calls.Load(); got > bound {
		t.Errorf("%d calls reached the source, want at most %d", got, bound)
	}
	if counts["circuit_open"] < 2000-int(bound) {
		t.Errorf("outcomes %v: want most refused by the open circuit", counts)
	}
	if st := m.Stats(); st.CircuitOpen != int64(counts["circuit_open"]) {
		t.Errorf("stats %+v, outcomes %v", st, counts)
	}
	if !strings.Contains(logs.String(), `"msg":"circuit opened"`) || !strings.Contains(logs.String(), `"outcome":"circuit_open"`) {
		t.Errorf("logs lack the circuit's opening or its outcome")
	}
	t.Logf("source calls %d of 2000 attempts; outcomes %v", src.calls.Load(), counts)
}

// TestThrottledLooksAlike: once throttled, a known and an unknown user get
// the same error and the same empty result, and neither reaches the store.
func TestThrottledLooksAlike(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	var logs bytes.Buffer
	m := newGuarded(t, migration.Options{
		Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
		Throttle: newLimiter(t, guard.ThrottleConfig{Username: guard.Limit{Max: 2, Window: time.Minute}}),
		Logger:   slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	for _, name := range []string{"alice", "nobody"} {
		for range 2 {
			m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: name, Password: "wrong"})
		}
	}
	defer func() {
		if !strings.Contains(logs.String(), `"outcome":"throttled"`) || !strings.Contains(logs.String(), `"scope":"username"`) {
			t.Errorf("throttled attempts not logged apart:\n%s", logs.String())
		}
		if strings.Contains(logs.String(), `"wrong"`) {
			t.Error("the password reached the log")
		}
	}()
	before := src.verifies
	type answer struct {
		res migration.Result
		err error
	}
	var got []answer
	for _, name := range []string{"alice", "nobody"} {
		res, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: name, Password: "wrong"})
		got = append(got, answer{res, err})
	}
	if got[0].err != migration.ErrThrottled || got[1].err != migration.ErrThrottled {
		t.Fatalf("errors %v, %v; want ErrThrottled for both", got[0].err, got[1].err)
	}
	if !errors.Is(got[0].err, migration.ErrNotMigrated) {
		t.Error("ErrThrottled does not wrap ErrNotMigrated: the trigger would treat it as a fault")
	}
	if got[0].res.Source != "" || got[0].res.User != nil || got[1].res.Source != "" || got[1].res.User != nil {
		t.Errorf("throttled results differ or reveal a user: %+v, %+v", got[0].res, got[1].res)
	}
	if src.verifies != before {
		t.Errorf("throttled attempts reached the store (%d verifications)", src.verifies-before)
	}
}

func TestThrottleBackendFailClosedIsFault(t *testing.T) {
	t.Parallel()
	l, err := guard.NewLimiter(guard.ThrottleConfig{OnBackendError: guard.FailClosed}, downCounter{}, fixedClock, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := newSource(alice())
	m := newGuarded(t, migration.Options{Sources: []migration.NamedSource{{Name: "legacy", Source: src}}, Throttle: l})
	_, err = m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"})
	var fault *migration.Fault
	if !errors.As(err, &fault) || !errors.Is(err, guard.ErrBackend) || errors.Is(err, migration.ErrNotMigrated) {
		t.Fatalf("Migrate = %v, want a Fault wrapping guard.ErrBackend (never a wrong password)", err)
	}
	if src.verifies != 0 {
		t.Error("a fail-closed attempt reached the store")
	}
}

type downCounter struct{}

func (downCounter) Take(context.Context, string, int64, time.Time) (bool, error) {
	return false, errDown
}
func (downCounter) Give(context.Context, string) error { return errDown }

func TestShadowAndRollout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		rollout    rollout.Config
		client     string
		password   string
		wantErr    error
		wantShadow bool
		wantAsked  bool
		wantMarked bool
	}{
		{"live", rollout.Config{}, "web", "Corr3ct-horse", nil, false, true, true},
		{"shadow answers no, maps, writes nothing back", rollout.Config{Mode: rollout.Shadow}, "web", "Corr3ct-horse", migration.ErrShadow, true, true, false},
		{"shadow wrong password is a plain no", rollout.Config{Mode: rollout.Shadow}, "web", "nope", migration.ErrNotMigrated, false, true, false},
		{"client outside the allow-list", rollout.Config{Clients: []string{"ios"}}, "web", "Corr3ct-horse", migration.ErrOutsideRollout, false, false, false},
		{"client in the allow-list", rollout.Config{Clients: []string{"ios", "web"}}, "web", "Corr3ct-horse", nil, false, true, true},
		{"zero percent", rollout.Config{Percent: new(float64)}, "web", "Corr3ct-horse", migration.ErrOutsideRollout, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newSource(alice())
			var logs bytes.Buffer
			m := newGuarded(t, migration.Options{
				Sources: []migration.NamedSource{{Name: "legacy", Source: src}},
				Policy:  migration.Policy{MarkMigrated: true},
				Rollout: newGate(t, tt.rollout),
				Logger:  slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			res, err := m.Migrate(t.Context(), migration.Request{
				Kind: migration.Authentication, Username: "alice", Password: tt.password, ClientID: tt.client,
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Migrate = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, migration.ErrNotMigrated) {
				t.Errorf("%v does not wrap ErrNotMigrated", err)
			}
			if res.Shadow != tt.wantShadow {
				t.Errorf("Shadow = %v, want %v", res.Shadow, tt.wantShadow)
			}
			if tt.wantShadow && (res.UserAttributes["email"] != "alice@example.com" || res.FinalUserStatus != migration.StatusConfirmed) {
				t.Errorf("shadow result lacks the answer that would have been sent: %+v", res)
			}
			if asked := len(src.names) > 0; asked != tt.wantAsked {
				t.Errorf("source asked = %v, want %v", asked, tt.wantAsked)
			}
			if marked := len(src.marked) > 0; marked != tt.wantMarked {
				t.Errorf("written back = %v, want %v", marked, tt.wantMarked)
			}
			if strings.Contains(logs.String(), "Corr3ct-horse") {
				t.Error("the password reached the log")
			}
			st := m.Stats()
			if tt.wantShadow && (st.Shadow != 1 || st.Migrated != 0 || !strings.Contains(logs.String(), `"outcome":"shadow"`)) {
				t.Errorf("shadow not counted or logged apart: %+v\n%s", st, logs.String())
			}
			if errors.Is(tt.wantErr, migration.ErrOutsideRollout) && (st.OutsideRollout != 1 || !strings.Contains(logs.String(), `"outcome":"outside_rollout"`)) {
				t.Errorf("outside the rollout not counted or logged apart: %+v\n%s", st, logs.String())
			}
		})
	}
}

// TestCircuitOpenFailsFast: an open circuit is a fault naming the source,
// never a "no", and the source is not called.
func TestCircuitOpenFailsFast(t *testing.T) {
	t.Parallel()
	src := &flakySource{}
	m := newGuarded(t, migration.Options{
		Sources: []migration.NamedSource{{Name: "legacy", Source: src}},
		Breaker: &guard.BreakerConfig{ConsecutiveTimeouts: 100, MinCalls: 4},
	})
	for range 4 {
		m.Migrate(t.Context(), migration.Request{Kind: migration.ForgotPassword, Username: "alice"})
	}
	_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.ForgotPassword, Username: "alice"})
	var fault *migration.Fault
	if !errors.As(err, &fault) || !errors.Is(err, migration.ErrCircuitOpen) || errors.Is(err, migration.ErrNotMigrated) {
		t.Fatalf("Migrate = %v, want a Fault wrapping ErrCircuitOpen", err)
	}
	if fault.Source != "legacy" || src.calls.Load() != 4 {
		t.Errorf("fault source %q, %d calls; want legacy, 4", fault.Source, src.calls.Load())
	}
}

// TestOneBudgetPerAccount: 300 wrong passwords from 20 goroutines, spread
// over the username, the email and spellings of both, reach the account's
// stored hash at most the username limit's times: once the source has said
// whose the name is, every name of the account draws on one budget. A
// throttled account still costs a dummy verification, like a wrong
// password.
func TestOneBudgetPerAccount(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	src.users["alice@example.com"] = alice()
	m := newGuarded(t, migration.Options{
		Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
		Throttle: newLimiter(t, guard.ThrottleConfig{Client: guard.Limit{Max: 1_000_000, Window: time.Minute}}),
	})
	names := []string{"alice", "alice@example.com", "ALICE", "Alice@Example.com", " alice "}
	counts := burst(t, m, 300, 20, 20*time.Second, func(i int) migration.Request {
		return migration.Request{Kind: migration.Authentication, Username: names[i%len(names)], Password: "guess", ClientID: "web"}
	})
	if src.stored > guard.DefaultUsernameMax {
		t.Errorf("the account's hash was verified %d times, want at most %d", src.stored, guard.DefaultUsernameMax)
	}
	if counts["throttled"]+counts["not_migrated"] != 300 {
		t.Errorf("outcomes %v", counts)
	}
	// Only two keys were charged up front (alice and alice@example.com):
	// without the account, ten guesses would have reached the hash.
	if src.stored == 0 {
		t.Error("no guess reached the store: the test shows nothing")
	}
	t.Logf("stored-hash verifications %d of 300; all verifications %d; outcomes %v", src.stored, src.verifies, counts)
}

// TestAccountThrottleCostsADummy: an attempt refused at the account's
// limit performs a verification (the dummy's) like a wrong password, and
// gets the throttled answer an unknown user's throttled attempt gets.
func TestAccountThrottleCostsADummy(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	src.users["alice@example.com"] = alice()
	m := newGuarded(t, migration.Options{
		Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
		Throttle: newLimiter(t, guard.ThrottleConfig{Username: guard.Limit{Max: 2, Window: time.Minute}}),
	})
	try := func(name string) (migration.Result, error) {
		return m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: name, Password: "wrong"})
	}
	for range 2 {
		try("alice")
	}
	stored, verifies := src.stored, src.verifies
	res, err := try("alice@example.com") // a fresh name, a spent account
	if !errors.Is(err, migration.ErrThrottled) || res.User != nil || res.Source != "" {
		t.Fatalf("email of a spent account: %+v, %v; want throttled, revealing no user", res, err)
	}
	if src.stored != stored {
		t.Errorf("the throttled attempt verified against the stored hash")
	}
	if src.verifies != verifies+1 {
		t.Errorf("the throttled attempt made %d verifications, want 1 (the dummy)", src.verifies-verifies)
	}
	// The right password through the email of the spent account is
	// refused too: the budget is the account's.
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: " alice@example.com", Password: "Corr3ct-horse"}); !errors.Is(err, migration.ErrThrottled) {
		t.Errorf("right password through a spelling of the spent account: %v, want throttled", err)
	}
}
