package setup

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/guard/dynamocounter"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/rollout"
)

// guards builds what the "guard" and "rollout" sections ask for: the
// throttle with its counter, the circuit breaker configuration and the
// rollout gate, as the fields of migration.Options they fill in. Both
// guards are on unless disabled: brute force against the legacy store is
// throttled by default.
func guards(ctx context.Context, cfg *config.Config, logger *slog.Logger) (migration.Options, error) {
	var o migration.Options
	if t := cfg.Guard.Throttle; !t.Disabled {
		counter, err := openCounter(ctx, t.Backend)
		if err != nil {
			return o, fmt.Errorf("guard.throttle.backend: %w", err)
		}
		o.Throttle, err = guard.NewLimiter(t, counter, nil, logger.With("component", "throttle"))
		if err != nil {
			return o, err
		}
	}
	if b := cfg.Guard.Breaker; !b.Disabled {
		o.Breaker = &b
	}
	gate, err := rollout.New(cfg.Rollout)
	if err != nil {
		return o, err
	}
	o.Rollout = gate
	return o, nil
}

// openCounter opens the throttle's counter backend.
func openCounter(ctx context.Context, c guard.CounterConfig) (guard.Counter, error) {
	switch c.Type {
	case "", "memory":
		return guard.NewMemoryCounter(c.MaxKeys, nil), nil
	case "dynamodb":
		return dynamocounter.Open(ctx, c)
	default:
		return nil, fmt.Errorf("unknown counter type %q", c.Type)
	}
}

// failureCapper is a source whose directory locks an account after a
// number of failed sign-ins (an LDAP bind-mode source under a lockout
// policy): FailureCap is how many failures per user may reach it, 0 for
// no limit. On error it still returns what it could decide.
type failureCapper interface {
	FailureCap(ctx context.Context) (int, error)
}

// capThrottle returns cfg with the throttle's per-user limit lowered to
// the smallest cap of sources, so that sign-ins through Cognito stop
// before the directory would lock the account; cfg itself is unchanged.
func capThrottle(ctx context.Context, cfg *config.Config, sources []failureCapper, logger *slog.Logger) *config.Config {
	limit := int64(0)
	for _, s := range sources {
		n, err := s.FailureCap(ctx)
		if err != nil {
			logger.Warn("password policy unreadable at start-up; the per-user throttle follows password_policy.max_failure alone", "error", err)
		}
		if n > 0 && (limit == 0 || int64(n) < limit) {
			limit = int64(n)
		}
	}
	t := cfg.Guard.Throttle
	if limit == 0 || t.WithDefaults().Username.Max <= limit {
		return cfg
	}
	if t.Disabled {
		logger.Warn("guard.throttle is disabled: nothing keeps failed sign-ins below the directory's lockout threshold but the check before each bind",
			"max_failures", limit)
		return cfg
	}
	logger.Info("per-user throttle lowered below the directory's lockout threshold",
		"configured", t.WithDefaults().Username.Max, "max", limit)
	c := *cfg
	c.Guard.Throttle.Username.Max = limit
	return &c
}
