package setup

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// wrapOptions asks for every decorator setup can put around a source:
// secret refresh and timing.
func wrapOptions() Options {
	return Options{
		Logger:  slog.New(slog.DiscardHandler),
		Metrics: metrics.NewEmitter(io.Discard, metrics.Options{}),
		Secrets: secrets.New(secrets.Options{}),
		Reload:  func() (*config.Config, error) { return nil, errors.New("not reloaded in this test") },
	}
}

// A source behind secret refresh and timing offers exactly the optional
// capabilities it has.
func TestWrapKeepsCapabilities(t *testing.T) {
	t.Parallel()
	o := wrapOptions()
	b := config.Backend{Name: "legacy", Type: "fake", SecretRefs: []string{"aws-ssm:/ferry/legacy"}}
	sourcetest.Decorator(t, func(s source.Source) source.Source {
		w, err := o.wrap(0, b, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Timing outside, refresh inside, the source underneath.
		timed, ok := w.(source.Wrapper)
		if !ok {
			t.Fatalf("wrap returned %T, not a decorator", w)
		}
		if _, ok := timed.Unwrap().(*refreshingSource); !ok {
			t.Fatalf("under the timing is %T, want the secret refresh", timed.Unwrap())
		}
		return w
	})
}

// markingSource is fakeSource with a write-back.
type markingSource struct {
	*fakeSource
	marks *int
}

func (s markingSource) MarkMigrated(context.Context, *source.User) error { *s.marks++; return nil }

// Through every decorator the application stacks — secret refresh, timing
// and the circuit breaker — a sign-in writes back to a source that can,
// and a source that cannot is not asked to.
func TestBuildMarksThroughDecorators(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		marker    bool
		wantMarks int
	}{
		{"source with a write-back", true, 1},
		{"source without one", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var closed, marks int
			types := map[string]sourceType{
				"fake": backend(func(c *fakeConfig, _ context.Context, _ string, _ *slog.Logger) (source.Source, error) {
					f := &fakeSource{user: c.User, closed: &closed}
					if tc.marker {
						return markingSource{f, &marks}, nil
					}
					return f, nil
				}),
			}
			cfg, err := loader(types).Load([]byte(`
sources: [{name: legacy, type: fake, config: {user: alice}}]
migration: {mark_migrated: true}
`))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Sources[0].SecretRefs = []string{"aws-ssm:/ferry/legacy"}
			app, err := build(t.Context(), cfg, wrapOptions(), types)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.Handler.Handle(t.Context(), trigger.Event{
				TriggerSource: trigger.SourceAuthentication, UserName: "alice", Request: trigger.Request{Password: "pw"},
			}); err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if marks != tc.wantMarks {
				t.Errorf("%d write-backs, want %d", marks, tc.wantMarks)
			}
			if err := app.Close(); err != nil || closed != 1 {
				t.Errorf("Close: %v, %d sources closed, want 1", err, closed)
			}
		})
	}
}
