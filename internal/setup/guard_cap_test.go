package setup

import (
	"context"
	"errors"
	"log/slog"
	"testing"
)

// capperFunc is a source's FailureCap as a function.
type capperFunc func() (int, error)

func (f capperFunc) FailureCap(context.Context) (int, error) { return f() }

// TestCapThrottle lowers the per-user throttle to the smallest cap the
// sources give, never raises it, and leaves a disabled throttle alone.
func TestCapThrottle(t *testing.T) {
	t.Parallel()
	fixed := func(n int, err error) failureCapper { return capperFunc(func() (int, error) { return n, err }) }
	tests := []struct {
		name    string
		yml     string
		sources []failureCapper
		want    int64 // the configured Username.Max afterwards (0: the default)
	}{
		{"no cappers", "", nil, 0},
		{"no lockout", "", []failureCapper{fixed(0, nil)}, 0},
		{"below the default", "", []failureCapper{fixed(2, nil)}, 2},
		{"smallest wins", "", []failureCapper{fixed(4, nil), fixed(2, nil), fixed(0, nil)}, 2},
		{"above the default", "", []failureCapper{fixed(9, nil)}, 0},
		{"configured lower already", "guard: {throttle: {username: {max: 1}}}\n", []failureCapper{fixed(2, nil)}, 1},
		{"policy unreadable, configured stand-in", "", []failureCapper{fixed(3, errors.New("no policy"))}, 3},
		{"throttle disabled", "guard: {throttle: {disabled: true}}\n", []failureCapper{fixed(2, nil)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var closed int
			cfg, err := loader(fakeTypes(&closed)).Load([]byte("sources: [{name: legacy, type: fake, config: {user: alice}}]\n" + tt.yml))
			if err != nil {
				t.Fatal(err)
			}
			before := cfg.Guard.Throttle.Username.Max
			got := capThrottle(t.Context(), cfg, tt.sources, slog.New(slog.DiscardHandler))
			if m := got.Guard.Throttle.Username.Max; m != tt.want && !(tt.want == 0 && m == before) {
				t.Errorf("username.max = %d, want %d", m, tt.want)
			}
			if cfg.Guard.Throttle.Username.Max != before {
				t.Error("capThrottle changed the configuration it was given")
			}
		})
	}
}
