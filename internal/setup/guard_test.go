package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// TestGuards builds the guards from configurations and runs a migrator
// with them over a fake source.
func TestGuards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yml  string
		// attempt is the password of each sign-in of alice, in order; want
		// the error class of each.
		attempts []string
		want     []error
	}{
		{
			name:     "throttled by default after five failures",
			yml:      "",
			attempts: []string{"x", "x", "x", "x", "x", "x", "pw"},
			want:     []error{migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrThrottled, migration.ErrThrottled},
		},
		{
			name:     "throttle disabled",
			yml:      "guard: {throttle: {disabled: true}}\n",
			attempts: []string{"x", "x", "x", "x", "x", "x", "pw"},
			want:     []error{migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, migration.ErrNotMigrated, nil},
		},
		{
			name:     "configured limit",
			yml:      "guard: {throttle: {username: {max: 1, window: 1m}}}\n",
			attempts: []string{"x", "pw"},
			want:     []error{migration.ErrNotMigrated, migration.ErrThrottled},
		},
		{
			name:     "shadow mode",
			yml:      "rollout: {mode: shadow}\n",
			attempts: []string{"pw"},
			want:     []error{migration.ErrShadow},
		},
		{
			name:     "client outside the rollout",
			yml:      "rollout: {clients: [ios]}\n",
			attempts: []string{"pw"},
			want:     []error{migration.ErrOutsideRollout},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var closed int
			types := fakeTypes(&closed)
			cfg, err := loader(types).Load([]byte("sources: [{name: legacy, type: fake, config: {user: alice}}]\n" + tt.yml))
			if err != nil {
				t.Fatal(err)
			}
			o, err := guards(t.Context(), cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if o.Breaker == nil {
				t.Error("no circuit breaker by default")
			}
			src, err := openSource(t.Context(), cfg.Sources[0], slog.New(slog.DiscardHandler), types)
			if err != nil {
				t.Fatal(err)
			}
			o.Sources = []migration.NamedSource{{Name: "legacy", Source: src}}
			o.Policy = cfg.Migration
			m, err := migration.New(o)
			if err != nil {
				t.Fatal(err)
			}
			for i, pw := range tt.attempts {
				_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: pw, ClientID: "web"})
				if !errors.Is(err, tt.want[i]) || (err == nil) != (tt.want[i] == nil) {
					t.Errorf("attempt %d: %v, want %v", i, err, tt.want[i])
				}
			}
		})
	}
}

func TestGuardsDynamoDBNeedsTable(t *testing.T) {
	t.Parallel()
	if _, err := openCounter(t.Context(), guardCounterConfig("dynamodb")); err == nil {
		t.Error("opened a DynamoDB counter without a table")
	}
	if _, err := openCounter(t.Context(), guardCounterConfig("redis")); err == nil {
		t.Error("opened an unknown counter type")
	}
}

func guardCounterConfig(typ string) guard.CounterConfig { return guard.CounterConfig{Type: typ} }

// TestShadowThroughTheTrigger: in shadow mode the trigger a built App
// runs answers a right password exactly as it answers a wrong one, in
// either failure style, and logs what would have migrated.
func TestShadowThroughTheTrigger(t *testing.T) {
	t.Parallel()
	for _, style := range []string{"error", "empty"} {
		t.Run(style, func(t *testing.T) {
			t.Parallel()
			var closed int
			types := fakeTypes(&closed)
			cfg, err := loader(types).Load([]byte(`
sources: [{name: legacy, type: fake, config: {user: alice}}]
rollout: {mode: shadow}
trigger: {failure_style: ` + style + "}\n"))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			app, err := build(t.Context(), cfg, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, types)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = app.Close() })
			answer := func(password string) (string, error) {
				out, err := app.Handler.Handle(t.Context(), trigger.Event{
					Version: "1", TriggerSource: trigger.SourceAuthentication, UserName: "alice",
					CallerContext: trigger.CallerContext{ClientID: "web"},
					Request:       trigger.Request{Password: password},
				})
				b, _ := json.Marshal(out.Response)
				return string(b), err
			}
			right, rightErr := answer("pw")
			wrong, wrongErr := answer("nope")
			if right != wrong || fmt.Sprint(rightErr) != fmt.Sprint(wrongErr) {
				t.Errorf("shadow answer %s, %v differs from a wrong password's %s, %v", right, rightErr, wrong, wrongErr)
			}
			if style == "error" && rightErr == nil || style == "empty" && rightErr != nil {
				t.Errorf("style %s: error %v", style, rightErr)
			}
			if !strings.Contains(logs.String(), `"outcome":"shadow"`) || strings.Contains(logs.String(), `"pw"`) {
				t.Errorf("logs lack the shadow outcome or hold the password:\n%s", logs.String())
			}
			if st := app.Migrator.Stats(); st.Shadow != 1 || st.Migrated != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}
