package setup

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// warmConfig is a fake backend whose source counts its warmings.
type warmConfig struct {
	User     string `yaml:"user"`
	FailWarm bool   `yaml:"fail_warm"`
}

func (c *warmConfig) Validate() error { return nil }

type warmSource struct {
	fakeSource
	fail   bool
	warmed *int
}

func (s *warmSource) Warm(ctx context.Context) error {
	*s.warmed++
	if s.fail {
		return errors.New("the sample query timed out")
	}
	return ctx.Err()
}

// TestBuildWarms: with Options.Warm every source that can learn its costs
// does so once before the handler exists, and one that fails only warns;
// without it, none is warmed (one-shot commands do not pay for it).
func TestBuildWarms(t *testing.T) {
	t.Parallel()
	var closed, warmed int
	types := map[string]sourceType{
		"warm": backend(func(c *warmConfig, _ context.Context, _ string, _ *slog.Logger) (*warmSource, error) {
			return &warmSource{fakeSource: fakeSource{user: c.User, closed: &closed}, fail: c.FailWarm, warmed: &warmed}, nil
		}),
	}
	cfg, err := loader(types).Load([]byte(`
sources:
  - {name: first, type: warm, config: {user: alice}}
  - {name: second, type: warm, config: {user: bob, fail_warm: true}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	app, err := build(t.Context(), cfg, Options{Logger: slog.New(slog.NewTextHandler(&log, nil)), Warm: true}, types)
	if err != nil {
		t.Fatalf("build with a source that fails to warm: %v", err)
	}
	_ = app.Close()
	if warmed != 2 || !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "source=second") {
		t.Errorf("warmed %d sources, log %q; want 2 and a warning for second", warmed, log.String())
	}
	warmed = 0
	app, err = build(t.Context(), cfg, Options{Logger: slog.New(slog.DiscardHandler)}, types)
	if err != nil {
		t.Fatal(err)
	}
	_ = app.Close()
	if warmed != 0 {
		t.Errorf("without Options.Warm %d sources were warmed, want 0", warmed)
	}
}
