package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/rollout"
)

const minimalSource = `
sources:
  - name: legacy
    type: fake
    config: {path: x, query: {by_username: y}}
`

func TestLoadGuardAndRollout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		yml         string
		wantGuard   config.Guard
		wantRollout rollout.Config
	}{
		{name: "absent: zero values, defaults applied later", yml: minimalSource},
		{
			name: "everything set",
			yml: minimalSource + `
guard:
  throttle:
    username: {max: 3, window: 10m}
    client: {max: 600, window: 1m}
    on_backend_error: closed
    backend: {type: dynamodb, table: "${TABLE}", region: eu-west-1, timeout: 150ms}
  breaker: {window: 20s, min_calls: 10, failure_ratio: 0.4, consecutive_timeouts: 3, cool_down: 1m, half_open_calls: 2}
rollout:
  mode: shadow
  clients: [web, ios]
  percent: 12.5
`,
			wantGuard: config.Guard{
				Throttle: guard.ThrottleConfig{
					Username:       guard.Limit{Max: 3, Window: 10 * time.Minute},
					Client:         guard.Limit{Max: 600, Window: time.Minute},
					OnBackendError: guard.FailClosed,
					Backend:        guard.CounterConfig{Type: "dynamodb", Table: "ferry-throttle", Region: "eu-west-1", Timeout: 150 * time.Millisecond},
				},
				Breaker: guard.BreakerConfig{Window: 20 * time.Second, MinCalls: 10, FailureRatio: 0.4, ConsecutiveTimeouts: 3, CoolDown: time.Minute, HalfOpenCalls: 2},
			},
			wantRollout: rollout.Config{Mode: rollout.Shadow, Clients: []string{"web", "ios"}, Percent: ptr(12.5)},
		},
		{
			name:      "switched off",
			yml:       minimalSource + "guard: {throttle: {disabled: true}, breaker: {disabled: true}}\n",
			wantGuard: config.Guard{Throttle: guard.ThrottleConfig{Disabled: true}, Breaker: guard.BreakerConfig{Disabled: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loader(t, map[string]string{"TABLE": "ferry-throttle"}).Load([]byte(tt.yml))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantGuard, cfg.Guard); diff != "" {
				t.Errorf("guard (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRollout, cfg.Rollout); diff != "" {
				t.Errorf("rollout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadGuardAndRolloutErrors(t *testing.T) {
	t.Parallel()
	yml := minimalSource + `
guard:
  throttle:
    username: {max: -1}
    on_backend_error: sometimes
    backend: {type: dynamodb}
  breaker: {failure_ratio: 2}
rollout:
  mode: canary
  percent: 150
  clients: [""]
`
	_, err := loader(t, nil).Load([]byte(yml))
	if err == nil {
		t.Fatal("Load accepted an invalid guard and rollout")
	}
	for _, want := range []string{
		"guard.throttle.username.max: -1 must not be negative",
		`guard.throttle.on_backend_error: "sometimes" is not one of open, closed`,
		"guard.throttle.backend.table: required for type dynamodb",
		"guard.breaker.failure_ratio: 2 must be between 0 and 1",
		`rollout.mode: "canary" is not one of live, shadow`,
		"rollout.percent: 150 is outside 0..100",
		"rollout.clients[0]: empty client id",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = loader(t, nil).Load([]byte(minimalSource + "guard: {throttle: {usernme: {max: 1}}}\n"))
	if err == nil || !strings.Contains(err.Error(), "usernme") {
		t.Errorf("a misspelt key was accepted: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
