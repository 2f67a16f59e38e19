package bench

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/trigger/lambdatest"
)

// BenchmarkColdStart measures what Lambda's cold start adds on Ferry's side:
// from exec of the real bootstrap (built as `make lambda` builds it) under
// the Runtime API harness to the first answered event. The event is a
// forgot-password lookup, so no hash cost is included; the configuration
// opens an SQLite Django database. The metric ms-median is the median over
// the iterations.
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	bin := lambdatest.Build(b, "./cmd/ferry-lambda", dir)
	dbPath := filepath.Join(dir, "legacy.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		b.Fatal(err)
	}
	ddl, err := sqlsource.Schema("django", sqlsource.DriverSQLite)
	if err != nil {
		b.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO auth_user (username, email, first_name, last_name, is_active, password, is_superuser, is_staff, date_joined)
		VALUES ('alice', 'alice@example.com', 'A', 'L', 1, 'pbkdf2_sha256$10000$x$y', 0, 0, CURRENT_TIMESTAMP)`); err != nil {
		b.Fatal(err)
	}
	db.Close()
	cfg := fmt.Sprintf(`{sources: [{name: django, type: sql, config: {preset: django, driver: sqlite, dsn: "file:%s"}}], migration: {assume_email_verified: true}}`, dbPath)
	payload, err := json.Marshal(trigger.Event{
		Version: "1", TriggerSource: trigger.SourceForgotPassword, Region: "eu-west-1",
		UserPoolID: "eu-west-1_Bench", UserName: "alice",
	})
	if err != nil {
		b.Fatal(err)
	}
	rt := lambdatest.NewRuntime(b)
	env := rt.Env("FERRY_CONFIG=" + cfg)
	var times []time.Duration
	for b.Loop() {
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
