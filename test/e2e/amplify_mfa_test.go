package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// TestAmplifyTOTP is an app's authenticator-app setup with Amplify JS v6:
// a legacy user signs in (and migrates), setUpTOTP, verifyTOTPSetup with
// the code an authenticator shows (computed in node from the secret),
// updateMFAPreference, signOut; then each sign-in, with USER_PASSWORD_AUTH
// and with SRP, stops at CONFIRM_SIGN_IN_WITH_TOTP_CODE and confirmSignIn
// with a fresh code gives the app its tokens.
func TestAmplifyTOTP(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	clock := &testClock{}
	users := legacyUsersFor("amplify-totp")
	app := ferryTrigger(t, users)
	p := newPool(t, lambdainvoke.InProcess(app.Handler),
		cognitotest.WithConfig(func(c *userpool.Config) { c.Now = clock.now }))
	if _, err := p.API.SetUserPoolMfaConfig(t.Context(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(p.PoolID),
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	mia := users[0]
	a := startAmplify(t, p, p.legacyClient)

	type signInOut struct {
		IsSignedIn bool   `json:"isSignedIn"`
		NextStep   string `json:"nextStep"`
	}
	var in signInOut
	a.must(&in, map[string]any{"step": "signIn", "op": "signIn", "username": mia.username, "password": mia.password})
	if !in.IsSignedIn {
		t.Fatalf("first signIn: %+v", in)
	}
	var setup struct {
		SharedSecret string `json:"sharedSecret"`
		URI          string `json:"uri"`
	}
	a.must(&setup, map[string]any{"step": "setUpTOTP", "op": "setUpTOTP", "username": mia.username})
	if len(setup.SharedSecret) != 52 || !strings.HasPrefix(setup.URI, "otpauth://totp/") {
		t.Fatalf("setUpTOTP: %+v", setup)
	}
	a.must(nil, map[string]any{"step": "verifyTOTPSetup", "op": "verifyTOTPSetup", "device": "mia's phone"})
	a.must(nil, map[string]any{"step": "updateMFAPreference", "op": "updateMFAPreference", "totp": "PREFERRED"})
	u, err := p.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(mia.username)})
	if err != nil || aws.ToString(u.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("AdminGetUser after setup: %v %+v", err, u)
	}
	a.must(nil, map[string]any{"step": "signOut", "op": "signOut"})

	var offset time.Duration // the pool clock's lead on node's
	for _, tt := range []struct {
		op      string
		advance time.Duration // of the pool's clock, so each sign-in has a code not used yet
	}{
		{"signIn", 0},
		{"signInSRP", time.Minute},
	} {
		clock.advance(tt.advance)
		offset += tt.advance
		a.must(&in, map[string]any{"step": tt.op + " with MFA", "op": tt.op, "username": mia.username, "password": mia.password})
		if in.IsSignedIn || in.NextStep != "CONFIRM_SIGN_IN_WITH_TOTP_CODE" {
			t.Fatalf("%s with MFA: %+v, want CONFIRM_SIGN_IN_WITH_TOTP_CODE", tt.op, in)
		}
		// The next step's code: the one verifyTOTPSetup typed (or the
		// previous sign-in) is spent.
		at := (offset + 30*time.Second).Seconds()
		a.must(&in, map[string]any{"step": "confirmSignIn", "op": "confirmSignIn", "atSeconds": at})
		if !in.IsSignedIn {
			t.Fatalf("confirmSignIn after %s: %+v", tt.op, in)
		}
		var s amplifySession
		a.must(&s, map[string]any{"step": "session", "op": "session"})
		if s.Claims.Access["username"] != mia.username {
			t.Fatalf("session after %s: access token of %v", tt.op, s.Claims.Access["username"])
		}
		a.must(nil, map[string]any{"step": "signOut", "op": "signOut"})
	}
}

// TestAmplifyEmailMFA is email MFA with Amplify JS v6 on a pool that
// offers it (SES email, ESSENTIALS): a legacy user migrates with a
// password sign-in, turns email MFA on with updateMFAPreference; the next
// sign-in stops at CONFIRM_SIGN_IN_WITH_EMAIL_CODE and confirmSignIn with
// the code from the outbox gives the app its tokens.
func TestAmplifyEmailMFA(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	users := legacyUsersFor("amplify-emailmfa")
	app := ferryTrigger(t, users)
	p := newPool(t, lambdainvoke.InProcess(app.Handler), cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.EmailConfiguration = &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com")}
	}))
	if _, err := p.API.SetUserPoolMfaConfig(t.Context(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(p.PoolID),
		MfaConfiguration:      types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Subject: aws.String("Your sign-in code")}}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	mia := users[0]
	a := startAmplify(t, p, p.legacyClient)
	var in struct {
		IsSignedIn     bool   `json:"isSignedIn"`
		NextStep       string `json:"nextStep"`
		DeliveryMedium string `json:"deliveryMedium"`
	}
	a.must(&in, map[string]any{"step": "migrating signIn", "op": "signIn", "username": mia.username, "password": mia.password})
	if !in.IsSignedIn {
		t.Fatalf("migrating signIn: %+v", in)
	}
	a.must(nil, map[string]any{"step": "updateMFAPreference", "op": "updateMFAPreference", "email": "PREFERRED"})
	u, err := p.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(mia.username)})
	if err != nil || aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" {
		t.Fatalf("AdminGetUser after updateMFAPreference: %v %+v", err, u)
	}
	a.must(nil, map[string]any{"step": "signOut", "op": "signOut"})
	a.must(&in, map[string]any{"step": "signIn with email MFA", "op": "signIn", "username": mia.username, "password": mia.password})
	if in.IsSignedIn || in.NextStep != "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" || in.DeliveryMedium != "EMAIL" {
		t.Fatalf("signIn with email MFA: %+v, want CONFIRM_SIGN_IN_WITH_EMAIL_CODE by EMAIL", in)
	}
	code, err := outboxCode(t.Context(), p.URL, p.PoolID, mia.username)
	if err != nil || code == "" {
		t.Fatalf("outbox: %q, %v", code, err)
	}
	a.must(&in, map[string]any{"step": "confirmSignIn", "op": "confirmSignIn", "code": code})
	if !in.IsSignedIn || in.NextStep != "DONE" {
		t.Fatalf("confirmSignIn with the emailed code: %+v", in)
	}
	var session amplifySession
	a.must(&session, map[string]any{"step": "session", "op": "session"})
	if session.Claims.Access["username"] != mia.username {
		t.Fatalf("session after email MFA: %+v", session.Claims)
	}
}
