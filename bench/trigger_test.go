package bench

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	_ "github.com/jackc/pgx/v5/stdlib" // the benchmark creates its own PostgreSQL schema
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// djangoPBKDF2 encodes password as Django's PBKDF2 hasher stores it, with
// 10,000 iterations (the cost the raw benchmark uses).
func djangoPBKDF2(b testing.TB, password string) string {
	salt := rand.Text()[:22]
	dk, err := pbkdf2.Key(sha256.New, password, []byte(salt), 10_000, 32)
	if err != nil {
		b.Fatal(err)
	}
	return "pbkdf2_sha256$10000$" + salt + "$" + base64.StdEncoding.EncodeToString(dk)
}

// benchDB is a Django database on driver with two users, "pbkdf2" and
// "bcrypt", whose hashes are returned by hash.
type benchDB struct {
	dsn    string
	hashes map[string]string
}

func newBenchDB(b *testing.B, driver string) benchDB {
	b.Helper()
	var dsn, openDSN string
	switch driver {
	case sqlsource.DriverSQLite:
		dsn = "file:" + filepath.Join(b.TempDir(), "legacy.db")
		openDSN = dsn
	case sqlsource.DriverPostgres:
		base := os.Getenv("FERRY_TEST_POSTGRES_DSN")
		if base == "" {
			b.Skip("FERRY_TEST_POSTGRES_DSN not set: PostgreSQL figures need the server scripts/services.sh starts")
		}
		ns := "ferry_bench_" + strings.ToLower(rand.Text()[:10])
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE SCHEMA " + ns); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				_, _ = a.Exec("DROP SCHEMA " + ns + " CASCADE")
				a.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", ns)
		u.RawQuery = q.Encode()
		dsn, openDSN = u.String(), u.String()
	}
	sqlDriver := map[string]string{sqlsource.DriverSQLite: "sqlite", sqlsource.DriverPostgres: "pgx"}[driver]
	db, err := sql.Open(sqlDriver, openDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ddl, err := sqlsource.Schema("django", driver)
	if err != nil {
		b.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	bc, err := bcrypt.GenerateFromPassword([]byte(benchPassword), 10)
	if err != nil {
		b.Fatal(err)
	}
	hashes := map[string]string{"pbkdf2": djangoPBKDF2(b, benchPassword), "bcrypt": string(bc)}
	insert := `INSERT INTO auth_user (username, email, first_name, last_name, is_active, password, is_superuser, is_staff, date_joined)
		VALUES ($1, $2, 'Bench', 'User', TRUE, $3, FALSE, FALSE, CURRENT_TIMESTAMP)`
	for name, h := range hashes {
		if _, err := db.Exec(insert, name, name+"@example.com", h); err != nil {
			b.Fatal(err)
		}
	}
	return benchDB{dsn: dsn, hashes: hashes}
}

func benchHandler(b *testing.B, dsn, driver string) *trigger.Handler {
	b.Helper()
	return benchApp(b, fmt.Appendf(nil, `
sources:
  - name: django
    type: sql
    config: {preset: django, driver: %s, dsn: %q}
migration: {assume_email_verified: true}
`, driver, dsn)).Handler
}

// benchApp builds the trigger from a configuration, closed when b ends.
func benchApp(b *testing.B, yaml []byte) *setup.App {
	b.Helper()
	cfg, err := setup.Load(yaml)
	if err != nil {
		b.Fatal(err)
	}
	app, err := setup.Build(b.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.Close() })
	return app
}

// BenchmarkTrigger measures one Authentication invocation of the trigger
// handler — JSON in, source query, hash verification, mapping, JSON out —
// against a raw verification of the same stored hash. Each iteration times
// both, back to back, so the ratio holds on a busy machine; the metrics are
// handler-ms, raw-ms, x-raw (total handler / total raw) and x-raw-median
// (the median of the per-iteration ratios).
func BenchmarkTrigger(b *testing.B) {
	for _, driver := range []string{sqlsource.DriverSQLite, sqlsource.DriverPostgres} {
		b.Run(driver, func(b *testing.B) {
			db := newBenchDB(b, driver)
			h := benchHandler(b, db.dsn, driver)
			v, err := passhash.New(passhash.Options{})
			if err != nil {
				b.Fatal(err)
			}
			for _, user := range []string{"pbkdf2", "bcrypt"} {
				b.Run(user, func(b *testing.B) {
					payload, err := json.Marshal(trigger.Event{
						Version: "1", TriggerSource: trigger.SourceAuthentication, Region: "eu-west-1",
						UserPoolID: "eu-west-1_Bench", UserName: user,
						CallerContext: trigger.CallerContext{ClientID: "bench"},
						Request:       trigger.Request{Password: benchPassword},
					})
					if err != nil {
						b.Fatal(err)
					}
					stored := passhash.Hash{Encoded: db.hashes[user]}
					ctx := lambdacontext.NewContext(b.Context(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
					if _, err := h.Invoke(ctx, payload); err != nil {
						b.Fatalf("warm-up invocation: %v", err)
					}
					raw := func() time.Duration {
						t0 := time.Now()
						if res, err := v.Verify(ctx, benchPassword, stored); err != nil || !res.Match {
							b.Fatalf("raw verify: %+v %v", res, err)
						}
						return time.Since(t0)
					}
					handler := func() time.Duration {
						t0 := time.Now()
						if _, err := h.Invoke(ctx, payload); err != nil {
							b.Fatal(err)
						}
						return time.Since(t0)
					}
					var handlerTime, rawTime time.Duration
					var ratios []float64
					for i := 0; b.Loop(); i++ {
						// Alternate which goes first, so neither always
						// runs on caches and clocks the other warmed.
						var r, hd time.Duration
						if i%2 == 0 {
							r, hd = raw(), handler()
						} else {
							hd, r = handler(), raw()
						}
						rawTime += r
						handlerTime += hd
						ratios = append(ratios, float64(hd)/float64(r))
					}
					n := float64(b.N)
					b.ReportMetric(float64(handlerTime.Microseconds())/1000/n, "handler-ms")
					b.ReportMetric(float64(rawTime.Microseconds())/1000/n, "raw-ms")
					b.ReportMetric(float64(handlerTime)/float64(rawTime), "x-raw")
					// The median of the per-pair ratios shrugs off the
					// pairs a busy machine preempted.
					slices.Sort(ratios)
					b.ReportMetric(ratios[len(ratios)/2], "x-raw-median")
				})
			}
		})
	}
}

// BenchmarkTriggerLookup measures the handler's fixed cost without any
// hash: a forgot-password invocation (JSON in, one query, mapping, JSON
// out) on SQLite.
func BenchmarkTriggerLookup(b *testing.B) {
	db := newBenchDB(b, sqlsource.DriverSQLite)
	h := benchHandler(b, db.dsn, sqlsource.DriverSQLite)
	payload, err := json.Marshal(trigger.Event{Version: "1", TriggerSource: trigger.SourceForgotPassword, UserName: "pbkdf2"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := lambdacontext.NewContext(b.Context(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// median returns the median of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
