package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/setup"
)

// userAuthPool is newPool allowing PASSWORD and EMAIL_OTP first factors
// (with SES email, which EMAIL_OTP needs), its ready client USER_AUTH.
func userAuthPool(t *testing.T, app *setup.App) *pool {
	t.Helper()
	return newPool(t, lambdainvoke.InProcess(app.Handler),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
				AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}
			in.EmailConfiguration = &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
				SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com")}
		}),
		cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
		}))
}

// TestAmplifyUserAuth is choice-based sign-in with Amplify JS v6: a legacy
// user migrates with a password sign-in, then signs in with
// authFlowType USER_AUTH and preferredChallenge EMAIL_OTP — confirmSignIn
// with the code from the pool's outbox (a wrong one first) — and again
// choosing PASSWORD_SRP from the first-factor selection. A legacy user who
// has not migrated cannot sign in with USER_AUTH: the flow does not run
// the UserMigration trigger.
func TestAmplifyUserAuth(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	users := legacyUsersFor("amplify-userauth")
	app := ferryTrigger(t, users)
	p := userAuthPool(t, app)
	mia, ida := users[0], users[5]
	a := startAmplify(t, p, p.legacyClient)

	type signInOut struct {
		IsSignedIn          bool     `json:"isSignedIn"`
		NextStep            string   `json:"nextStep"`
		AvailableChallenges []string `json:"availableChallenges"`
		DeliveryMedium      string   `json:"deliveryMedium"`
		Destination         string   `json:"destination"`
	}
	var in signInOut
	a.must(&in, map[string]any{"step": "migrating signIn", "op": "signIn", "username": mia.username, "password": mia.password})
	if !in.IsSignedIn {
		t.Fatalf("migrating signIn: %+v", in)
	}
	a.must(nil, map[string]any{"step": "signOut", "op": "signOut"})

	// A code by email.
	a.must(&in, map[string]any{"step": "signIn EMAIL_OTP", "op": "signInUserAuth", "username": mia.username, "preferredChallenge": "EMAIL_OTP"})
	if in.IsSignedIn || in.NextStep != "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" || in.DeliveryMedium != "EMAIL" || !strings.Contains(in.Destination, "***") {
		t.Fatalf("signIn EMAIL_OTP: %+v, want CONFIRM_SIGN_IN_WITH_EMAIL_CODE by EMAIL to a masked address", in)
	}
	code, err := outboxCode(t.Context(), p.URL, p.PoolID, mia.username)
	if err != nil || code == "" {
		t.Fatalf("outbox: %q, %v", code, err)
	}
	if l := a.do(map[string]any{"step": "wrong code", "op": "confirmSignIn", "code": "000000"}); l.OK || l.Detail.Got != "CodeMismatchException" {
		t.Fatalf("wrong code: %s (%s), want CodeMismatchException", l.Detail.Got, l.Detail.Message)
	}
	a.must(&in, map[string]any{"step": "confirmSignIn code", "op": "confirmSignIn", "code": code})
	if !in.IsSignedIn || in.NextStep != "DONE" {
		t.Fatalf("confirmSignIn with the emailed code: %+v", in)
	}
	var session amplifySession
	a.must(&session, map[string]any{"step": "session", "op": "session"})
	if session.Claims.Access["username"] != mia.username || session.Claims.ID["email"] != mia.email {
		t.Fatalf("session after EMAIL_OTP: %+v", session.Claims)
	}
	a.must(nil, map[string]any{"step": "signOut after EMAIL_OTP", "op": "signOut"})

	// The first-factor selection, then SRP with the password.
	a.must(&in, map[string]any{"step": "signIn USER_AUTH", "op": "signInUserAuth", "username": mia.username})
	if in.NextStep != "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION" ||
		!slices.Equal(in.AvailableChallenges, []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}) {
		t.Fatalf("signIn USER_AUTH: %+v, want the selection of PASSWORD, PASSWORD_SRP, EMAIL_OTP", in)
	}
	a.must(&in, map[string]any{"step": "choose PASSWORD_SRP", "op": "confirmSignIn", "code": "PASSWORD_SRP"})
	if in.NextStep != "CONFIRM_SIGN_IN_WITH_PASSWORD" {
		t.Fatalf("choose PASSWORD_SRP: %+v", in)
	}
	a.must(&in, map[string]any{"step": "confirmSignIn password", "op": "confirmSignIn", "code": mia.password})
	if !in.IsSignedIn {
		t.Fatalf("confirmSignIn with the password: %+v", in)
	}
	var current struct {
		Username string `json:"username"`
	}
	a.must(&current, map[string]any{"step": "currentUser", "op": "currentUser"})
	if current.Username != mia.username {
		t.Fatalf("currentUser: %+v", current)
	}
	a.must(nil, map[string]any{"step": "signOut after SRP", "op": "signOut"})

	// No migration through USER_AUTH, even with the password.
	l := a.do(map[string]any{"step": "legacy USER_AUTH", "op": "signInUserAuth", "username": ida.username,
		"preferredChallenge": "PASSWORD", "password": ida.password})
	if l.OK || l.Detail.Got != "UserNotFoundException" {
		t.Fatalf("legacy user through USER_AUTH: %s (%s), want UserNotFoundException", l.Detail.Got, l.Detail.Message)
	}
}

// TestAmplifyAutoSignInAfterSignUp: Amplify JS v6's signUp with
// autoSignIn through USER_AUTH, confirmSignUp with the code from the
// outbox, then autoSignIn — which sends InitiateAuth USER_AUTH with the
// Session ConfirmSignUp returned — signs the new user in with no password
// or code typed again.
func TestAmplifyAutoSignInAfterSignUp(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	app := ferryTrigger(t, legacyUsersFor("amplify-autosignin"))
	p := userAuthPool(t, app)
	a := startAmplify(t, p, p.legacyClient)

	var up struct {
		IsSignUpComplete bool   `json:"isSignUpComplete"`
		NextStep         string `json:"nextStep"`
		DeliveryMedium   string `json:"deliveryMedium"`
	}
	a.must(&up, map[string]any{"step": "signUp", "op": "signUpUserAuth", "username": "newcomer", "password": "Newcomer-pass1",
		"attributes": map[string]string{"email": "newcomer@example.com"}})
	if up.IsSignUpComplete || up.NextStep != "CONFIRM_SIGN_UP" || up.DeliveryMedium != "EMAIL" {
		t.Fatalf("signUp: %+v, want CONFIRM_SIGN_UP by EMAIL", up)
	}
	code, err := outboxCode(t.Context(), p.URL, p.PoolID, "newcomer")
	if err != nil || code == "" {
		t.Fatalf("outbox: %q, %v", code, err)
	}
	a.must(&up, map[string]any{"step": "confirmSignUp", "op": "confirmSignUp", "username": "newcomer", "code": code})
	if !up.IsSignUpComplete || up.NextStep != "COMPLETE_AUTO_SIGN_IN" {
		t.Fatalf("confirmSignUp: %+v, want COMPLETE_AUTO_SIGN_IN", up)
	}
	var in struct {
		IsSignedIn bool   `json:"isSignedIn"`
		NextStep   string `json:"nextStep"`
	}
	a.must(&in, map[string]any{"step": "autoSignIn", "op": "autoSignIn"})
	if !in.IsSignedIn || in.NextStep != "DONE" {
		t.Fatalf("autoSignIn: %+v, want signed in", in)
	}
	var session amplifySession
	a.must(&session, map[string]any{"step": "session", "op": "session"})
	if session.Claims.Access["username"] != "newcomer" || session.Claims.ID["email"] != "newcomer@example.com" {
		t.Fatalf("session after autoSignIn: %+v", session.Claims)
	}
}
