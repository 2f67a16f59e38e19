package migration

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Outcomes of the guards. Each is a "no" to the user — errors.Is(err,
// ErrNotMigrated) holds, and the trigger answers them in its configured
// failure style like any other "no" — but a distinct outcome for operators:
// Migrate logs it under its own "outcome" value and Stats counts it.
var (
	// ErrThrottled: a throttle limit (failed attempts per username, or
	// attempts per app client) was reached; no source was asked. A
	// throttled unknown user gets exactly what a throttled known one gets.
	ErrThrottled = fmt.Errorf("%w: attempt throttled", ErrNotMigrated)
	// ErrShadow: in shadow mode, the user would have migrated; the Result
	// holds the answer that would have been sent, with Shadow set, and
	// nothing was written back to the source.
	ErrShadow = fmt.Errorf("%w: shadow mode", ErrNotMigrated)
	// ErrOutsideRollout: the app client or the username is outside the
	// staged rollout; no source was asked, and the user stays in the
	// legacy system until the rollout reaches them.
	ErrOutsideRollout = fmt.Errorf("%w: outside the rollout", ErrNotMigrated)
)

// ErrCircuitOpen is the reason of the *Fault returned while a source's
// circuit breaker is open: the source was not called. Test it with
// errors.Is(err, ErrCircuitOpen).
var ErrCircuitOpen = guard.ErrCircuitOpen

// guarded runs the rollout gate and the throttle around migrate, and turns
// a migration into its shadow when the rollout says so.
func (m *Migrator) guarded(ctx context.Context, req Request) (Result, error) {
	name := m.policy.Fold(strings.TrimSpace(req.Username))
	if in, why := m.gate.Admit(req.ClientID, name); !in {
		m.nOutsideRollout.Add(1)
		m.logger.LogAttrs(ctx, slog.LevelDebug, "outside the rollout",
			slog.String("request_id", req.RequestID), slog.String("reason", string(why)))
		return Result{Outcome: OutcomeOutsideRollout}, ErrOutsideRollout
	}
	var att *guard.Attempt
	if m.limiter != nil {
		var err error
		att, err = m.limiter.Begin(ctx, req.ClientID, name, req.Kind == Authentication)
		var te *guard.ThrottleError
		switch {
		case errors.As(err, &te):
			m.nThrottled.Add(1)
			m.logger.LogAttrs(ctx, slog.LevelWarn, "attempt throttled",
				slog.String("request_id", req.RequestID), slog.String("scope", string(te.Scope)),
				slog.String("client_id", req.ClientID), slog.Int64("limit", te.Limit))
			return Result{Outcome: OutcomeThrottled}, ErrThrottled
		case err != nil:
			return Result{Outcome: OutcomeFault}, &Fault{Err: err}
		}
	}
	res, err := m.migrate(ctx, req, att)
	att.End(ctx, spendsBudget(req, res))
	if errors.Is(err, ErrCircuitOpen) {
		m.nCircuitOpen.Add(1)
		res.Outcome = OutcomeCircuitOpen
	}
	if err == nil && m.gate.Shadow() {
		res.Shadow = true
		res.Outcome = OutcomeShadow
		m.nShadow.Add(1)
		return res, ErrShadow
	}
	return res, err
}

// spendsBudget reports whether the attempt that ended in res keeps the
// throttle units it took: every failed attempt (Outcome.failedAttempt),
// and a throttled one (the attempt was a guess like any other, and its
// account keeps its username's unit) — but not a sign-in refused as
// not_canonical_name. That refusal is decided only after the source has
// verified the password (a wrong password under any spelling is a
// wrong_password, charged), so it proves the password as a migration
// would, and nothing is guessed: charged, a user retrying the right
// password under a spelling the pool does not know them by (another case,
// their email in a username pool) would throttle themselves.
func spendsBudget(req Request, res Result) bool {
	if req.Kind == Authentication && res.Outcome == OutcomeNameRejected && res.Reason == ReasonNotCanonical {
		return false
	}
	return res.Outcome.failedAttempt() || res.Outcome == OutcomeThrottled
}

// breakerSource calls its source's Authenticate and Lookup through a
// circuit breaker.
type breakerSource struct {
	name string
	src  source.Source
	b    *guard.Breaker
}

// guardSources puts each source behind a breaker of its own.
func guardSources(srcs []NamedSource, cfg guard.BreakerConfig, o Options) ([]NamedSource, error) {
	out := make([]NamedSource, len(srcs))
	for i, s := range srcs {
		b, err := guard.NewBreaker(s.Name, cfg, o.Now, o.Logger)
		if err != nil {
			return nil, err
		}
		out[i] = NamedSource{Name: s.Name, Source: &breakerSource{name: s.Name, src: s.Source, b: b}}
	}
	return out, nil
}

func (s *breakerSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	return s.call(ctx, "authenticate", func() (*source.User, error) { return s.src.Authenticate(ctx, name, password) })
}

func (s *breakerSource) Lookup(ctx context.Context, name string) (*source.User, error) {
	return s.call(ctx, "lookup", func() (*source.User, error) { return s.src.Lookup(ctx, name) })
}

// Unwrap returns the guarded source. Its optional capabilities (the
// write-back, found with source.As) are not guarded: they run only after
// the source has just answered, or outside the sign-in path.
func (s *breakerSource) Unwrap() source.Source { return s.src }

func (s *breakerSource) call(ctx context.Context, op string, f func() (*source.User, error)) (*source.User, error) {
	t, err := s.b.Allow()
	if err != nil {
		return nil, &source.Error{Source: s.name, Op: op, Err: err}
	}
	u, err := f()
	switch {
	case err == nil || source.IsOutcome(err):
		t.Done(guard.Success)
	case errors.Is(err, context.DeadlineExceeded):
		t.Done(guard.Timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		t.Done(guard.Ignored) // the caller went away; the source said nothing
	default:
		t.Done(guard.Fault)
	}
	return u, err
}

// chargeAccount charges the attempt to the legacy account name is in the
// first source of chain, before that source verifies any password, so that
// the username, the email and every spelling of one account draw on one
// failure budget (the limiter has already charged the typed name's
// canonical key). The source is asked with Lookup, which finds the row
// without hashing; a name it does not find, or cannot answer for, goes on
// to Authenticate as before, which then says why.
//
// At the account's limit the answer is a "no" that costs what a wrong
// password costs: the rest of the chain, this source included, verifies
// the typed password against a user who cannot exist (each source's dummy,
// padded to its floor), so neither the time nor the answer tells a
// throttled account from a wrong password, and the store's real hash is
// not touched. stop reports that res and err are the answer.
func (m *Migrator) chargeAccount(ctx context.Context, att *guard.Attempt, req Request, name string, chain []NamedSource) (res Result, stop bool, err error) {
	if !att.CountsAccount() {
		return Result{}, false, nil
	}
	s := chain[0]
	u, lerr := s.Source.Lookup(ctx, name)
	if lerr != nil || u == nil || u.ID == "" {
		return Result{}, false, nil
	}
	err = att.Account(ctx, s.Name+"\x00"+u.ID)
	var te *guard.ThrottleError
	switch {
	case errors.As(err, &te):
		m.spendRest(ctx, req, chain)
		m.nThrottled.Add(1)
		m.logger.LogAttrs(ctx, slog.LevelWarn, "attempt throttled",
			slog.String("request_id", req.RequestID), slog.String("scope", string(te.Scope)),
			slog.String("source", s.Name), slog.String("legacy_id", u.ID), slog.Int64("limit", te.Limit))
		return Result{Outcome: OutcomeThrottled}, true, ErrThrottled
	case err != nil:
		return Result{Outcome: OutcomeFault}, true, &Fault{Source: s.Name, Err: err}
	}
	return Result{}, false, nil
}
