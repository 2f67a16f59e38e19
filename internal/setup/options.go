package setup

import (
	"context"
	"log/slog"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Options configure BuildWith. The zero value builds what Build builds.
type Options struct {
	// Logger (default: the configuration's, on stderr).
	Logger *slog.Logger
	// Metrics, when set, receives one EMF line per trigger invocation;
	// every source is timed for it (metrics.Instrument).
	Metrics *metrics.Emitter
	// Secrets and Reload, when both set, let a source whose values came
	// from secret references be reopened with fresh values when its
	// backend refuses the credentials (source.ErrBackendAuth). LoadEnv
	// returns both.
	Secrets *secrets.Resolver
	Reload  func() (*config.Config, error)
	// MemoryMB is the process's memory (Lambda's
	// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, or `--memory` locally); 0 keeps
	// passhash.DefaultLimits' memory. It sizes the gate through which
	// memory-hard hashes are verified.
	MemoryMB int
	// Lambda: the CPU share follows MemoryMB as Lambda allots it.
	Lambda bool
	// DeferMarks holds write-back marks until the pool reports its commit
	// (migration.Options.DeferMarks): for ferry serve, which runs the pool.
	DeferMarks bool
	// Warm has every source that can learn its answers' costs before the
	// first sign-in do so (source.Warmer) before BuildWith returns: for a
	// long-lived process (Lambda's init phase, ferry serve), not for a
	// one-shot command, which would pay for it at every run.
	Warm bool
}

// wrap puts s, the i-th configured source, behind secret refresh and
// timing as o asks.
func (o Options) wrap(i int, b config.Backend, s source.Source, types map[string]sourceType) (source.Source, error) {
	if o.Secrets != nil && o.Reload != nil && len(b.SecretRefs) > 0 {
		open := func(ctx context.Context, b config.Backend) (source.Source, error) {
			return openSource(ctx, b, o.Logger, types)
		}
		rs, err := newRefreshingSource(s, i, b, o, open)
		if err != nil {
			return s, err
		}
		s = rs
	}
	if o.Metrics != nil {
		s = metrics.Instrument(b.Name, s)
	}
	return s, nil
}
