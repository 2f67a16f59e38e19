package setup

import (
	"context"
	"log/slog"
	"time"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// warmTimeout bounds the start-up warming of all sources together: a few
// verifications, well inside Lambda's 10-second init phase, so that a slow
// or unreachable source delays the start by at most this much.
const warmTimeout = 3 * time.Second

// warm has each source that can (source.Warmer) learn its answers' costs
// before the first sign-in. It is best-effort: a source that fails is
// logged and learns as sign-ins come.
func warm(ctx context.Context, sources []migration.NamedSource, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, warmTimeout)
	defer cancel()
	for _, ns := range sources {
		w, ok := source.As[source.Warmer](ns.Source)
		if !ok {
			continue
		}
		start := time.Now()
		if err := w.Warm(ctx); err != nil {
			logger.WarnContext(ctx, "could not learn the source's answer costs at start-up; its first answers learn them",
				"source", ns.Name, "error", err)
			continue
		}
		logger.DebugContext(ctx, "learnt the source's answer costs", "source", ns.Name, "took_ms", time.Since(start).Milliseconds())
	}
}
