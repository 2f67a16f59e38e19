package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestFerryServe drives the real `ferry serve` binary with the JavaScript
// clients: one pool whose UserMigration trigger is Ferry's own, in-process
// (--config), and one whose trigger is the Node Lambda reached over the
// Invoke API (--lambda-endpoint), both in the same server.
func TestFerryServe(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	requireNode(t)
	bin := buildFerry(t)
	lambdaURL := startNodeLambda(t)
	cfg := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(cfg, []byte(ferryConfig(t, legacyUsersFor("serve"))), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "http://" + testenv.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--ephemeral", "--addr", url[len("http://"):], "--config", cfg,
		"--issuer", "aws", "--lambda-endpoint", lambdaURL, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ferry serve: %v", err)
	}
	stopOnCleanup(t, cmd)
	testenv.WaitHealthy(t, url+"/health", 60*time.Second)

	inProcess := servePool(t, url, "arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate")
	steps := []step{
		{Name: "migration on sign-in (acij, USER_PASSWORD_AUTH)", Client: "acij", Op: opPasswordAuth, Username: "mia-serve", Password: legacyPassword, Expect: "ok"},
		{Name: "migrated user signs in with SRP (acij)", Client: "acij", Op: opSRPAuth, Username: "mia-serve", Password: legacyPassword, Expect: "ok"},
		{Name: "refresh (acij)", Client: "acij", Op: opRefresh, Username: "mia-serve", Expect: "ok"},
		{Name: "RESET_REQUIRED (sdk)", Client: "sdk", Op: opPasswordAuth, Username: "rex-serve", Password: weakPassword, Expect: "PasswordResetRequiredException"},
		{Name: "migration on forgot-password (sdk)", Client: "sdk", Op: opForgotPassword, Username: "fay-serve", Expect: "ok"},
		{Name: "confirm forgot-password (sdk)", Client: "sdk", Op: opConfirmForgotPassword, Username: "fay-serve", Code: "outbox", NewPassword: newPassword, Expect: "ok"},
		{Name: "sign-in with the new password (sdk)", Client: "sdk", Op: opPasswordAuth, Username: "fay-serve", Password: newPassword, Expect: "ok"},
		{Name: "wrong legacy password (sdk)", Client: "sdk", Op: opPasswordAuth, Username: "wes-serve", Password: "Wrong#Pass1", Expect: "UserNotFoundException"},
	}
	checkDriver(t, runDriver(t, inProcess, steps), steps)

	node := servePool(t, url, "arn:aws:lambda:us-east-1:000000000000:function:legacy-migrate")
	steps = []step{
		{Name: "Node Lambda migrates (acij)", Client: "acij", Op: opPasswordAuth, Username: "nora", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "migrated user signs in with SRP (acij)", Client: "acij", Op: opSRPAuth, Username: "nora", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "Node Lambda answers RESET_REQUIRED (sdk)", Client: "sdk", Op: opPasswordAuth, Username: "nico", Password: "Nico#Legacy1", Expect: "PasswordResetRequiredException"},
		{Name: "Node Lambda throws (sdk)", Client: "sdk", Op: opPasswordAuth, Username: "zed", Password: "Wrong#Pass1", Expect: "UserLambdaValidationException"},
		{Name: "Node Lambda throws (acij)", Client: "acij", Op: opPasswordAuth, Username: "zed", Password: "Wrong#Pass1", Expect: "UserLambdaValidationException"},
	}
	checkDriver(t, runDriver(t, node, steps), steps)
}

// stopOnCleanup interrupts the started cmd when t ends, and kills it by
// its PID if it has not exited 10 s later.
func stopOnCleanup(t *testing.T, cmd *exec.Cmd) {
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
}

// servePool creates a pool wired to the trigger arn, and a client, on a
// running ferry serve.
func servePool(t *testing.T, url, arn string) *pool {
	t.Helper()
	api := cognitotest.NewClient(url)
	ctx := t.Context()
	out, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("serve"),
		LambdaConfig:           &types.LambdaConfigType{UserMigration: aws.String(arn)},
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	c, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: out.UserPool.Id, ClientName: aws.String("serve"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	id := aws.ToString(c.UserPoolClient.ClientId)
	return &pool{Server: &cognitotest.Server{URL: url, PoolID: aws.ToString(out.UserPool.Id), ClientID: id, API: api},
		legacyClient: id}
}

// checkDriver reports each step driver.mjs ran.
func checkDriver(t *testing.T, lines map[string]driverLine, steps []step) {
	t.Helper()
	for _, s := range steps {
		l, ok := lines[s.Name]
		switch {
		case !ok:
			t.Errorf("%s: driver.mjs printed no line", s.Name)
		case !l.OK:
			t.Errorf("%s: got %s %q, want %s %s", s.Name, l.Detail.Got, l.Detail.Message, s.Expect, l.Detail.Error)
		}
	}
}

// buildFerry builds cmd/ferry into a temporary directory.
func buildFerry(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "ferry")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/ferry")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ferry: %v\n%s", err, out)
	}
	return bin
}
