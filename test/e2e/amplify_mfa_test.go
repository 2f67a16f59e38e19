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
