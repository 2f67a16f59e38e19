package e2e

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
)

// TestInvokeAPIFerryHandler runs the whole scenario list with a pool whose
// UserMigration trigger is Ferry's own handler reached over the Lambda
// Invoke API (lambdainvoketest.Server on 127.0.0.1), as a foreign function
// would be: the answers must be the same as in-process.
func TestInvokeAPIFerryHandler(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	app := ferryTrigger(t, legacyUsersFor("invoke"))
	srv := lambdainvoketest.NewServer(slog.New(slog.DiscardHandler))
	srv.Handle("ferry-migrate", app.Handler)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	inv, err := lambdainvoke.NewHTTP(hs.URL, cognitotest.MigrationARN)
	if err != nil {
		t.Fatal(err)
	}
	codes := cognitotest.NewSecretCode()
	p := newPool(t, inv, cognitotest.WithSecretCode(codes))
	steps := withCodes(forClient(scenarios("invoke"), true, true, p), codes)
	runGo(t, p, steps, newGoClient(p).run, func(string, step, outcome) {}, "aws-sdk-go-v2")
}

// TestInvokeAPINodeLambda runs migrations with a pool whose UserMigration
// trigger is a Lambda written in Node (test/clients/node/migration-lambda.js)
// reached over the Lambda Invoke API: the pool runs any function, and a
// function error reaches the client as Cognito reports it.
func TestInvokeAPINodeLambda(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	url := startNodeLambda(t)
	inv, err := lambdainvoke.NewHTTP(url, "arn:aws:lambda:us-east-1:000000000000:function:legacy-migrate")
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(t, inv)
	steps := []step{
		{Name: "migration on sign-in, CONFIRMED", Op: opPasswordAuth, Username: "nora", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "migrated user signs in again", Op: opPasswordAuth, Username: "nora", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "migrated user signs in with SRP", Op: opSRPAuth, Username: "nora", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "migrated user signs in by verified email alias", Op: opPasswordAuth, Username: "nora@legacy.example", Password: "Nora#Legacy1", Expect: "ok"},
		{Name: "migration on sign-in by email alias", Op: opPasswordAuth, Username: "nell@legacy.example", Password: "Nell#Legacy1", Expect: "ok"},
		{Name: "migration on sign-in, RESET_REQUIRED", Op: opPasswordAuth, Username: "nico", Password: "Nico#Legacy1", Expect: "PasswordResetRequiredException"},
		{Name: "reset the RESET_REQUIRED user", Op: opForgotPassword, Username: "nico", Expect: "ok"},
		{Name: "confirm the reset with the outbox code", Op: opConfirmForgotPassword, Username: "nico", NewPassword: newPassword, Expect: "ok"},
		{Name: "sign-in with the new password", Op: opPasswordAuth, Username: "nico", Password: newPassword, Expect: "ok"},
		{Name: "function error on a wrong password", Op: opPasswordAuth, Username: "zed", Password: "Wrong#Pass1", Expect: "UserLambdaValidationException", absent: "zed"},
		{Name: "function error, ENABLED client", Op: opPasswordAuth, Username: "zed", Password: "Wrong#Pass1", Expect: "UserLambdaValidationException", enabled: true, absent: "zed"},
	}
	c := newGoClient(p)
	runGo(t, p, forClient(steps, true, true, p), c.run, func(string, step, outcome) {}, "aws-sdk-go-v2")

	// The message is Cognito's: "UserMigration failed with error <the function's errorMessage>."
	o := c.run(t.Context(), step{Name: "message", Op: opPasswordAuth, Username: "zed", Password: "x", ClientID: p.legacyClient})
	if want := "UserMigration failed with error Bad credentials."; o.message != want {
		t.Errorf("function error message = %q, want %q", o.message, want)
	}

	resp, err := http.Get(url + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats struct{ Invocations map[string]int }
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		t.Fatal(err)
	}
	// nora, nell, nico and zed three times (the pool does not retry
	// function errors); nora's later sign-ins find the user in the pool.
	if got := stats.Invocations["UserMigration_Authentication"]; got != 6 {
		t.Errorf("the Node Lambda saw %d authentication migrations, want 6 (%v)", got, stats.Invocations)
	}
	if !strings.Contains(url, "127.0.0.1") {
		t.Errorf("the Node Lambda listens on %s, want loopback", url)
	}
}
