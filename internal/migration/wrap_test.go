package migration

import (
	"log/slog"
	"testing"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// A source behind its circuit breaker offers exactly the optional
// capabilities it has.
func TestBreakerKeepsCapabilities(t *testing.T) {
	t.Parallel()
	sourcetest.Decorator(t, func(s source.Source) source.Source {
		out, err := guardSources([]NamedSource{{Name: "legacy", Source: s}}, guard.BreakerConfig{},
			Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		return out[0].Source
	})
}
