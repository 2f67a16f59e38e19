package e2e

import (
	"slices"
	"testing"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestCLIUserAuth runs docs/operations.md's choice-based sign-in with the
// AWS CLI: the pool allows EMAIL_OTP (with SES email), the client
// ALLOW_USER_AUTH; initiate-auth USER_AUTH answers SELECT_CHALLENGE, the
// user chooses EMAIL_OTP and answers with the code from the outbox.
func TestCLIUserAuth(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	p := newPool(t, lambdainvoke.InProcess(ferryTrigger(t, legacyUsersFor("cli-userauth")).Handler))
	c := &cliClient{p: p, aws: testenv.Tool(t, "aws"), sessions: map[string]*tokenSet{}}
	ctx := t.Context()
	must := func(what string, o outcome) {
		t.Helper()
		if o.got != "ok" {
			t.Fatalf("%s: %s: %s", what, o.got, o.message)
		}
	}
	// Cognito's own email cannot send sign-in codes.
	if o := c.cli(ctx, nil, "update-user-pool", "--user-pool-id", p.PoolID,
		"--policies", `{"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD","EMAIL_OTP"]}}`); o.got != "InvalidParameterException" {
		t.Fatalf("update-user-pool without SES email: %s: %s", o.got, o.message)
	}
	must("update-user-pool", c.cli(ctx, nil, "update-user-pool", "--user-pool-id", p.PoolID,
		"--policies", `{"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD","EMAIL_OTP"]}}`,
		"--email-configuration", "EmailSendingAccount=DEVELOPER,SourceArn=arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"))
	must("update-user-pool-client", c.cli(ctx, nil, "update-user-pool-client", "--user-pool-id", p.PoolID,
		"--client-id", p.ClientID, "--explicit-auth-flows", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))
	p.CreateUser(t, "cli-otp-user", "Passw0rd!", "email", "cli-otp-user@example.com", "email_verified", "true")

	var choice struct {
		ChallengeName, Session string
		AvailableChallenges    []string
	}
	must("initiate-auth", c.cli(ctx, &choice, "initiate-auth", "--client-id", p.ClientID, "--auth-flow", "USER_AUTH",
		"--auth-parameters", "USERNAME=cli-otp-user"))
	if choice.ChallengeName != "SELECT_CHALLENGE" || !slices.Contains(choice.AvailableChallenges, "EMAIL_OTP") {
		t.Fatalf("initiate-auth: %+v", choice)
	}
	var otp struct {
		ChallengeName, Session string
		ChallengeParameters    map[string]string
	}
	must("respond SELECT_CHALLENGE", c.cli(ctx, &otp, "respond-to-auth-challenge", "--client-id", p.ClientID,
		"--challenge-name", "SELECT_CHALLENGE", "--session", choice.Session,
		"--challenge-responses", "USERNAME=cli-otp-user,ANSWER=EMAIL_OTP"))
	if otp.ChallengeName != "EMAIL_OTP" || otp.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("respond SELECT_CHALLENGE: %+v", otp)
	}
	code, err := outboxCode(ctx, p.URL, p.PoolID, "cli-otp-user")
	if err != nil {
		t.Fatal(err)
	}
	var auth cliAuth
	must("respond EMAIL_OTP", c.cli(ctx, &auth, "respond-to-auth-challenge", "--client-id", p.ClientID,
		"--challenge-name", "EMAIL_OTP", "--session", otp.Session,
		"--challenge-responses", "USERNAME=cli-otp-user,EMAIL_OTP_CODE="+code))
	if auth.AuthenticationResult == nil || auth.AuthenticationResult.AccessToken == "" {
		t.Fatalf("respond EMAIL_OTP: no tokens")
	}
}
