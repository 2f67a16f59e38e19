package migration

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/rollout"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Kind is what started the migration.
type Kind int

// Kinds of request: Cognito's two user-migration trigger sources.
const (
	Authentication Kind = iota + 1
	ForgotPassword
)

func (k Kind) String() string {
	switch k {
	case Authentication:
		return "authentication"
	case ForgotPassword:
		return "forgot-password"
	default:
		return fmt.Sprintf("kind(%d)", int(k))
	}
}

// Request is what the user typed and where it came from.
type Request struct {
	Kind Kind
	// Username is the name as typed (it may be an email or phone alias).
	Username string
	// Password is empty for ForgotPassword.
	Password string
	// ClientID is the Cognito app client the user signed in with.
	ClientID string
	// RequestID correlates the log line with the invocation.
	RequestID string
	// ValidationData and ClientMetadata are passed through from Cognito.
	ValidationData map[string]string
	ClientMetadata map[string]string
}

// LogValue redacts the password.
func (r Request) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", r.Kind.String()),
		slog.String("username", r.Username),
		slog.Bool("password_set", r.Password != ""),
		slog.String("client_id", r.ClientID),
		slog.String("request_id", r.RequestID),
	)
}

// Result is what Cognito should create.
type Result struct {
	UserAttributes         map[string]string
	FinalUserStatus        string
	MessageAction          string // "" means unset: Cognito sends its welcome message
	DesiredDeliveryMediums []string
	ForceAliasCreation     bool
	EnableSMSMFA           bool
	// Source is the configured name of the source that answered.
	Source string
	// User is the legacy user as found.
	User *source.User
	// Shadow is set, with ErrShadow, when the rollout is in shadow mode:
	// the fields above are the answer that would have been sent.
	Shadow bool
}

// ErrNotMigrated is the one outcome for every "no": unknown user, wrong
// password, disabled user, or a name the lookup mode does not accept. Which
// one it was is logged, never returned.
var ErrNotMigrated = errors.New("user not migrated")

// Fault reasons that are Ferry's own (a source's faults are wrapped as they are).
var (
	// ErrNoVerifiedChannel: a forgot-password answer would carry neither a
	// verified email nor a verified phone, so Cognito could not send a code.
	ErrNoVerifiedChannel = errors.New("no verified email or phone number for the reset code")
	// ErrNoAliasUsername: in an alias pool the user typed an email or a
	// phone number, and no username that looks like neither could be found
	// for them.
	ErrNoAliasUsername = errors.New("no username usable in an alias pool")
)

// Fault is a migration that could not be decided: a source fault, a
// deadline, or an answer Cognito would reject. It must never be reported
// to a user as a wrong password.
type Fault struct {
	Source string // configured source name, empty when not source-specific
	Err    error
}

func (f *Fault) Error() string {
	if f.Source == "" {
		return "migration fault: " + f.Err.Error()
	}
	return fmt.Sprintf("migration fault in source %s: %v", f.Source, f.Err)
}

func (f *Fault) Unwrap() error { return f.Err }

// NamedSource is a configured source with its name.
type NamedSource struct {
	Name   string
	Source source.Source
}

// Stats are counters since the Migrator was made. Migrated counts each
// legacy user once, however often Cognito retries.
type Stats struct {
	Migrated    int64
	NotMigrated int64
	Faults      int64
	// Of NotMigrated: throttled attempts, shadow migrations, and sign-ins
	// outside the rollout. Of Faults: calls refused by an open circuit.
	Throttled      int64
	Shadow         int64
	OutsideRollout int64
	CircuitOpen    int64
}

// migratedSetMax bounds the memory of users already counted: one sign-in's
// retries arrive within seconds, so forgetting the oldest entries when a
// long-lived process passes this size costs at most a double count.
const migratedSetMax = 10_000

// Migrator runs the use case. It is safe for concurrent use.
type Migrator struct {
	sources []NamedSource
	router  *router
	policy  Policy
	logger  *slog.Logger
	now     func() time.Time
	limiter *guard.Limiter
	gate    *rollout.Gate

	mu       sync.Mutex
	migrated map[string]struct{}

	nMigrated, nNotMigrated, nFaults                   atomic.Int64
	nThrottled, nShadow, nOutsideRollout, nCircuitOpen atomic.Int64
}

// Options configure New.
type Options struct {
	Sources []NamedSource
	Policy  Policy
	Logger  *slog.Logger
	// Now is the clock used to measure latency (default time.Now).
	Now func() time.Time
	// Throttle, when set, limits the attempts that reach the sources.
	Throttle *guard.Limiter
	// Breaker, when set, puts each source behind a circuit breaker of
	// its own with this configuration (clock Now, logger Logger).
	Breaker *guard.BreakerConfig
	// Rollout, when set, decides shadow mode and who is in the rollout.
	Rollout *rollout.Gate
}

// New returns a Migrator; it fails on an invalid policy or an empty chain.
func New(o Options) (*Migrator, error) {
	if len(o.Sources) == 0 {
		return nil, errors.New("migration: no sources")
	}
	for i, s := range o.Sources {
		if s.Name == "" || s.Source == nil {
			return nil, fmt.Errorf("migration: source %d: name and source are required", i)
		}
	}
	if err := o.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("migration: policy: %w", err)
	}
	names := make([]string, len(o.Sources))
	for i, s := range o.Sources {
		names[i] = s.Name
	}
	if err := o.Policy.ValidateRouting(names); err != nil {
		return nil, fmt.Errorf("migration: policy: %w", err)
	}
	if o.Breaker != nil && !o.Breaker.Disabled {
		wrapped, err := guardSources(o.Sources, *o.Breaker, o)
		if err != nil {
			return nil, fmt.Errorf("migration: %w", err)
		}
		o.Sources = wrapped
	}
	rt, err := newRouter(o.Policy.Routing, o.Sources)
	if err != nil {
		return nil, fmt.Errorf("migration: policy: %w", err)
	}
	p := o.Policy.WithDefaults()
	m := &Migrator{
		router:   rt,
		sources:  o.Sources,
		policy:   p,
		logger:   o.Logger,
		now:      o.Now,
		migrated: map[string]struct{}{},
		limiter:  o.Throttle,
		gate:     o.Rollout,
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

// Stats returns the counters.
func (m *Migrator) Stats() Stats {
	return Stats{
		Migrated: m.nMigrated.Load(), NotMigrated: m.nNotMigrated.Load(), Faults: m.nFaults.Load(),
		Throttled: m.nThrottled.Load(), Shadow: m.nShadow.Load(),
		OutsideRollout: m.nOutsideRollout.Load(), CircuitOpen: m.nCircuitOpen.Load(),
	}
}

// Migrate decides the migration of one user. It returns ErrNotMigrated for
// every "no", a *Fault for every fault, and otherwise the answer.
func (m *Migrator) Migrate(ctx context.Context, req Request) (Result, error) {
	start := m.now()
	ctx, cancel := context.WithTimeout(ctx, m.policy.Deadline)
	defer cancel()

	res, outcome, err := m.guarded(ctx, req)

	attrs := []slog.Attr{
		slog.String("request_id", req.RequestID),
		slog.String("trigger", req.Kind.String()),
		slog.String("source", res.Source),
		slog.String("outcome", outcome),
		slog.Float64("latency_ms", float64(m.now().Sub(start).Microseconds())/1000),
	}
	if res.User != nil {
		attrs = append(attrs, slog.String("hash_family", res.User.HashFamily), slog.String("legacy_id", res.User.ID))
	}
	var fault *Fault
	switch {
	case err == nil:
		attrs = append(attrs, slog.String("final_user_status", res.FinalUserStatus))
		m.logger.LogAttrs(ctx, slog.LevelInfo, "user migrated", attrs...)
	case res.Shadow:
		m.nNotMigrated.Add(1)
		attrs = append(attrs, slog.String("final_user_status", res.FinalUserStatus))
		m.logger.LogAttrs(ctx, slog.LevelInfo, "user would migrate (shadow mode)", attrs...)
	case errors.As(err, &fault):
		m.nFaults.Add(1)
		attrs = append(attrs, slog.String("error", err.Error()))
		m.logger.LogAttrs(ctx, slog.LevelError, "migration fault", attrs...)
	default:
		m.nNotMigrated.Add(1)
		m.logger.LogAttrs(ctx, slog.LevelInfo, "user not migrated", attrs...)
	}
	return res, err
}

// Outcome names used in logs.
const (
	outcomeMigrated        = "migrated"
	outcomeNotFound        = "not_found"
	outcomeInvalidPassword = "invalid_password"
	outcomeDisabled        = "disabled"
	outcomeNameRejected    = "name_rejected"
	outcomeFault           = "fault"
)

func (m *Migrator) migrate(ctx context.Context, req Request) (Result, string, error) {
	if req.Kind != Authentication && req.Kind != ForgotPassword {
		return Result{}, outcomeFault, &Fault{Err: fmt.Errorf("unknown request kind %v", req.Kind)}
	}
	name := strings.TrimSpace(req.Username)
	if m.policy.UsernameCase == FoldLower {
		name = strings.ToLower(name)
	}
	typedEmail := isEmail(name)
	if name == "" ||
		(m.policy.Lookup == LookupUsername && typedEmail) ||
		(m.policy.Lookup == LookupEmail && !typedEmail) {
		// The shape of the typed name is public; rejecting it early reveals
		// nothing about whether a user exists.
		return Result{}, outcomeNameRejected, ErrNotMigrated
	}

	var (
		u   *source.User
		src string
		err = error(source.ErrUserNotFound) // an empty routed chain finds no one
	)
	chain, rule := m.router.chain(name)
	if len(m.policy.Routing) > 0 {
		m.logger.LogAttrs(ctx, slog.LevelDebug, "routed", slog.String("request_id", req.RequestID),
			slog.Int("rule", rule), slog.Int("sources", len(chain)))
	}
	for i, s := range chain {
		src = s.Name
		if req.Kind == Authentication {
			u, err = s.Source.Authenticate(ctx, name, req.Password)
		} else {
			u, err = s.Source.Lookup(ctx, name)
		}
		if errors.Is(err, source.ErrUserNotFound) {
			continue
		}
		if errors.Is(err, source.ErrInvalidPassword) || errors.Is(err, source.ErrUserDisabled) {
			m.spendRest(ctx, req, chain[i+1:])
		}
		break
	}
	res := Result{Source: src, User: u}
	switch {
	case errors.Is(err, source.ErrUserNotFound):
		res.Source = ""
		return res, outcomeNotFound, ErrNotMigrated
	case errors.Is(err, source.ErrInvalidPassword):
		return res, outcomeInvalidPassword, ErrNotMigrated
	case errors.Is(err, source.ErrUserDisabled):
		return res, outcomeDisabled, ErrNotMigrated
	case err != nil:
		return res, outcomeFault, &Fault{Source: src, Err: err}
	case u == nil:
		return res, outcomeFault, &Fault{Source: src, Err: errors.New("source returned no user and no error")}
	}

	if err := m.answer(&res, req, name, typedEmail); err != nil {
		return res, outcomeFault, &Fault{Source: src, Err: err}
	}
	if !m.gate.Shadow() {
		m.recordMigrated(ctx, src, u)
	}
	return res, outcomeMigrated, nil
}

// absentName returns a name no legacy user has: 128 random bits, in a shape
// every source accepts and looks up, so asking for it costs exactly what an
// unknown user costs (a name a source rejects unseen, such as one with a
// NUL byte, would skip the directory round trip).
func absentName() string { return "ferry-absent-" + rand.Text() }

// spendRest makes a "no" from one source of the chain cost what an unknown
// user costs, who is asked of every source: the remaining sources are asked
// for a user who cannot exist, with the typed password, and their answers
// discarded. Without it, a wrong password for a user of the first source
// would answer faster than an unknown name, and time would tell who exists.
func (m *Migrator) spendRest(ctx context.Context, req Request, rest []NamedSource) {
	for _, s := range rest {
		if req.Kind == Authentication {
			_, _ = s.Source.Authenticate(ctx, absentName(), req.Password)
		} else {
			_, _ = s.Source.Lookup(ctx, absentName())
		}
	}
}

// answer fills in what Cognito should create for u.
func (m *Migrator) answer(res *Result, req Request, name string, typedEmail bool) error {
	u := res.User
	p := m.policy
	attrs := p.UserAttributes(u)

	typedPhone := isPhone(name)
	switch p.PoolMode {
	case PoolAlias:
		if typedEmail || typedPhone {
			// Cognito: the typed alias goes into its attribute, and
			// "username" must be a value of our choosing that does not
			// look like an alias.
			if typedEmail {
				attrs["email"] = name
			} else {
				attrs["phone_number"] = name
			}
			un := p.AliasUsername(u)
			if un == "" || isEmail(un) || isPhone(un) {
				return fmt.Errorf("%w: legacy user %s", ErrNoAliasUsername, u.ID)
			}
			attrs["username"] = un
		}
	case PoolEmailAsUsername:
		switch {
		case typedEmail:
			attrs["email"] = name
		case typedPhone:
			attrs["phone_number"] = name
		}
	}

	if req.Kind == ForgotPassword && attrs["email_verified"] != "true" && attrs["phone_number_verified"] != "true" {
		return fmt.Errorf("%w: legacy user %s", ErrNoVerifiedChannel, u.ID)
	}

	res.UserAttributes = attrs
	res.FinalUserStatus = StatusConfirmed
	switch {
	case req.Kind == ForgotPassword:
		// No password reaches the pool on this path: the user sets one with
		// the code Cognito sends. This is also what Cognito assumes when a
		// forgot-password answer leaves the status unset.
		res.FinalUserStatus = StatusResetRequired
	case p.ResetWeakHash && u.WeakHash:
		res.FinalUserStatus = StatusResetRequired
	case p.PasswordPolicy != nil && !p.PasswordPolicy.Allows(req.Password):
		res.FinalUserStatus = StatusResetRequired
	}
	if !p.SendWelcomeMessage {
		res.MessageAction = MessageSuppress
	}
	res.DesiredDeliveryMediums = append([]string(nil), p.DesiredDeliveryMediums...)
	res.ForceAliasCreation = p.ForceAliasCreation
	_, hasPhone := attrs["phone_number"]
	res.EnableSMSMFA = p.EnableSMSMFA && hasPhone
	return nil
}

// recordMigrated counts u once and writes progress back to its source. A
// write-back failure is logged, not returned: the user has proved who they
// are and Cognito will create them whatever the ledger says, so failing the
// sign-in would lock them out over bookkeeping; the mark is retried on
// Cognito's next attempt, and a user who stays unmarked is one that `ferry
// status` can reconcile against the pool.
func (m *Migrator) recordMigrated(ctx context.Context, src string, u *source.User) {
	key := src + "\x00" + u.ID
	m.mu.Lock()
	_, seen := m.migrated[key]
	m.mu.Unlock()
	if seen {
		return
	}
	if m.policy.MarkMigrated {
		for _, s := range m.sources {
			if s.Name != src {
				continue
			}
			if mk, ok := s.Source.(source.Marker); ok {
				if err := mk.MarkMigrated(ctx, u); err != nil {
					m.logger.LogAttrs(ctx, slog.LevelWarn, "migration write-back",
						slog.String("source", src), slog.String("legacy_id", u.ID), slog.String("error", err.Error()))
					return
				}
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, seen := m.migrated[key]; seen {
		return
	}
	if len(m.migrated) >= migratedSetMax {
		clear(m.migrated)
	}
	m.migrated[key] = struct{}{}
	m.nMigrated.Add(1)
}
