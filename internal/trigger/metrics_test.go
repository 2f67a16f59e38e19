package trigger_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/rollout"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// metricsHandler is a handler over memSource, instrumented, writing EMF
// lines to out; tweak adjusts the migrator's options.
func metricsHandler(t *testing.T, out *bytes.Buffer, style trigger.FailureStyle, tweak func(*migration.Options)) lambda.Handler {
	t.Helper()
	o := migration.Options{
		Sources: []migration.NamedSource{{Name: "legacy", Source: metrics.Instrument("legacy", memSource{})}},
		Policy:  migration.Policy{AssumeEmailVerified: true},
	}
	if tweak != nil {
		tweak(&o)
	}
	m, err := migration.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h, err := trigger.New(m, trigger.Options{FailureStyle: style, Metrics: metrics.NewEmitter(out, metrics.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func migrationEvent(t *testing.T, triggerSource, user, password string) []byte {
	t.Helper()
	ev := trigger.Event{TriggerSource: triggerSource, UserName: user}
	ev.Version, ev.Region, ev.UserPoolID = "1", "eu-west-1", "eu-west-1_Test"
	ev.CallerContext.ClientID = "client-1"
	ev.Request.Password = password
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMetricsOutcomes(t *testing.T) {
	t.Parallel()
	shadow, err := rollout.New(rollout.Config{Mode: rollout.Shadow})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		style        trigger.FailureStyle
		tweak        func(*migration.Options)
		payloads     [][3]string // triggerSource, user, password; the last one is checked
		raw          string      // a raw payload instead
		want         migration.Outcome
		wantTrigger  string
		wantHash     string
		wantNoSource bool
	}{
		{name: "migrated", payloads: [][3]string{{trigger.SourceAuthentication, "alice", "Corr3ct-horse"}},
			want: migration.OutcomeMigrated, wantTrigger: trigger.SourceAuthentication, wantHash: "bcrypt"},
		{name: "migrated without a hash family", payloads: [][3]string{{trigger.SourceAuthentication, "carol", "Corr3ct-horse"}},
			want: migration.OutcomeMigrated, wantTrigger: trigger.SourceAuthentication, wantHash: metrics.NoHashFamily},
		{name: "forgot password", payloads: [][3]string{{trigger.SourceForgotPassword, "alice", ""}},
			want: migration.OutcomeMigrated, wantTrigger: trigger.SourceForgotPassword, wantHash: "bcrypt"},
		{name: "wrong password", payloads: [][3]string{{trigger.SourceAuthentication, "alice", "nope"}},
			want: migration.OutcomeWrongPassword, wantTrigger: trigger.SourceAuthentication},
		{name: "wrong password, empty style", style: trigger.FailEmpty, payloads: [][3]string{{trigger.SourceAuthentication, "alice", "nope"}},
			want: migration.OutcomeWrongPassword, wantTrigger: trigger.SourceAuthentication},
		{name: "unknown", payloads: [][3]string{{trigger.SourceAuthentication, "mallory", "pw"}},
			want: migration.OutcomeUnknown, wantTrigger: trigger.SourceAuthentication},
		{name: "fault", payloads: [][3]string{{trigger.SourceAuthentication, "broken", "pw"}},
			want: migration.OutcomeFault, wantTrigger: trigger.SourceAuthentication},
		{name: "malformed trigger source", payloads: [][3]string{{"PreSignUp_SignUp", "alice", "pw"}},
			want: migration.OutcomeFault, wantTrigger: "invalid", wantNoSource: true},
		{name: "malformed JSON", raw: `{"triggerSource":`, want: migration.OutcomeFault, wantTrigger: "invalid", wantNoSource: true},
		{name: "shadow", tweak: func(o *migration.Options) { o.Rollout = shadow },
			payloads: [][3]string{{trigger.SourceAuthentication, "alice", "Corr3ct-horse"}},
			want:     migration.OutcomeShadow, wantTrigger: trigger.SourceAuthentication, wantHash: "bcrypt"},
		{name: "throttled", tweak: func(o *migration.Options) {
			l, err := guard.NewLimiter(guard.ThrottleConfig{Username: guard.Limit{Max: 1, Window: time.Hour}},
				guard.NewMemoryCounter(100, time.Now), time.Now, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			o.Throttle = l
		}, payloads: [][3]string{
			{trigger.SourceAuthentication, "alice", "nope"},
			{trigger.SourceAuthentication, "alice", "nope"},
		}, want: migration.OutcomeThrottled, wantTrigger: trigger.SourceAuthentication, wantNoSource: true},
		{name: "circuit open", tweak: func(o *migration.Options) {
			o.Breaker = &guard.BreakerConfig{MinCalls: 2, FailureRatio: 0.5, Window: time.Minute, CoolDown: time.Hour}
		}, payloads: [][3]string{
			{trigger.SourceAuthentication, "broken", "pw"},
			{trigger.SourceAuthentication, "broken", "pw"},
			{trigger.SourceAuthentication, "broken", "pw"},
			{trigger.SourceAuthentication, "alice", "Corr3ct-horse"},
		}, want: migration.OutcomeCircuitOpen, wantTrigger: trigger.SourceAuthentication, wantNoSource: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			h := metricsHandler(t, &out, tt.style, tt.tweak)
			payloads := [][]byte{[]byte(tt.raw)}
			if tt.raw == "" {
				payloads = nil
				for _, p := range tt.payloads {
					payloads = append(payloads, migrationEvent(t, p[0], p[1], p[2]))
				}
			}
			for _, p := range payloads {
				_, _ = h.Invoke(t.Context(), p)
			}
			lines, err := emftest.Lines(out.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != len(payloads) {
				t.Fatalf("%d EMF lines for %d invocations:\n%s", len(lines), len(payloads), out.String())
			}
			l := lines[len(lines)-1]
			if got := l.Dim("Outcome"); got != string(tt.want) {
				t.Errorf("Outcome = %q, want %q\n%s", got, tt.want, out.String())
			}
			if got := l.Dim("TriggerSource"); got != tt.wantTrigger {
				t.Errorf("TriggerSource = %q, want %q", got, tt.wantTrigger)
			}
			if got := l.Dim("HashFamily"); got != tt.wantHash {
				t.Errorf("HashFamily = %q, want %q", got, tt.wantHash)
			}
			if _, _, hasSrc := l.Metric("SourceLatency"); hasSrc == tt.wantNoSource || (hasSrc && l.Dim("Source") != "legacy") {
				t.Errorf("SourceLatency present = %v (Source %q), want %v", hasSrc, l.Dim("Source"), !tt.wantNoSource)
			}
			if v, ok := l.Value("HandlerLatency"); !ok || v < 0 {
				t.Errorf("HandlerLatency = %v, %v", v, ok)
			}
			// Never a password or a username in a metric line.
			for _, secret := range []string{"Corr3ct-horse", "nope", `"alice"`, "mallory", "broken", "alice@example.com"} {
				if strings.Contains(out.String(), secret) {
					t.Errorf("metric lines hold %q:\n%s", secret, out.String())
				}
			}
		})
	}
}

// A handler without metrics writes nothing and behaves as before.
func TestNoMetrics(t *testing.T) {
	t.Parallel()
	h := newHandler(t, trigger.FailError, migration.Policy{}, nil)
	if _, err := h.Invoke(t.Context(), migrationEvent(t, trigger.SourceAuthentication, "alice", "Corr3ct-horse")); err != nil {
		t.Fatal(err)
	}
}
