package guard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ferry-migrate/ferry/internal/identity"
)

// ErrThrottled is wrapped by every *ThrottleError.
var ErrThrottled = errors.New("attempt throttled")

// ErrBackend is wrapped by Limiter.Begin's error when the counter backend
// failed and the limiter is configured to fail closed.
var ErrBackend = errors.New("throttle backend unavailable")

// Scope is what a limit counts by.
type Scope string

// Scopes.
const (
	ScopeUsername Scope = "username"
	ScopeAccount  Scope = "account" // a legacy user id: every name of one account
	ScopeClient   Scope = "client"
)

// ThrottleError says which limit refused an attempt.
type ThrottleError struct {
	Scope Scope
	Limit int64
}

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("attempt throttled: %s limit of %d reached", e.Scope, e.Limit)
}

func (e *ThrottleError) Unwrap() error { return ErrThrottled }

// Throttle defaults.
//
// Usernames: five failed attempts per fifteen minutes. OWASP's
// Authentication Cheat Sheet asks for a lockout threshold and an
// observation window with a temporary, self-expiring lockout rather than a
// permanent one, and ASVS 4.0 §2.2.1 caps failures at 100 an hour per
// account; five per fifteen minutes (at most 20 an hour) is well inside
// that, leaves a user who mistypes a few times their answer, and matches
// the point where Cognito starts its own temporary lockout.
//
// Clients: 6,000 attempts a minute (100 a second) per app client, just
// under Cognito's default quota for sign-in operations (120 requests a
// second per account and region). A default that cut real traffic during a
// Monday-morning sign-in storm would lock out the very users being moved,
// so this one only caps what a single abused client id (a
// credential-stuffing bot behind one app's public client id) can push at
// the legacy store to what Cognito would pass anyway; the circuit breaker
// protects a store that cannot take even that. Set it to what the legacy
// store verifies comfortably (a bcrypt cost-10 check is ~50 ms of a core).
const (
	DefaultUsernameMax    = 5
	DefaultUsernameWindow = 15 * time.Minute
	DefaultClientMax      = 6000
	DefaultClientWindow   = time.Minute
)

// Backend failure policies.
const (
	FailOpen   = "open"
	FailClosed = "closed"
)

// Limit is a count per window.
type Limit struct {
	Max    int64         `yaml:"max"`
	Window time.Duration `yaml:"window"`
}

// ThrottleConfig configures a Limiter. Zero fields take the defaults.
//
// Example (the "guard.throttle" section of the configuration):
//
//	username: {max: 5, window: 15m}   # failed attempts per username
//	client: {max: 6000, window: 1m}   # all attempts per app client
//	on_backend_error: open
//	backend:
//	  type: dynamodb
//	  table: ferry-throttle
//	  region: eu-west-1
type ThrottleConfig struct {
	// Disabled turns throttling off.
	Disabled bool `yaml:"disabled"`
	// Username limits failed attempts per canonical name (identity.Key of
	// what was typed) and, once a source has said whose the name is, per
	// legacy account: one budget for every name of one account.
	Username Limit `yaml:"username"`
	// Client limits all attempts per app client id.
	Client Limit `yaml:"client"`
	// OnBackendError is "open" (default: the attempt goes ahead, logged
	// at error level) or "closed" (the attempt is a fault).
	OnBackendError string `yaml:"on_backend_error"`
	// Backend says where counts are kept.
	Backend CounterConfig `yaml:"backend"`
}

// CounterConfig chooses a Counter.
type CounterConfig struct {
	// Type is "memory" (default) or "dynamodb".
	Type string `yaml:"type"`
	// MaxKeys bounds the memory counter (default DefaultMaxKeys).
	MaxKeys int `yaml:"max_keys"`
	// Table is the DynamoDB table (partition key "pk", a string; TTL
	// attribute "expires_at").
	Table string `yaml:"table"`
	// Region is the table's AWS region (default: the environment's).
	Region string `yaml:"region"`
	// Endpoint overrides the DynamoDB endpoint (a local stand-in).
	Endpoint string `yaml:"endpoint"`
	// Timeout bounds each counter call (default 200ms), so a slow table
	// costs a sign-in little of Cognito's 5 s.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultCounterTimeout bounds a counter call: DynamoDB answers in single
// milliseconds, so 200ms is a table in trouble, and two such calls leave
// most of the migration's deadline to the source.
const DefaultCounterTimeout = 200 * time.Millisecond

// WithDefaults returns c with every zero field at its default.
func (c ThrottleConfig) WithDefaults() ThrottleConfig {
	if c.Username.Max == 0 {
		c.Username.Max = DefaultUsernameMax
	}
	if c.Username.Window == 0 {
		c.Username.Window = DefaultUsernameWindow
	}
	if c.Client.Max == 0 {
		c.Client.Max = DefaultClientMax
	}
	if c.Client.Window == 0 {
		c.Client.Window = DefaultClientWindow
	}
	if c.OnBackendError == "" {
		c.OnBackendError = FailOpen
	}
	if c.Backend.Type == "" {
		c.Backend.Type = "memory"
	}
	if c.Backend.Timeout == 0 {
		c.Backend.Timeout = DefaultCounterTimeout
	}
	return c
}

// Validate reports every problem at once, each prefixed with its YAML name.
func (c ThrottleConfig) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	for _, l := range []struct {
		name string
		Limit
	}{{"username", c.Username}, {"client", c.Client}} {
		if l.Max < 0 {
			bad(l.name+".max", "%d must not be negative", l.Max)
		}
		if l.Window < 0 || (l.Window > 0 && l.Window < time.Second) {
			bad(l.name+".window", "%s must be at least 1s", l.Window)
		}
	}
	switch c.OnBackendError {
	case "", FailOpen, FailClosed:
	default:
		bad("on_backend_error", "%q is not one of open, closed", c.OnBackendError)
	}
	switch c.Backend.Type {
	case "", "memory":
		if c.Backend.Table != "" || c.Backend.Region != "" || c.Backend.Endpoint != "" {
			bad("backend", "table, region and endpoint are for type dynamodb")
		}
	case "dynamodb":
		if c.Backend.Table == "" {
			bad("backend.table", "required for type dynamodb")
		}
	default:
		bad("backend.type", "%q is not one of memory, dynamodb", c.Backend.Type)
	}
	if c.Backend.MaxKeys < 0 {
		bad("backend.max_keys", "%d must not be negative", c.Backend.MaxKeys)
	}
	if c.Backend.Timeout < 0 {
		bad("backend.timeout", "%s must not be negative", c.Backend.Timeout)
	}
	return errors.Join(errs...)
}

// Limiter throttles attempts. It is safe for concurrent use.
type Limiter struct {
	cfg     ThrottleConfig
	counter Counter
	now     func() time.Time
	logger  *slog.Logger
}

// NewLimiter returns a Limiter counting in counter. A nil now is time.Now;
// a nil logger discards.
func NewLimiter(cfg ThrottleConfig, counter Counter, now func() time.Time, logger *slog.Logger) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("guard: throttle: %w", err)
	}
	if counter == nil {
		return nil, errors.New("guard: throttle: no counter")
	}
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Limiter{cfg: cfg.WithDefaults(), counter: counter, now: now, logger: logger}, nil
}

// Attempt is an attempt Begin let through. End must be called once the
// attempt's outcome is known.
type Attempt struct {
	l        *Limiter
	userKey  string // "" when the username was not counted
	countIDs bool   // the attempt counts against the user's failures
	idKey    string // "" when no account was charged
}

// Begin asks for one attempt of username through clientID. Every attempt
// counts against the client; when countUser is set, the attempt also
// counts, in advance, against the failures of the username's canonical
// identity (identity.Key: every spelling a source could match to one row
// shares it) — so however many
// attempts race, no more than the limit reach the store — and End gives the
// unit back if the attempt did not fail.
//
// It returns a *ThrottleError (wrapping ErrThrottled) when a limit is
// reached, and an error wrapping ErrBackend when the counter failed and the
// limiter fails closed; failing open, a counter failure is logged and the
// attempt goes ahead uncounted.
func (l *Limiter) Begin(ctx context.Context, clientID, username string, countUser bool) (*Attempt, error) {
	a := &Attempt{l: l}
	if l.cfg.Disabled {
		return a, nil
	}
	now := l.now()
	ok, _, err := l.take(ctx, ScopeClient, windowKey(ScopeClient, clientID, l.cfg.Client.Window, now), l.cfg.Client, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ThrottleError{Scope: ScopeClient, Limit: l.cfg.Client.Max}
	}
	if !countUser {
		return a, nil
	}
	a.countIDs = true
	key := windowKey(ScopeUsername, identity.Key(username), l.cfg.Username.Window, now)
	ok, counted, err := l.take(ctx, ScopeUsername, key, l.cfg.Username, now)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, &ThrottleError{Scope: ScopeUsername, Limit: l.cfg.Username.Max}
	}
	if counted {
		a.userKey = key
	}
	return a, nil
}

// Account charges the attempt, in advance like the username, to the
// failures of the legacy account id names (a source and its user id), once
// a source has said which account the typed name is. Every name of one
// account — its username, its email, each spelling a source folds to it —
// then draws on one budget. It returns a *ThrottleError when the account's
// limit is reached (the attempt must then not reach the store), and an
// error wrapping ErrBackend as Begin does. Calling it on an attempt Begin
// did not count against the username, or a second time, does nothing.
func (a *Attempt) Account(ctx context.Context, id string) error {
	if a == nil || !a.countIDs || a.idKey != "" || a.l.cfg.Disabled {
		return nil
	}
	now := a.l.now()
	key := windowKey(ScopeAccount, id, a.l.cfg.Username.Window, now)
	ok, counted, err := a.l.take(ctx, ScopeAccount, key, a.l.cfg.Username, now)
	switch {
	case err != nil:
		return err
	case !ok:
		return &ThrottleError{Scope: ScopeAccount, Limit: a.l.cfg.Username.Max}
	}
	if counted {
		a.idKey = key
	}
	return nil
}

// CountsAccount reports whether Account would charge the attempt: it was
// counted against its username and no account has been charged yet. A
// caller that must ask a source which account a name is can skip asking
// when it does not.
func (a *Attempt) CountsAccount() bool {
	return a != nil && a.countIDs && a.idKey == "" && !a.l.cfg.Disabled
}

// End records the attempt's outcome: an attempt that did not fail (the
// user proved their password, or the source faulted) gives back its
// username and account units.
func (a *Attempt) End(ctx context.Context, failed bool) {
	if a == nil || failed || (a.userKey == "" && a.idKey == "") {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.l.cfg.Backend.Timeout)
	defer cancel()
	for _, key := range []string{a.userKey, a.idKey} {
		if key == "" {
			continue
		}
		if err := a.l.counter.Give(ctx, key); err != nil {
			a.l.logger.LogAttrs(ctx, slog.LevelError, "throttle backend unavailable",
				slog.String("op", "give"), slog.String("error", err.Error()))
		}
	}
}

// take takes a unit under key and reports whether the attempt may go
// ahead and whether a unit was counted. A backend failure is an error only
// when failing closed; failing open, it is logged and the attempt goes
// ahead uncounted.
func (l *Limiter) take(ctx context.Context, scope Scope, key string, lim Limit, now time.Time) (ok, counted bool, err error) {
	start := now.Truncate(lim.Window)
	// Keep each count one window past its own, so the item is there for
	// as long as anything may ask for it, then let it go.
	expires := start.Add(2 * lim.Window)
	cctx, cancel := context.WithTimeout(ctx, l.cfg.Backend.Timeout)
	defer cancel()
	ok, err = l.counter.Take(cctx, key, lim.Max, expires)
	if err == nil {
		return ok, ok, nil
	}
	if l.cfg.OnBackendError == FailClosed {
		l.logger.LogAttrs(ctx, slog.LevelError, "throttle backend unavailable; refusing the attempt (fail-closed)",
			slog.String("scope", string(scope)), slog.String("error", err.Error()))
		return false, false, fmt.Errorf("%w: %w", ErrBackend, err)
	}
	l.logger.LogAttrs(ctx, slog.LevelError, "throttle backend unavailable; letting the attempt through uncounted (fail-open)",
		slog.String("scope", string(scope)), slog.String("error", err.Error()))
	return true, false, nil
}

// windowKey names the count of id in scope for the fixed window holding
// now. The id is hashed: a shared table then holds no usernames, and keys
// have a fixed length whatever was typed.
func windowKey(scope Scope, id string, window time.Duration, now time.Time) string {
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("%s#%s#%d", scope, hex.EncodeToString(sum[:16]), now.Truncate(window).Unix())
}
