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
