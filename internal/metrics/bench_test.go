package metrics_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// BenchmarkEmit is the cost one invocation pays for its metric line.
func BenchmarkEmit(b *testing.B) {
	e := metrics.NewEmitter(io.Discard, metrics.Options{})
	inv := metrics.Invocation{Outcome: migration.OutcomeMigrated, TriggerSource: "UserMigration_Authentication", HashFamily: "bcrypt",
		Handler: 80 * time.Millisecond, Source: "legacy", SourceTime: 79 * time.Millisecond, RequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Emit(inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstrumentedCall is what timing adds to one source call.
func BenchmarkInstrumentedCall(b *testing.B) {
	s := metrics.Instrument("legacy", stubSource{"alice": nil})
	b.ReportAllocs()
	for b.Loop() {
		ctx, _ := metrics.NewContext(context.Background())
		if _, err := s.Authenticate(ctx, "alice", "pw"); err != nil {
			b.Fatal(err)
		}
	}
}

var _ source.Source = stubSource{}
