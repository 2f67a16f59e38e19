package setup

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
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
