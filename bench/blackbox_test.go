package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// The black-box benchmark's bounds and table.
const (
	// blackboxIterations bounds the iterations (-benchtime Nx, N at most
	// this; make bench's default, 200x, takes about 4 minutes): each one
	// migrates a fresh legacy user by forgot-password.
	blackboxIterations = 200
	// blackboxWarmup rounds of every case run untimed first: the sign-in
	// floor is measured at the first unknown user, and forgot-password's
	// floor follows its recent answers.
	blackboxWarmup = 8
	// blackboxCallTimeout bounds each call.
	blackboxCallTimeout = 10 * time.Second
	// djangoIterations is Django 5.1's PBKDF2-SHA256 iteration count.
	djangoIterations = 870_000
	// blackboxRows is the size of the legacy users table.
	blackboxRows = 1000
	// blackboxWrong is what every wrong guess types.
	blackboxWrong = "Wrong#Pass1"
)

// blackboxConfig is the trigger configuration over the schema: the
// defaults (failure_style: error, padding, deadline) but a throttle raised
// far above the benchmark's attempts, so every wrong password on one
// account is verified, not throttled.
const blackboxConfig = `
sources:
  - name: legacy
    type: sql
    config:
      driver: postgres
      dsn: %q
      fold: lower
      query:
        by_username: SELECT id, username, email, email_verified, password_hash FROM users WHERE lower(username) = $1
        sample: SELECT password_hash FROM users ORDER BY id LIMIT 1
      columns: {id: id, username: username, email: email, email_verified: email_verified, password_hash: password_hash}
guard:
  throttle:
    username: {max: 1000000, window: 15m}
    client: {max: 1000000, window: 1m}
`

// blackboxCase is one kind of call the benchmark times; ref names the case
// its ratio is against (itself for a reference case).
type blackboxCase struct {
	name, ref string
	// call makes the call for iteration i and returns its answer: every
	// case must get its reference's.
	call func(ctx context.Context, i int) (string, error)
}

// BenchmarkServeTiming times, through the real `ferry serve` binary over a
// legacy users table on PostgreSQL and with aws-sdk-go-v2 as the client,
// the answers that must not tell one case from another: USER_PASSWORD_AUTH
// for an unknown user, a wrong password on a bcrypt row (the table's
// dominant family, the reference), on a PBKDF2-SHA256 row at Django's
// iteration count, an 80 KB and a 300-character password on a bcrypt row;
// ForgotPassword for a legacy user with a verified email (the reference;
// it migrates a fresh one each time), a name nobody has, a legacy user with
// no verified email, and a user already migrated. All cases are
// interleaved in one run, each iteration calling every case once, so that
// the machine's load falls on each alike. The order within an iteration is
// drawn at random: in a fixed cycle (rotated or not) each case always
// follows the same one, and a forgot-password that follows a padded
// sign-in (the server idle for about 100 ms) answers 0.1–0.2 ms later
// than one that follows another forgot-password. Metrics per case: median and p90 in
// ms, and the median's gap to its reference in percent.
//
// Run it with a PostgreSQL ($FERRY_TEST_POSTGRES_DSN, scripts/services.sh)
// and -benchtime of at most blackboxIterations x.
func BenchmarkServeTiming(b *testing.B) {
	dsn := postgresDSN(b)
	bin := ferryBinary(b)
	schema := newPGSchema(b, dsn)
	seedMixedTable(b, schema)
	sf := cognitotest.Serve(b, bin, fmt.Sprintf(blackboxConfig, schema.dsn), "--log-level", "warn")

	// signIn answers the exception a failed sign-in got: with the default
	// failure_style (error) that is the trigger's failure,
	// UserLambdaValidationException, for every case alike.
	signIn := func(ctx context.Context, name, password string) (string, error) {
		_, err := sf.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(sf.ClientID),
			AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return "", fmt.Errorf("sign-in of %s with a %d-byte password = %v; want a failure", name, len(password), err)
		}
		return ae.ErrorCode(), nil
	}
	forgot := func(ctx context.Context, name string) (string, error) {
		out, err := sf.API.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(sf.ClientID), Username: aws.String(name)})
		if err != nil || out.CodeDeliveryDetails == nil {
			return "", fmt.Errorf("ForgotPassword(%s) = %v, %v; want a code delivery", name, out, err)
		}
		return "code delivery to " + string(out.CodeDeliveryDetails.DeliveryMedium), nil
	}
	long80K := strings.Repeat("p", 80<<10)
	long300 := strings.Repeat("p", 300)
	cases := []blackboxCase{
		{"signin-wrong-bcrypt", "signin-wrong-bcrypt", func(ctx context.Context, i int) (string, error) {
			return signIn(ctx, fmt.Sprintf("b%d", i%bcryptAccounts), blackboxWrong)
		}},
		{"signin-unknown", "signin-wrong-bcrypt", func(ctx context.Context, i int) (string, error) {
			return signIn(ctx, fmt.Sprintf("nobody%d", i), blackboxWrong)
		}},
		{"signin-wrong-pbkdf2", "signin-wrong-bcrypt", func(ctx context.Context, i int) (string, error) {
			return signIn(ctx, fmt.Sprintf("p%d", i%pbkdf2Accounts), blackboxWrong)
		}},
		{"signin-80KB-bcrypt", "signin-wrong-bcrypt", func(ctx context.Context, i int) (string, error) {
			return signIn(ctx, fmt.Sprintf("b%d", i%bcryptAccounts), long80K)
		}},
		{"signin-300chars-bcrypt", "signin-wrong-bcrypt", func(ctx context.Context, i int) (string, error) {
			return signIn(ctx, fmt.Sprintf("b%d", i%bcryptAccounts), long300)
		}},
		{"forgot-legacy", "forgot-legacy", func(ctx context.Context, i int) (string, error) {
			return forgot(ctx, fmt.Sprintf("fresh%d", i))
		}},
		{"forgot-unknown", "forgot-legacy", func(ctx context.Context, i int) (string, error) {
			return forgot(ctx, fmt.Sprintf("nobody%d", i))
		}},
		{"forgot-unverified", "forgot-legacy", func(ctx context.Context, i int) (string, error) {
			return forgot(ctx, fmt.Sprintf("u%d", i%otherAccounts))
		}},
		{"forgot-migrated", "forgot-legacy", func(ctx context.Context, i int) (string, error) {
			return forgot(ctx, fmt.Sprintf("m%d", i%otherAccounts))
		}},
	}
	// The migrated users: migrated by a forgot-password of their own.
	for i := range otherAccounts {
		if _, err := forgot(b.Context(), fmt.Sprintf("m%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	runBlackboxCases(b, cases)
}

// The accounts the cases cycle through (fresh users are one per
// iteration and warm-up round).
const (
	bcryptAccounts = 40
	pbkdf2Accounts = 8
	otherAccounts  = 10
)

// seedMixedTable creates the legacy users table and fills it the way a
// real table mixes families: row 1 (the sampled dummy) and most rows
// bcrypt cost 10, about one in eight PBKDF2-SHA256 at Django's iteration
// count, a few argon2id, SHA-512-crypt and bcrypt cost 12; the named
// accounts the cases use, and filler rows up to blackboxRows.
func seedMixedTable(b *testing.B, s *pgSchema) {
	b.Helper()
	ctx := b.Context()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE users (id integer PRIMARY KEY, username text NOT NULL UNIQUE,
		email text NOT NULL, email_verified boolean NOT NULL, password_hash text NOT NULL);
		CREATE INDEX users_lower_username ON users (lower(username))`); err != nil {
		b.Fatalf("create the users table: %v", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	id := 0
	add := func(name string, verified bool, hash string) {
		id++
		if _, err := tx.ExecContext(ctx, `INSERT INTO users VALUES ($1, $2, $3, $4, $5)`,
			id, name, name+"@example.com", verified, hash); err != nil {
			b.Fatalf("add %s: %v", name, err)
		}
	}
	add("admin", true, bcryptAt(b, "10"))
	for i := range bcryptAccounts {
		add(fmt.Sprintf("b%d", i), true, bcryptAt(b, "10"))
	}
	for i := range pbkdf2Accounts {
		add(fmt.Sprintf("p%d", i), true, unmatchedPBKDF2(djangoIterations))
	}
	for i := range otherAccounts {
		add(fmt.Sprintf("u%d", i), false, bcryptAt(b, "10"))
		add(fmt.Sprintf("m%d", i), true, bcryptAt(b, "10"))
	}
	for i := range blackboxIterations + blackboxWarmup {
		add(fmt.Sprintf("fresh%d", i), true, bcryptAt(b, "10"))
	}
	others := []string{
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43),
		"$6$uFyhVDKbSHU9f/ga$ze9Xuf89EAlavoWBgF8o8SZBM3M7bG6akgjZI6VCjxD1nwvUK5XHwaFEw81WwVJtMu/H7pbSGxULPv5WwXeLK/",
		bcryptAt(b, "12"),
	}
	for i := 0; id < blackboxRows; i++ {
		switch {
		case i%33 == 32:
			add(fmt.Sprintf("filler%d", i), i%5 != 0, others[i%len(others)])
		case i%8 == 7:
			add(fmt.Sprintf("filler%d", i), i%5 != 0, unmatchedPBKDF2(djangoIterations))
		default:
			add(fmt.Sprintf("filler%d", i), i%5 != 0, bcryptAt(b, "10"))
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// runBlackboxCases runs blackboxWarmup untimed rounds of every case, then
// one call of each case per iteration, in an order drawn afresh for each
// iteration, and reports each case's median and p90 in
// ms and the median's gap to its reference case in percent.
func runBlackboxCases(b *testing.B, cases []blackboxCase) {
	answers := map[string]string{} // each case's first answer
	call := func(c blackboxCase, i int) time.Duration {
		ctx, cancel := context.WithTimeout(b.Context(), blackboxCallTimeout)
		defer cancel()
		start := time.Now()
		got, err := c.call(ctx, i)
		d := time.Since(start)
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		if first, ok := answers[c.name]; !ok {
			answers[c.name] = got
		} else if got != first {
			b.Fatalf("%s answered %q, then %q", c.name, first, got)
		}
		if want, ok := answers[c.ref]; ok && got != want {
			b.Fatalf("%s answered %q, its reference %s %q: the answers tell them apart", c.name, got, c.ref, want)
		}
		return d
	}
	for w := range blackboxWarmup {
		for _, c := range cases {
			call(c, blackboxIterations+w)
		}
	}
	times := make(map[string][]time.Duration, len(cases))
	order := rand.New(rand.NewPCG(1, 2)) // the same orders in every run
	for i := 0; b.Loop(); i++ {
		if i >= blackboxIterations {
			b.Fatalf("more than %d iterations: run with -benchtime %dx or fewer", blackboxIterations, blackboxIterations)
		}
		for _, k := range order.Perm(len(cases)) {
			c := cases[k]
			times[c.name] = append(times[c.name], call(c, i))
		}
	}
	b.Logf("answers: %v", answers)
	for _, c := range cases {
		b.Logf("%s: p10 %s, p25 %s, p50 %s, p75 %s, p90 %s", c.name, quantile(times[c.name], 0.1),
			quantile(times[c.name], 0.25), quantile(times[c.name], 0.5), quantile(times[c.name], 0.75), quantile(times[c.name], 0.9))
		m := quantile(times[c.name], 0.5)
		b.ReportMetric(float64(m.Microseconds())/1000, c.name+"-ms")
		b.ReportMetric(float64(quantile(times[c.name], 0.9).Microseconds())/1000, c.name+"-p90-ms")
		if c.ref != c.name {
			ref := quantile(times[c.ref], 0.5)
			b.ReportMetric(100*(float64(m)/float64(ref)-1), c.name+"-vs-ref-%")
		}
	}
}

// quantile is the q-quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
