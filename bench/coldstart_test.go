package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/trigger/lambdatest"
)

// BenchmarkColdStart measures what Lambda's cold start adds on Ferry's side:
// from exec of the real bootstrap (built as `make lambda` builds it) under
// the Runtime API harness to the first answered event. The event is a
// forgot-password lookup, so no hash cost is included; the source is a
// file source (read and indexed at start-up). The metric ms-median is the median over
// the iterations.
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	bin := lambdatest.Build(b, "./cmd/ferry-lambda", dir)
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte(`users:
  - {id: "1", username: alice, email: alice@example.com, email_verified: true, password_hash: "$2y$10$99Tti/dxcmhnuhcCRu6kEu6ugi2P6QCDVbG6iHJ5oYYveQEvcTT22"}
`), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := fmt.Sprintf(`{sources: [{name: legacy, type: file, config: {path: %q}}]}`, users)
	payload, err := json.Marshal(trigger.Event{
		Version: "1", TriggerSource: trigger.SourceForgotPassword, Region: "eu-west-1",
		UserPoolID: "eu-west-1_Bench", UserName: "alice",
	})
	if err != nil {
		b.Fatal(err)
	}
	var times []time.Duration
	for b.Loop() {
		// A fresh Runtime API per process, as Lambda gives each execution
		// environment its own; only exec → answer is timed.
		rt := lambdatest.NewRuntime(b)
		env := rt.Env("FERRY_CONFIG=" + cfg)
		start := time.Now()
		p := lambdatest.Start(b, bin, env)
		res, err := rt.Invoke(b.Context(), payload, 0)
		elapsed := time.Since(start)
		p.Stop()
		if err != nil || res.Error {
			b.Fatalf("first event: %v %s\n%s", err, res.Body, p.Stderr)
		}
		times = append(times, elapsed)
	}
	b.ReportMetric(float64(median(times).Microseconds())/1000, "ms-median")
}
