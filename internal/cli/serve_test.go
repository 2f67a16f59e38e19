package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
	"github.com/ferry-migrate/ferry/internal/passhash/passhashtest"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

var endpointRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startServe runs ferry serve until the test ends and returns its endpoint.
func startServe(t *testing.T, o serveOptions) (endpoint string, stdout, stderr *testenv.Buffer) {
	t.Helper()
	o.addr = "127.0.0.1:0"
	if o.region == "" {
		o.region = "eu-west-1"
	}
	if o.issuer == "" {
		o.issuer = "local"
	}
	if o.logLevel == "" {
		o.logLevel = "info"
	}
	stdout, stderr = &testenv.Buffer{}, &testenv.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, o, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := endpointRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s\n%s", stdout.String(), stderr.String())
	return "", nil, nil
}

func apiClient(endpoint string) *cip.Client {
	return cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(endpoint), Retryer: cognitotest.ConnectionRetryer(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
}

// legacyFunction is a migration trigger served over the Lambda Invoke API.
func legacyFunction(_ context.Context, ev trigger.Event) (trigger.Event, error) {
	if ev.UserName != "ann" {
		return ev, errors.New("unknown user")
	}
	if ev.TriggerSource == trigger.SourceAuthentication && ev.Request.Password != "Legacy-pass1" {
		return ev, errors.New("bad password")
	}
	ev.Response = trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"},
		FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}
	return ev, nil
}

func TestServeWithInvokeAPITrigger(t *testing.T) {
	t.Parallel()
	fns := lambdainvoketest.NewServer(slog.New(slog.DiscardHandler))
	fns.Handle("legacy", legacyFunction)
	lambdaSrv := httptest.NewServer(fns)
	t.Cleanup(lambdaSrv.Close)

	endpoint, stdout, stderr := startServe(t, serveOptions{ephemeral: true, lambdaEndpoint: lambdaSrv.URL})
	if !strings.Contains(stdout.String(), "create-user-pool --endpoint-url "+endpoint) {
		t.Errorf("banner lacks the create-user-pool command:\n%s", stdout.String())
	}
	ctx := t.Context()
	api := apiClient(endpoint)
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
		LambdaConfig: &ciptypes.LambdaConfigType{UserMigration: aws.String(fns.ARN("legacy"))}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if !strings.HasPrefix(poolID, "eu-west-1_") {
		t.Errorf("pool id %s does not carry the signed region", poolID)
	}
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID),
		ClientName: aws.String("c"), ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := client.UserPoolClient.ClientId
	if _, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Legacy-pass1"}}); err != nil {
		t.Fatalf("first sign-in (migration over the Invoke API): %v", err)
	}
	_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "x"}})
	var lve *ciptypes.UserLambdaValidationException
	if !errors.As(err, &lve) || aws.ToString(lve.Message) != "UserMigration failed with error unknown user." {
		t.Fatalf("unknown legacy user: %v", err)
	}

	// A reset code goes to the outbox, the log, and ferry outbox.
	if _, err := api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: clientID, Username: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runOutbox(ctx, outboxOptions{endpoint: endpoint, limit: 10}, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`reset\s+email ann@example.com\s+(\d{6})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("outbox lacks the reset code:\n%s", out.String())
	}
	if !strings.Contains(stderr.String(), "code="+m[1]) {
		t.Errorf("the code is not logged:\n%s", stderr.String())
	}
	if _, err := api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: clientID, Username: aws.String("ann"),
		ConfirmationCode: aws.String(m[1]), Password: aws.String("N3w-Password!")}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "Legacy-pass1") || strings.Contains(stderr.String(), "N3w-Password!") {
		t.Errorf("a password reached the log:\n%s", stderr.String())
	}
}

func TestServePersistsAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var poolID string
	{
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := &testenv.Buffer{}, &testenv.Buffer{}
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, serveOptions{addr: "127.0.0.1:0", dataDir: dir, region: "eu-west-1", issuer: "aws", logLevel: "warn"}, stdout, stderr)
		}()
		var endpoint string
		for i := 0; i < 2000 && endpoint == ""; i++ {
			if m := endpointRE.FindStringSubmatch(stdout.String()); m != nil {
				endpoint = m[1]
			} else {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if endpoint == "" {
			cancel()
			t.Fatalf("serve did not start: %v\n%s", <-done, stderr.String())
		}
		pool, err := apiClient(endpoint).CreateUserPool(t.Context(), &cip.CreateUserPoolInput{PoolName: aws.String("kept")})
		cancel()
		if serr := <-done; serr != nil {
			t.Fatal(serr)
		}
		if err != nil {
			t.Fatal(err)
		}
		poolID = aws.ToString(pool.UserPool.Id)
	}
	endpoint, _, _ := startServe(t, serveOptions{dataDir: dir})
	got, err := apiClient(endpoint).DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil || aws.ToString(got.UserPool.Name) != "kept" {
		t.Fatalf("after restart: %v, %v", got, err)
	}
}

func TestServeFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    serveOptions
		want string
	}{
		{name: "bad issuer", o: serveOptions{issuer: "nope", logLevel: "info", ephemeral: true}, want: "--issuer"},
		{name: "bad log level", o: serveOptions{issuer: "local", logLevel: "loud", ephemeral: true}, want: "--log-level"},
		{name: "missing config", o: serveOptions{issuer: "local", logLevel: "info", ephemeral: true, configPath: "/nonexistent/ferry.yaml"}, want: "ferry.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.o.addr = "127.0.0.1:0"
			err := runServe(t.Context(), tt.o, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestServeWithConfigWiresTheInProcessTrigger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := wordpressLegacyDB(t, dir)
	confPath := filepath.Join(dir, "ferry.yaml")
	// The legacy id goes to custom:legacy_id, which the default pool
	// must declare for the migration to succeed.
	conf := fmt.Sprintf("sources:\n  - name: blog\n    type: sql\n    config:\n      preset: wordpress\n      driver: sqlite\n      dsn: %q\n"+
		"      attributes: {id: \"custom:legacy_id\"}\n", "file:"+dbPath)
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	endpoint, stdout, stderrBuf := startServe(t, serveOptions{ephemeral: true, configPath: confPath, issuer: "aws", logLevel: "info"})
	banner := stdout.String()
	m := regexp.MustCompile(`pool:\s+(\S+)`).FindStringSubmatch(banner)
	c := regexp.MustCompile(`client:\s+(\S+)`).FindStringSubmatch(banner)
	if m == nil || c == nil || !strings.Contains(banner, "--auth-flow USER_PASSWORD_AUTH --client-id "+c[1]) {
		t.Fatalf("banner:\n%s", banner)
	}
	api := apiClient(endpoint)
	out, err := api.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(c[1]), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Legacy-pass1"}})
	if err != nil {
		t.Fatalf("first sign-in through Ferry's trigger: %v\n%s", err, stderrBuf.String())
	}
	if aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatal("no id token")
	}
	// The default pool is case-insensitive: another casing finds the
	// migrated user instead of migrating a second one.
	u, err := api.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(m[1]), Username: aws.String("ANN")})
	if err != nil {
		t.Fatalf("the migrated user: %v", err)
	}
	if u.UserStatus != ciptypes.UserStatusTypeConfirmed && u.UserStatus != ciptypes.UserStatusTypeResetRequired {
		t.Errorf("status %s", u.UserStatus)
	}
	legacyID := ""
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "custom:legacy_id" {
			legacyID = aws.ToString(a.Value)
		}
	}
	if legacyID == "" {
		t.Errorf("the migrated user lacks custom:legacy_id: %+v", u.UserAttributes)
	}
}

// wordpressLegacyDB creates a legacy WordPress database (SQLite, the
// preset's own DDL) in dir holding one user, ann, whose phpass password is
// Legacy-pass1, and returns its path.
func wordpressLegacyDB(t *testing.T, dir string) string {
	t.Helper()
	dbPath := filepath.Join(dir, "legacy.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := sqlsource.Schema("wordpress", sqlsource.DriverSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := passhashtest.Phpass("Legacy-pass1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO "wp_users" ("user_login", "user_pass", "user_nicename",
		"user_email", "user_url", "user_registered", "user_activation_key", "user_status", "display_name")
		VALUES ('ann', ?, 'ann', 'ann@example.com', '', '2020-01-01 00:00:00', '', 0, 'Ann')`, hash); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dbPath
}
