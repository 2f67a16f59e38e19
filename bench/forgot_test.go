package bench

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// forgotLegacyUsers bounds the iterations of BenchmarkForgotPassword: each
// one migrates a legacy user of its own (run it with -benchtime of at most
// this many x).
const forgotLegacyUsers = 400

// forgotMigrated is how many users are migrated before the benchmark; the
// migrated case cycles through them. As many legacy users have no verified
// email (unverifiedN), for the case refused for that reason.
const forgotMigrated = 10

// forgotCase is one kind of forgot-password a benchmark times: its name in
// the metrics and one call of it for iteration i.
type forgotCase struct {
	name string
	call func(i int) time.Duration
}

// runForgotCases makes one call of each case per iteration, in an order
// that rotates so that each case comes first as often as any other (each
// still follows the same neighbour: BenchmarkServeTiming draws its order
// afresh instead), and reports each
// case's median in ms and its gap to the reference case (the first, the
// legacy user: the dearest answer to hide) in percent, all from one run.
// limit, when positive, bounds the iterations.
func runForgotCases(b *testing.B, limit int, cases []forgotCase) {
	times := make([][]time.Duration, len(cases))
	for i := 0; b.Loop(); i++ {
		if limit > 0 && i >= limit {
			b.Fatalf("more than %d iterations: run with -benchtime %dx or fewer", limit, limit)
		}
		for j := range cases {
			k := (i + j) % len(cases)
			times[k] = append(times[k], cases[k].call(i))
		}
	}
	ref := median(times[0])
	for k, c := range cases {
		m := median(times[k])
		b.ReportMetric(float64(m.Microseconds())/1000, c.name+"-ms")
		if k > 0 {
			b.ReportMetric(100*(float64(m)/float64(ref)-1), c.name+"-vs-"+cases[0].name+"-%")
		}
	}
}

// BenchmarkForgotPassword times ForgotPassword through the local pool, over
// its HTTP API with aws-sdk-go-v2, with the default trigger configuration
// (failure_style: error) and an app client with PreventUserExistenceErrors
// ENABLED, for: a legacy user not yet migrated (whom it migrates), a name
// nobody has, a legacy user refused for having no verified email (the
// trigger says no; the pool simulates the delivery) and a user already in
// the pool. Every call must answer a code delivery. Metrics: each case's
// median in ms and its gap to the legacy user's in percent.
func BenchmarkForgotPassword(b *testing.B) {
	app := forgotApp(b)
	s := cognitotest.NewServer(b, cognitotest.WithMigration(lambdainvoke.InProcess(app.Handler)),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
		}),
		cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
			in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
		}))
	forgot := func(name string) time.Duration {
		start := time.Now()
		out, err := s.API.ForgotPassword(b.Context(), &cip.ForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String(name)})
		d := time.Since(start)
		if err != nil || out.CodeDeliveryDetails == nil {
			b.Fatalf("ForgotPassword(%s) = %v, %v; want a code delivery", name, out, err)
		}
		return d
	}
	for i := range forgotMigrated {
		forgot(fmt.Sprintf("migrated%d", i))
	}
	runForgotCases(b, forgotLegacyUsers, []forgotCase{
		{"legacy", func(i int) time.Duration { return forgot(fmt.Sprintf("legacy%d", i)) }},
		{"unknown", func(i int) time.Duration { return forgot(fmt.Sprintf("nobody%d", i)) }},
		{"unverified", func(i int) time.Duration { return forgot(fmt.Sprintf("unverified%d", i%forgotMigrated)) }},
		{"migrated", func(i int) time.Duration { return forgot(fmt.Sprintf("migrated%d", i%forgotMigrated)) }},
	})
}

// forgotApp is the trigger, in its default configuration, over a fresh
// forgotLegacyDB.
func forgotApp(b *testing.B) *setup.App {
	b.Helper()
	return benchApp(b, fmt.Appendf(nil, `
sources:
  - name: legacy
    type: sql
    config:
      driver: sqlite
      dsn: %q
      fold: lower
      query:
        by_username: SELECT id, username, email, email_verified, password_hash FROM users WHERE lower(username) = $1
        sample: SELECT password_hash FROM users LIMIT 1
      columns: {id: id, username: username, email: email, email_verified: email_verified, password_hash: password_hash}
`, forgotLegacyDB(b)))
}

// forgotLegacyDB writes a SQLite legacy database of forgotLegacyUsers
// users legacyN and forgotMigrated users migratedN, each with a verified
// email (a forgot-password needs one), and forgotMigrated users
// unverifiedN whose email is not verified. Their hashes are bcrypt at the
// minimum cost: a forgot-password verifies no password.
func forgotLegacyDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "legacy.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
		email TEXT NOT NULL, email_verified INTEGER NOT NULL, password_hash TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("Legacy#Pass1"), bcrypt.MinCost)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	id := 0
	add := func(name string, verified bool) {
		id++
		if _, err := tx.Exec(`INSERT INTO users VALUES (?, ?, ?, ?, ?)`, id, name, name+"@example.com", verified, string(h)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range forgotLegacyUsers {
		add(fmt.Sprintf("legacy%d", i), true)
	}
	for i := range forgotMigrated {
		add(fmt.Sprintf("migrated%d", i), true)
		add(fmt.Sprintf("unverified%d", i), false)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return "file:" + path + "?mode=ro"
}

// BenchmarkForgotPasswordTrigger times the part of a forgot-password that
// is Ferry's in production: the trigger handler's invocation (the pool's
// own work — creating the user, sending the code — is Cognito's there), for
// a legacy user (whom it answers), a name nobody has, a legacy user with no
// verified email and an attempt refused by the app client's throttle (its
// client's budget is spent before the timing starts). The trigger answers
// the last three alike (an empty response); their times must not differ
// from the first's either. Each of the first three cases has an app client
// of its own, so that none of them reaches the client limit in a run.
// Metrics as BenchmarkForgotPassword's.
func BenchmarkForgotPasswordTrigger(b *testing.B) {
	app := forgotApp(b)
	event := func(name, client string) []byte {
		p, err := json.Marshal(trigger.Event{Version: "1", TriggerSource: trigger.SourceForgotPassword, Region: "eu-west-1",
			UserPoolID: "eu-west-1_Bench", UserName: name, CallerContext: trigger.CallerContext{ClientID: client}})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	ctx := lambdacontext.NewContext(b.Context(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
	invoke := func(p []byte) time.Duration {
		start := time.Now()
		if _, err := app.Handler.Invoke(ctx, p); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	spend := func() {
		for range guard.DefaultClientMax {
			invoke(event("nobody", "bench-throttled"))
		}
	}
	spend()
	// throttled times an attempt the throttle refused: when the client's
	// window has just rolled over, the budget is spent again and the
	// attempt repeated.
	throttled := func(i int) time.Duration {
		for {
			before := app.Migrator.Stats().Throttled
			d := invoke(event(fmt.Sprintf("nobody%d", i), "bench-throttled"))
			if app.Migrator.Stats().Throttled > before {
				return d
			}
			spend()
		}
	}
	before := app.Migrator.Stats()
	runForgotCases(b, 0, []forgotCase{
		{"legacy", func(i int) time.Duration {
			return invoke(event(fmt.Sprintf("legacy%d", i%forgotLegacyUsers), "bench-legacy"))
		}},
		{"unknown", func(i int) time.Duration { return invoke(event(fmt.Sprintf("nobody%d", i), "bench-unknown")) }},
		{"unverified", func(i int) time.Duration {
			return invoke(event(fmt.Sprintf("unverified%d", i%forgotMigrated), "bench-unverified"))
		}},
		{"throttled", throttled},
	})
	// Every unverified call was refused for that reason, not otherwise.
	if st := app.Migrator.Stats(); st.NoVerifiedChannel-before.NoVerifiedChannel < int64(b.N) || st.Faults != before.Faults {
		b.Fatalf("stats %+v, before %+v: want %d no-verified-channel answers and no fault", st, before, b.N)
	}
}
