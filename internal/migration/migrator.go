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
	"github.com/ferry-migrate/ferry/internal/timing"
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
	// Outcome is how the request ended; every Result from Migrate has one.
	Outcome Outcome
	// Reason is the reason code of an unmigratable user (a Reason* code)
	// or of a bad record (a source.Record* reason).
	Reason string
	// Refusals are Cognito's rules the legacy data broke: for a migrated
	// user, the attributes dropped or repaired; for an unmigratable one,
	// every rule that stands in the way.
	Refusals []Refusal
}

// ErrNotMigrated is the one error for every "no": unknown user, wrong
// password, disabled user, a name the lookup mode does not accept, an
// unusable record, a user Cognito would refuse. Which one it was is the
// Result's Outcome and is logged, never told to the user.
var ErrNotMigrated = errors.New("user not migrated")

// ErrPasswordTooLong: the typed password is longer than Cognito accepts
// (MaxPasswordLength characters), so it cannot be a legacy user's Cognito
// password either; no source saw it.
var ErrPasswordTooLong = fmt.Errorf("%w: password longer than %d characters", ErrNotMigrated, MaxPasswordLength)

// ErrNoVerifiedChannel: a forgot-password answer would carry neither a
// verified email nor a verified phone, so Cognito could not send a code.
// It is the user's outcome (OutcomeNoVerifiedChannel), not a fault: the
// source answered, the user's record has no channel.
var ErrNoVerifiedChannel = fmt.Errorf("%w: no verified email or phone number for the reset code", ErrNotMigrated)

// Fault is a migration that could not be decided: a source fault or a
// deadline. It must never be reported to a user as a wrong password. (An
// answer Cognito would reject is not a fault but the user's outcome,
// OutcomeUnmigratable.)
type Fault struct {
	Source string // configured source name, empty when not source-specific
	Err    error
}

func (f *Fault) Error() string {
	if f.Source == "" {
		return "migration fault: " + f.Err.Error()
	}
	if se := (*source.Error)(nil); errors.As(f.Err, &se) && se.Source == f.Source {
		return fmt.Sprintf("migration fault in source %s: %s: %v", f.Source, se.Op, se.Err) // the name once
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
	// Of NotMigrated: throttled attempts, shadow migrations, sign-ins
	// outside the rollout, users Cognito would refuse, unusable records,
	// over-long passwords and forgot-passwords without a verified channel.
	// Of Faults: calls refused by an open circuit.
	Throttled         int64
	Shadow            int64
	OutsideRollout    int64
	Unmigratable      int64
	BadRecord         int64
	PasswordTooLong   int64
	NoVerifiedChannel int64
	CircuitOpen       int64
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
	nUnmigratable, nBadRecord, nPasswordTooLong        atomic.Int64
	nNoVerifiedChannel                                 atomic.Int64

	// forgotFloor pads every forgot-password answer (forgot.go).
	forgotFloor timing.Floor

	// pending holds, with DeferMarks, the write-backs of answers the pool
	// has not yet stored, by the name the pool received (see Committed).
	deferMarks bool
	pending    map[string]pendingMark
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
	// DeferMarks holds each write-back until Committed says the pool has
	// stored the user: for a pool Ferry runs itself (ferry serve), where
	// the mark can follow the pool's commit instead of preceding it.
	DeferMarks bool
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

		deferMarks: o.DeferMarks,
		pending:    map[string]pendingMark{},
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
		Unmigratable: m.nUnmigratable.Load(), BadRecord: m.nBadRecord.Load(), PasswordTooLong: m.nPasswordTooLong.Load(),
		NoVerifiedChannel: m.nNoVerifiedChannel.Load(),
	}
}

// Migrate decides the migration of one user. It returns ErrNotMigrated for
// every "no", a *Fault for every fault, and otherwise the answer; the
// Result's Outcome says which, in every case.
func (m *Migrator) Migrate(ctx context.Context, req Request) (Result, error) {
	start := m.now()
	began := time.Now() // the padding's clock is the real one, whatever Now is
	ctx, cancel := context.WithTimeout(ctx, m.policy.Deadline)
	defer cancel()

	res, err := m.guarded(ctx, req)
	if req.Kind == ForgotPassword {
		m.padForgot(ctx, began, res)
	}

	attrs := []slog.Attr{
		slog.String("request_id", req.RequestID),
		slog.String("trigger", req.Kind.String()),
		slog.String("source", res.Source),
		slog.String("outcome", string(res.Outcome)),
		slog.Float64("latency_ms", float64(m.now().Sub(start).Microseconds())/1000),
	}
	if res.User != nil {
		attrs = append(attrs, slog.String("hash_family", res.User.HashFamily), slog.String("legacy_id", res.User.ID))
	}
	if res.Reason != "" {
		attrs = append(attrs, slog.String("reason", res.Reason))
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
	case res.Outcome == OutcomeUnmigratable:
		m.nNotMigrated.Add(1)
		m.nUnmigratable.Add(1)
		attrs = append(attrs, slog.Any("refusals", refusalsValue(res.Refusals)))
		m.logger.LogAttrs(ctx, slog.LevelWarn, "user cannot migrate", attrs...)
	case res.Outcome == OutcomeNoVerifiedChannel:
		m.nNotMigrated.Add(1)
		m.nNoVerifiedChannel.Add(1)
		m.logger.LogAttrs(ctx, slog.LevelWarn, "no verified channel for the reset code", attrs...)
	case res.Outcome == OutcomeBadRecord:
		m.nNotMigrated.Add(1)
		m.nBadRecord.Add(1)
		attrs = append(attrs, slog.String("error", err.Error()))
		m.logger.LogAttrs(ctx, slog.LevelWarn, "legacy record unusable", attrs...)
	default:
		m.nNotMigrated.Add(1)
		if res.Outcome == OutcomePasswordTooLong {
			m.nPasswordTooLong.Add(1)
		}
		m.logger.LogAttrs(ctx, slog.LevelInfo, "user not migrated", attrs...)
	}
	return res, err
}

// refusalsValue logs refusals by attribute and reason, never by value.
func refusalsValue(rs []Refusal) slog.Value {
	out := make([]slog.Attr, 0, len(rs))
	for _, r := range rs {
		name := r.Attribute
		if name == "" {
			name = "answer"
		}
		out = append(out, slog.String(name, r.Reason))
	}
	return slog.GroupValue(out...)
}

func (m *Migrator) migrate(ctx context.Context, req Request, att *guard.Attempt) (Result, error) {
	if req.Kind != Authentication && req.Kind != ForgotPassword {
		return Result{Outcome: OutcomeFault}, &Fault{Err: fmt.Errorf("unknown request kind %v", req.Kind)}
	}
	name := m.policy.Fold(strings.TrimSpace(req.Username))
	typedEmail := isEmail(name)
	if name == "" ||
		(m.policy.Lookup == LookupUsername && typedEmail) ||
		(m.policy.Lookup == LookupEmail && !typedEmail) {
		// The shape of the typed name is public; rejecting it early reveals
		// nothing about whether a user exists.
		return Result{Outcome: OutcomeNameRejected}, ErrNotMigrated
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
	if req.Kind == Authentication && overLong(req.Password) {
		// No Cognito password is this long. The answer is a "no" at the
		// cost of an unknown user: every source is asked for a name nobody
		// has with the password cut to the longest a user could have typed,
		// so neither the length nor the work it would cost reaches a source.
		m.spendRest(ctx, Request{Kind: req.Kind, Password: truncateRunes(req.Password, MaxPasswordLength)}, chain)
		return Result{Outcome: OutcomePasswordTooLong}, ErrPasswordTooLong
	}
	for i, s := range chain {
		src = s.Name
		if req.Kind == Authentication {
			if res, stop, err := m.chargeAccount(ctx, att, req, name, chain[i:]); stop {
				return res, err
			}
			u, err = s.Source.Authenticate(ctx, name, req.Password)
		} else {
			u, err = s.Source.Lookup(ctx, name)
		}
		if errors.Is(err, source.ErrUserNotFound) {
			continue
		}
		if source.IsOutcome(err) {
			m.spendRest(ctx, req, chain[i+1:])
		}
		break
	}
	res := Result{Source: src, User: u}
	var rec *source.RecordError
	switch {
	case errors.Is(err, source.ErrUserNotFound):
		res.Source = ""
		res.Outcome = OutcomeUnknown
		return res, ErrNotMigrated
	case errors.Is(err, source.ErrInvalidPassword):
		res.Outcome = OutcomeWrongPassword
		return res, ErrNotMigrated
	case errors.Is(err, source.ErrUserDisabled):
		res.Outcome = OutcomeDisabled
		return res, ErrNotMigrated
	case errors.Is(err, source.ErrBadRecord):
		// The user's own row, not the source: a "no" for this user alone.
		res.Outcome = OutcomeBadRecord
		if errors.As(err, &rec) {
			res.Reason = rec.Reason
			if rec.UserID != "" {
				res.User = &source.User{ID: rec.UserID}
			}
		}
		return res, fmt.Errorf("%w: %w", ErrNotMigrated, err)
	case err != nil:
		res.Outcome = OutcomeFault
		return res, &Fault{Source: src, Err: err}
	case u == nil:
		res.Outcome = OutcomeFault
		return res, &Fault{Source: src, Err: errors.New("source returned no user and no error")}
	}

	if !m.policy.Canonical(strings.TrimSpace(req.Username), u) {
		// Answering would key a second pool user to this account.
		res.Outcome, res.Reason = OutcomeNameRejected, ReasonNotCanonical
		return res, ErrNotMigrated
	}
	if err := m.answer(ctx, &res, req, name, typedEmail); err != nil {
		var un *UnmigratableError
		if errors.As(err, &un) {
			res.Outcome, res.Reason, res.Refusals = OutcomeUnmigratable, un.Reason(), un.Refusals
			return res, err
		}
		if errors.Is(err, ErrNoVerifiedChannel) {
			res.Outcome = OutcomeNoVerifiedChannel
			return res, err
		}
		res.Outcome = OutcomeFault
		return res, &Fault{Source: src, Err: err}
	}
	if !m.gate.Shadow() {
		// Only an answer Cognito accepts is marked: answer has checked it.
		if m.deferMarks {
			m.holdMark(strings.TrimSpace(req.Username), src, u)
		} else {
			m.recordMigrated(ctx, src, u)
		}
	}
	res.Outcome = OutcomeMigrated
	return res, nil
}

// overLong reports whether password has more than MaxPasswordLength
// characters, counting no further than that.
func overLong(password string) bool {
	if len(password) <= MaxPasswordLength {
		return false
	}
	n := 0
	for range password {
		if n++; n > MaxPasswordLength {
			return true
		}
	}
	return false
}

// truncateRunes returns the first n characters of s.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
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

// answer fills in what Cognito should create for u, checked against
// Cognito's rules (CheckAnswer): it returns an *UnmigratableError when no
// answer Cognito accepts can be made.
func (m *Migrator) answer(ctx context.Context, res *Result, req Request, name string, typedEmail bool) error {
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
			un := p.PoolUsername(u)
			if un == "" {
				return &UnmigratableError{UserID: u.ID, Refusals: []Refusal{{Attribute: "username", Reason: ReasonNoAliasUsername}}}
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

	// Cognito's username: the name it sent in a username or alias pool
	// (unless the answer names another), its own in an email-as-username
	// pool. White space around the typed name is the client's, not the
	// user's: Ferry ignores it for the lookup, and so does the check.
	username := strings.TrimSpace(req.Username)
	if p.PoolMode == PoolEmailAsUsername {
		username = ""
	}
	attrs, refusals, err := p.CheckAnswer(u.ID, username, attrs)
	res.Refusals = refusals
	if err != nil {
		return err
	}
	for _, r := range refusals {
		level, msg := slog.LevelInfo, "attribute dropped"
		if r.Repaired {
			level, msg = slog.LevelDebug, "attribute normalised"
		}
		m.logger.LogAttrs(ctx, level, msg, slog.String("request_id", req.RequestID), slog.String("legacy_id", u.ID),
			slog.String("attribute", r.Attribute), slog.String("reason", r.Reason))
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
	case u.ResetRequired, p.ResetWeakHash && u.WeakHash:
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
			if mk, ok := source.As[source.Marker](s.Source); ok {
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
