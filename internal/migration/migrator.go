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

// NamedSource is a configured source with its name.
type NamedSource struct {
	Name   string
	Source source.Source
}

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
