package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestCognitoLocalReachesFerryTrigger points another Cognito emulator,
// cognito-local (pinned in test/clients/node), at Ferry's own trigger
// handler served by lambdainvoketest.Server: its Lambda client (aws-sdk v2 for
// JavaScript) must migrate users through it like through any Lambda,
// including concurrent first sign-ins, which aws-lambda-rie cannot serve.
func TestCognitoLocalReachesFerryTrigger(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	node, dir := requireNode(t)
	start := filepath.Join(dir, "node_modules", "cognito-local", "lib", "bin", "start.js")
	if _, err := os.Stat(start); err != nil {
		t.Fatalf("cognito-local is not installed in test/clients/node: %v", err)
	}

	const n = 4
	var legacy []legacyUser
	for i := range n {
		legacy = append(legacy, legacyUser{fmt.Sprintf("cl%d", i), fmt.Sprintf("cl%d@example.com", i), legacyPassword})
	}
	app := ferryTrigger(t, legacy)
	srv := lambdainvoketest.NewServer(slog.New(slog.DiscardHandler))
	srv.Handle("ferry-migrate", app.Handler)
	lambdaHTTP := httptest.NewServer(srv)
	t.Cleanup(lambdaHTTP.Close)

	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, ".cognito"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"LambdaClient":{"endpoint":%q},"TriggerFunctions":{"UserMigration":"ferry-migrate"}}`, lambdaHTTP.URL)
	if err := os.WriteFile(filepath.Join(work, ".cognito", "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(node, start)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOST=127.0.0.1", "PORT="+port)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cognito-local: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	testenv.WaitHealthy(t, url+"/health", 60*time.Second)

	api := cognitotest.NewClient(url)
	ctx := t.Context()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("cl")})
	if err != nil {
		t.Fatalf("CreateUserPool on cognito-local: %v", err)
	}
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id,
		ClientName: aws.String("cl"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient on cognito-local: %v", err)
	}
	signIn := func(ctx context.Context, user, password string) error {
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client.UserPoolClient.ClientId,
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
		if err == nil && (out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "") {
			err = fmt.Errorf("no tokens")
		}
		return err
	}

	errs := make(chan error, n)
	for i := range n {
		go func() {
			if err := signIn(ctx, fmt.Sprintf("cl%d@example.com", i), legacyPassword); err != nil {
				errs <- fmt.Errorf("first sign-in of cl%d through cognito-local: %w", i, err)
				return
			}
			errs <- nil
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := signIn(ctx, "cl0@example.com", "Wrong#Pass1"); err == nil {
		t.Error("a wrong password signed in through cognito-local")
	}
}
