package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

var fixed = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func TestEmit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		inv      metrics.Invocation
		wantDims [][]string
		wantSrc  bool
	}{
		{
			name: "migrated with a hash",
			inv: metrics.Invocation{Outcome: migration.OutcomeMigrated, TriggerSource: "UserMigration_Authentication",
				HashFamily: "bcrypt", Handler: 81234 * time.Microsecond, Source: "legacy", SourceTime: 80 * time.Millisecond, RequestID: "req-1"},
			wantDims: [][]string{{"Outcome"}, {"TriggerSource"}, {"HashFamily"}},
			wantSrc:  true,
		},
		{
			name:     "wrong password",
			inv:      metrics.Invocation{Outcome: migration.OutcomeWrongPassword, TriggerSource: "UserMigration_Authentication", Handler: time.Millisecond, Source: "legacy", SourceTime: time.Millisecond},
			wantDims: [][]string{{"Outcome"}, {"TriggerSource"}},
			wantSrc:  true,
		},
		{
			name:     "throttled, no source asked",
			inv:      metrics.Invocation{Outcome: migration.OutcomeThrottled, TriggerSource: "UserMigration_ForgotPassword", Handler: 30 * time.Microsecond},
			wantDims: [][]string{{"Outcome"}, {"TriggerSource"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			e := metrics.NewEmitter(&out, metrics.Options{Now: func() time.Time { return fixed }})
			if err := e.Emit(tt.inv); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(out.String(), "\n"); n != 1 {
				t.Fatalf("Emit wrote %d lines, want 1: %s", n, out.String())
			}
			l, err := emftest.Parse(out.Bytes())
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if l.Timestamp != fixed.UnixMilli() {
				t.Errorf("Timestamp = %d, want %d", l.Timestamp, fixed.UnixMilli())
			}
			d, m, ok := l.Metric("Migrations")
			if !ok || m.Unit != "Count" || d.Namespace != "Ferry" {
				t.Fatalf("Migrations = %+v in %+v", m, d)
			}
			if diff := cmp.Diff(tt.wantDims, d.Dimensions); diff != "" {
				t.Errorf("Migrations dimensions (-want +got):\n%s", diff)
			}
			if v, _ := l.Value("Migrations"); v != 1 {
				t.Errorf("Migrations = %v, want 1", v)
			}
			if l.Dim("Outcome") != string(tt.inv.Outcome) || l.Dim("TriggerSource") != tt.inv.TriggerSource {
				t.Errorf("dimensions = %v", l.Members)
			}
			d, m, ok = l.Metric("HandlerLatency")
			if !ok || m.Unit != "Milliseconds" || !cmp.Equal(d.Dimensions, [][]string{{}}) {
				t.Errorf("HandlerLatency = %+v in %+v", m, d)
			}
			if v, _ := l.Value("HandlerLatency"); v != float64(tt.inv.Handler.Microseconds())/1000 {
				t.Errorf("HandlerLatency = %v, want %v", v, tt.inv.Handler)
			}
			d, m, ok = l.Metric("SourceLatency")
			if ok != tt.wantSrc {
				t.Fatalf("SourceLatency present = %v, want %v", ok, tt.wantSrc)
			}
			if ok && (m.Unit != "Milliseconds" || !cmp.Equal(d.Dimensions, [][]string{{"Source"}}) || l.Dim("Source") != tt.inv.Source) {
				t.Errorf("SourceLatency = %+v in %+v, Source %q", m, d, l.Dim("Source"))
			}
		})
	}
}

func TestNamespace(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	e := metrics.NewEmitter(&out, metrics.Options{Namespace: "Ferry/prod"})
	if err := e.Emit(metrics.Invocation{Outcome: migration.OutcomeFault, TriggerSource: "invalid"}); err != nil {
		t.Fatal(err)
	}
	l, err := emftest.Parse(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.Directives {
		if d.Namespace != "Ferry/prod" {
			t.Errorf("namespace %q", d.Namespace)
		}
	}
}

// Concurrent invocations (a local pool serving many) never interleave.
func TestEmitConcurrent(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	e := metrics.NewEmitter(&out, metrics.Options{})
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			_ = e.Emit(metrics.Invocation{Outcome: migration.OutcomeMigrated, TriggerSource: "UserMigration_Authentication"})
		})
	}
	wg.Wait()
	lines, err := emftest.Lines(out.Bytes())
	if err != nil || len(lines) != 64 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestEmitWriteError(t *testing.T) {
	t.Parallel()
	err := metrics.NewEmitter(errWriter{}, metrics.Options{}).Emit(metrics.Invocation{Outcome: migration.OutcomeFault})
	if !errors.Is(err, metrics.ErrWrite) {
		t.Fatalf("Emit = %v, want ErrWrite", err)
	}
}

// stubSource answers from a table and takes a fixed time.
type stubSource map[string]error

func (s stubSource) Authenticate(_ context.Context, name, _ string) (*source.User, error) {
	if err, ok := s[name]; ok {
		if err != nil {
			return nil, err
		}
		return &source.User{ID: "1", Username: name}, nil
	}
	return nil, source.ErrUserNotFound
}

func (s stubSource) Lookup(ctx context.Context, name string) (*source.User, error) {
	return s.Authenticate(ctx, name, "")
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	first := metrics.Instrument("first", stubSource{"alice": source.ErrInvalidPassword, "dan": source.ErrUserDisabled})
	second := metrics.Instrument("second", stubSource{"bob": nil, "eve": errors.New("connection refused")})
	tests := []struct {
		name    string
		calls   func(ctx context.Context)
		wantSrc string
	}{
		{"no source asked", func(context.Context) {}, ""},
		{"unknown in both", func(ctx context.Context) {
			_, _ = first.Authenticate(ctx, "mallory", "pw")
			_, _ = second.Authenticate(ctx, "mallory", "pw")
		}, "second"},
		{"wrong password in the first, then the equalising call", func(ctx context.Context) {
			_, _ = first.Authenticate(ctx, "alice", "pw")
			_, _ = second.Authenticate(ctx, "ferry-absent-x", "pw")
		}, "first"},
		{"disabled", func(ctx context.Context) { _, _ = first.Lookup(ctx, "dan") }, "first"},
		{"found in the second", func(ctx context.Context) {
			_, _ = first.Authenticate(ctx, "bob", "pw")
			_, _ = second.Authenticate(ctx, "bob", "pw")
		}, "second"},
		{"fault in the second", func(ctx context.Context) {
			_, _ = first.Authenticate(ctx, "eve", "pw")
			_, _ = second.Authenticate(ctx, "eve", "pw")
		}, "second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := metrics.NewContext(t.Context())
			tt.calls(ctx)
			name, _, ok := rec.Source()
			if name != tt.wantSrc || ok != (tt.wantSrc != "") {
				t.Errorf("Source = %q, %v; want %q", name, ok, tt.wantSrc)
			}
		})
	}
	// Without a Recorder in the context, instrumented sources still work.
	if _, err := first.Authenticate(t.Context(), "alice", "pw"); !errors.Is(err, source.ErrInvalidPassword) {
		t.Errorf("Authenticate without a recorder = %v", err)
	}
	if _, _, ok := metrics.FromContext(t.Context()).Source(); ok {
		t.Error("a nil Recorder should report no source")
	}
}

// The emftest checker itself rejects what CloudWatch would reject.
func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, line string }{
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[{"Namespace":"F","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`},
		{"dimension missing", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"F","Dimensions":[["D"]],"Metrics":[{"Name":"M"}]}]},"M":1}`},
		{"metric not numeric", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"F","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":"1"}`},
		{"bad unit", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"F","Dimensions":[],"Metrics":[{"Name":"M","Unit":"ms"}]}]},"M":1}`},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := emftest.Parse([]byte(tt.line)); err == nil {
				t.Errorf("Parse accepted %s", tt.line)
			}
		})
	}
}

// A timed source offers exactly the optional capabilities of the source it
// times.
func TestInstrumentKeepsCapabilities(t *testing.T) {
	t.Parallel()
	sourcetest.Decorator(t, func(s source.Source) source.Source { return metrics.Instrument("legacy", s) })
}
