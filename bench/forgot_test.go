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
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// forgotLegacyUsers bounds the iterations of BenchmarkForgotPassword: each
// one migrates a legacy user of its own (run it with -benchtime of at most
// this many x).
const forgotLegacyUsers = 400

// forgotMigrated is how many users are migrated before the benchmark; the
// migrated case cycles through them.
const forgotMigrated = 10

// BenchmarkForgotPassword times ForgotPassword through the local pool, over
// its HTTP API with aws-sdk-go-v2, for a name nobody has, a legacy user not
// yet migrated (whom it migrates) and a user already in the pool, with the
// default trigger configuration (failure_style: error) and an app client
// with PreventUserExistenceErrors ENABLED. Each iteration makes one call of
// each kind, in a rotating order; the metrics are each kind's median in ms
// and the gaps of the unknown name to the other two, in percent.
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
	var unknown, legacy, migrated []time.Duration
	for i := 0; b.Loop(); i++ {
		if i >= forgotLegacyUsers {
			b.Fatalf("more than %d iterations: run with -benchtime %dx or fewer", forgotLegacyUsers, forgotLegacyUsers)
		}
		calls := []func(){
			func() { unknown = append(unknown, forgot(fmt.Sprintf("nobody%d", i))) },
			func() { legacy = append(legacy, forgot(fmt.Sprintf("legacy%d", i))) },
			func() { migrated = append(migrated, forgot(fmt.Sprintf("migrated%d", i%forgotMigrated))) },
		}
		for j := range calls {
			calls[(i+j)%len(calls)]()
		}
	}
	mu, ml, mm := median(unknown), median(legacy), median(migrated)
	b.ReportMetric(float64(mu.Microseconds())/1000, "unknown-ms")
	b.ReportMetric(float64(ml.Microseconds())/1000, "legacy-ms")
	b.ReportMetric(float64(mm.Microseconds())/1000, "migrated-ms")
	b.ReportMetric(100*(float64(mu)/float64(ml)-1), "unknown-vs-legacy-%")
	b.ReportMetric(100*(float64(mu)/float64(mm)-1), "unknown-vs-migrated-%")
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
// email (a forgot-password needs one). Their hashes are bcrypt at the
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
	add := func(id int, name string) {
		if _, err := tx.Exec(`INSERT INTO users VALUES (?, ?, ?, 1, ?)`, id, name, name+"@example.com", string(h)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range forgotLegacyUsers {
		add(i+1, fmt.Sprintf("legacy%d", i))
	}
	for i := range forgotMigrated {
		add(forgotLegacyUsers+i+1, fmt.Sprintf("migrated%d", i))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return "file:" + path + "?mode=ro"
}

// BenchmarkForgotPasswordTrigger times the part of a forgot-password that
// is Ferry's in production: the trigger handler's invocation for a name
// nobody has and for a legacy user (the pool's own work — creating the
// user, sending the code — is Cognito's there). Metrics as
// BenchmarkForgotPassword's.
func BenchmarkForgotPasswordTrigger(b *testing.B) {
	app := forgotApp(b)
	event := func(name string) []byte {
		p, err := json.Marshal(trigger.Event{Version: "1", TriggerSource: trigger.SourceForgotPassword, Region: "eu-west-1",
			UserPoolID: "eu-west-1_Bench", UserName: name, CallerContext: trigger.CallerContext{ClientID: "bench"}})
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
	var unknown, legacy []time.Duration
	for i := 0; b.Loop(); i++ {
		u, l := event(fmt.Sprintf("nobody%d", i)), event(fmt.Sprintf("legacy%d", i%forgotLegacyUsers))
		if i%2 == 0 {
			unknown, legacy = append(unknown, invoke(u)), append(legacy, invoke(l))
		} else {
			legacy, unknown = append(legacy, invoke(l)), append(unknown, invoke(u))
		}
	}
	mu, ml := median(unknown), median(legacy)
	b.ReportMetric(float64(mu.Microseconds())/1000, "unknown-ms")
	b.ReportMetric(float64(ml.Microseconds())/1000, "legacy-ms")
	b.ReportMetric(100*(float64(mu)/float64(ml)-1), "unknown-vs-legacy-%")
}
