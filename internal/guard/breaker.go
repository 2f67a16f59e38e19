package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ErrCircuitOpen is returned by Breaker.Allow while the circuit is open (or
// half-open with every trial call already taken): the call must not be made.
var ErrCircuitOpen = errors.New("circuit open")

// Breaker defaults. A legacy database that fails half of at least twenty
// calls within ten seconds is down or drowning, and more calls only deepen
// the hole; twenty calls keep a couple of unlucky faults at low traffic from
// tripping it. Five timeouts in a row trip it sooner: each one held a
// sign-in for the whole deadline. Thirty seconds of cool-down is long enough
// for a database to shed its queue and short enough that users notice
// little; three trial calls confirm recovery without a stampede.
const (
	DefaultBreakerWindow       = 10 * time.Second
	DefaultMinCalls            = 20
	DefaultFailureRatio        = 0.5
	DefaultConsecutiveTimeouts = 5
	DefaultCoolDown            = 30 * time.Second
	DefaultHalfOpenCalls       = 3
)

// breakerBuckets is how finely the rolling window is kept: ten buckets of a
// tenth of the window each, so a fault ages out within a tenth of the window
// of when it should.
const breakerBuckets = 10

// BreakerConfig configures a Breaker. Zero fields take the defaults.
//
// Example (the "guard.breaker" section of the configuration):
//
//	window: 10s
//	min_calls: 20
//	failure_ratio: 0.5
//	consecutive_timeouts: 5
//	cool_down: 30s
//	half_open_calls: 3
type BreakerConfig struct {
	// Disabled turns the breaker off: every call goes to the source.
	Disabled bool `yaml:"disabled"`
	// Window is the rolling window over which faults are counted.
	Window time.Duration `yaml:"window"`
	// MinCalls is how many calls the window must hold before the fault
	// ratio can trip the breaker.
	MinCalls int `yaml:"min_calls"`
	// FailureRatio (0 < r ≤ 1) of faults among the window's calls trips it.
	FailureRatio float64 `yaml:"failure_ratio"`
	// ConsecutiveTimeouts in a row trip it whatever the ratio.
	ConsecutiveTimeouts int `yaml:"consecutive_timeouts"`
	// CoolDown is how long it stays open before trying again.
	CoolDown time.Duration `yaml:"cool_down"`
	// HalfOpenCalls is how many trial calls it lets through after the
	// cool-down; all must succeed for it to close.
	HalfOpenCalls int `yaml:"half_open_calls"`
}

// WithDefaults returns c with every zero field at its default.
func (c BreakerConfig) WithDefaults() BreakerConfig {
	if c.Window == 0 {
		c.Window = DefaultBreakerWindow
	}
	if c.MinCalls == 0 {
		c.MinCalls = DefaultMinCalls
	}
	if c.FailureRatio == 0 {
		c.FailureRatio = DefaultFailureRatio
	}
	if c.ConsecutiveTimeouts == 0 {
		c.ConsecutiveTimeouts = DefaultConsecutiveTimeouts
	}
	if c.CoolDown == 0 {
		c.CoolDown = DefaultCoolDown
	}
	if c.HalfOpenCalls == 0 {
		c.HalfOpenCalls = DefaultHalfOpenCalls
	}
	return c
}

// Validate reports every problem at once, each prefixed with its YAML name.
func (c BreakerConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if c.Window < 0 || (c.Window > 0 && c.Window < breakerBuckets*time.Millisecond) {
		bad("window", "%s must be at least 10ms", c.Window)
	}
	if c.MinCalls < 0 {
		bad("min_calls", "%d must not be negative", c.MinCalls)
	}
	if c.FailureRatio < 0 || c.FailureRatio > 1 {
		bad("failure_ratio", "%g must be between 0 and 1", c.FailureRatio)
	}
	if c.ConsecutiveTimeouts < 0 {
		bad("consecutive_timeouts", "%d must not be negative", c.ConsecutiveTimeouts)
	}
	if c.CoolDown < 0 {
		bad("cool_down", "%s must not be negative", c.CoolDown)
	}
	if c.HalfOpenCalls < 0 {
		bad("half_open_calls", "%d must not be negative", c.HalfOpenCalls)
	}
	return errors.Join(errs...)
}

// State is a breaker's state.
type State int

// Breaker states.
const (
	Closed State = iota
	Open
	HalfOpen
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	default:
		return fmt.Sprintf("state(%d)", int(s))
	}
}

// Outcome is how a call through the breaker ended.
type Outcome int

// Call outcomes.
const (
	// Success: the source answered (a "no" from the source is an answer).
	Success Outcome = iota
	// Fault: the source failed.
	Fault
	// Timeout: the source did not answer in time (also a fault).
	Timeout
	// Ignored: the call ended for a reason that says nothing of the
	// source (the caller gave up); it is not counted.
	Ignored
)

type bucket struct {
	idx           int64
	calls, faults int
}

// Breaker is a circuit breaker for one source. It is safe for concurrent use.
type Breaker struct {
	cfg    BreakerConfig
	name   string
	now    func() time.Time
	logger *slog.Logger
	width  time.Duration

	mu             sync.Mutex
	state          State
	buckets        [breakerBuckets]bucket
	consecTimeouts int
	openedAt       time.Time
	trialsStarted  int
	trialsOK       int
}

// NewBreaker returns a closed breaker for the source called name. A nil now
// is time.Now; a nil logger discards.
func NewBreaker(name string, cfg BreakerConfig, now func() time.Time, logger *slog.Logger) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("guard: breaker: %w", err)
	}
	cfg = cfg.WithDefaults()
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Breaker{cfg: cfg, name: name, now: now, logger: logger, width: cfg.Window / breakerBuckets}, nil
}

// State returns the current state, moving from open to half-open when the
// cool-down has passed.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	return b.state
}

// Ticket is a call let through by Allow. Done must be called exactly once
// with the call's outcome.
type Ticket struct {
	b     *Breaker
	trial bool
}

// Allow lets a call through or returns ErrCircuitOpen. A disabled breaker
// always lets calls through.
func (b *Breaker) Allow() (Ticket, error) {
	if b.cfg.Disabled {
		return Ticket{}, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	switch b.state {
	case Open:
		return Ticket{}, ErrCircuitOpen
	case HalfOpen:
		if b.trialsStarted >= b.cfg.HalfOpenCalls {
			return Ticket{}, ErrCircuitOpen
		}
		b.trialsStarted++
		return Ticket{b: b, trial: true}, nil
	default:
		return Ticket{b: b}, nil
	}
}

// Done records the outcome of the call.
func (t Ticket) Done(o Outcome) {
	b := t.b
	if b == nil || o == Ignored && !t.trial {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if t.trial {
		if b.state != HalfOpen {
			return // another trial already decided
		}
		switch o {
		case Success:
			b.trialsOK++
			if b.trialsOK >= b.cfg.HalfOpenCalls {
				b.close(now)
			}
		case Ignored:
			b.trialsStarted-- // let another call try instead
		default:
			b.trip(now, "trial call failed")
		}
		return
	}
	if b.state != Closed {
		return // a call from before the trip; it changes nothing now
	}
	bk := b.bucket(now)
	bk.calls++
	switch o {
	case Success:
		b.consecTimeouts = 0
	case Timeout:
		bk.faults++
		b.consecTimeouts++
	case Fault:
		bk.faults++
	}
	if b.consecTimeouts >= b.cfg.ConsecutiveTimeouts {
		b.trip(now, fmt.Sprintf("%d consecutive timeouts", b.consecTimeouts))
		return
	}
	if o == Success {
		return
	}
	calls, faults := b.window(now)
	if calls >= b.cfg.MinCalls && float64(faults) >= b.cfg.FailureRatio*float64(calls) {
		b.trip(now, fmt.Sprintf("%d faults in %d calls", faults, calls))
	}
}

// advance moves an open breaker whose cool-down has passed to half-open.
func (b *Breaker) advance(now time.Time) {
	if b.state == Open && !now.Before(b.openedAt.Add(b.cfg.CoolDown)) {
		b.state = HalfOpen
		b.trialsStarted, b.trialsOK = 0, 0
		b.logger.LogAttrs(context.Background(), slog.LevelInfo, "circuit half-open",
			slog.String("source", b.name), slog.Int("trial_calls", b.cfg.HalfOpenCalls))
	}
}

func (b *Breaker) trip(now time.Time, why string) {
	b.state = Open
	b.openedAt = now
	b.consecTimeouts = 0
	b.buckets = [breakerBuckets]bucket{}
	b.logger.LogAttrs(context.Background(), slog.LevelError, "circuit opened",
		slog.String("source", b.name), slog.String("reason", why), slog.Duration("cool_down", b.cfg.CoolDown))
}

func (b *Breaker) close(now time.Time) {
	b.state = Closed
	b.consecTimeouts = 0
	b.buckets = [breakerBuckets]bucket{}
	b.logger.LogAttrs(context.Background(), slog.LevelInfo, "circuit closed",
		slog.String("source", b.name), slog.Duration("open_for", now.Sub(b.openedAt)))
}

func (b *Breaker) bucket(now time.Time) *bucket {
	idx := now.UnixNano() / int64(b.width)
	bk := &b.buckets[idx%breakerBuckets]
	if bk.idx != idx {
		*bk = bucket{idx: idx}
	}
	return bk
}

func (b *Breaker) window(now time.Time) (calls, faults int) {
	idx := now.UnixNano() / int64(b.width)
	for _, bk := range b.buckets {
		if bk.idx > idx-breakerBuckets && bk.idx <= idx {
			calls += bk.calls
			faults += bk.faults
		}
	}
	return calls, faults
}
