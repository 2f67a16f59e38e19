package cognitoapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestUserAuthMFA: a password first factor goes on to the user's MFA, and
// a user with MFA is offered no one-time code as a first factor (Cognito
// does not combine MFA with passwordless sign-in for one user): a
// preferred EMAIL_OTP falls back to the selection, which lists the
// password only. Once the user turns MFA off, the code is offered again
// and signs in by itself.
func TestUserAuthMFA(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}
		in.EmailConfiguration = sesEmail
	}))
	setPoolMFA(t, s, types.UserPoolMfaTypeOptional, true, false)
	setSMS := func(on bool) {
		t.Helper()
		if _, err := s.API.AdminSetUserMFAPreference(t.Context(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID),
			Username: aws.String("uma"), SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: on, PreferredMfa: on}}); err != nil {
			t.Fatal(err)
		}
	}
	setSMS(true)
	pw, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})
	if err != nil || pw.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("password first factor: %v %+v, want SMS_MFA", err, pw)
	}
	sel, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		strings.Join(challengeNames(sel.AvailableChallenges), ",") != "PASSWORD,PASSWORD_SRP" {
		t.Fatalf("EMAIL_OTP for a user with MFA: %v %+v, want SELECT_CHALLENGE offering PASSWORD,PASSWORD_SRP", err, sel)
	}
	setSMS(false)
	otp, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || otp.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("EMAIL_OTP without MFA: %v %+v", err, otp)
	}
	done, err := answer(t, s, types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "uma", "EMAIL_OTP_CODE": lastCode(t, s, "uma")})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP code: %v %+v, want tokens", err, done)
	}
}

// challengeNames are the names of challenges, in order.
func challengeNames(cs []types.ChallengeNameType) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// countingMigration is a UserMigration function that would migrate anyone
// and counts its calls.
type countingMigration struct{ calls atomic.Int32 }

func (m *countingMigration) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	m.calls.Add(1)
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	ev["response"] = map[string]any{"userAttributes": map[string]string{"email": "legacy@example.com", "email_verified": "true"},
		"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}
	return json.Marshal(ev)
}

// TestUserAuthDoesNotMigrate: USER_AUTH with a password never runs the
// UserMigration trigger, which Cognito documents for the password flows
// only; the same name migrates through USER_PASSWORD_AUTH.
func TestUserAuthDoesNotMigrate(t *testing.T) {
	t.Parallel()
	m := &countingMigration{}
	s := userAuthServer(t, cognitotest.WithMigration(m))
	_, err := startUserAuth(t, s, map[string]string{"USERNAME": "legacy", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Legacy-pass1"})
	if apiCode(t, err) != "UserNotFoundException" || m.calls.Load() != 0 {
		t.Fatalf("USER_AUTH for a legacy user: %v, %d trigger calls; want UserNotFoundException and none", err, m.calls.Load())
	}
	if out, err := s.SignIn(t.Context(), "legacy", "Legacy-pass1"); err != nil || out.AuthenticationResult == nil || m.calls.Load() != 1 {
		t.Fatalf("USER_PASSWORD_AUTH: %v %+v, %d trigger calls", err, out, m.calls.Load())
	}
}

// TestUserAuthSessionRules: a USER_AUTH challenge's session lasts the
// client's AuthSessionValidity, and five wrong codes end it, as for SMS_MFA.
func TestUserAuthSessionRules(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := userAuthServer(t, withClock(clk))
	start := func(t *testing.T) *string {
		t.Helper()
		out, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp {
			t.Fatalf("start: %v %+v", err, out)
		}
		return out.Session
	}
	codeFor := func(code string) map[string]string {
		return map[string]string{"USERNAME": "uma", "EMAIL_OTP_CODE": code}
	}

	sess := start(t)
	for i := range 5 {
		if _, err := answer(t, s, types.ChallengeNameTypeEmailOtp, sess, codeFor("000000x")); apiCode(t, err) != "CodeMismatchException" {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if _, err := answer(t, s, types.ChallengeNameTypeEmailOtp, sess, codeFor(lastCode(t, s, "uma"))); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("right code after five wrong ones: %v, want NotAuthorizedException", err)
	}

	sess = start(t)
	clk.advance(4 * time.Minute) // past the default AuthSessionValidity of 3 minutes
	_, err := answer(t, s, types.ChallengeNameTypeEmailOtp, sess, codeFor(lastCode(t, s, "uma")))
	if apiCode(t, err) != "NotAuthorizedException" || !strings.Contains(err.Error(), "session is expired") {
		t.Fatalf("expired session: %v", err)
	}
	sel, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma"})
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(4 * time.Minute)
	_, err = answer(t, s, types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "uma", "ANSWER": "EMAIL_OTP"})
	if apiCode(t, err) != "NotAuthorizedException" || !strings.Contains(err.Error(), "session is expired") {
		t.Fatalf("expired SELECT_CHALLENGE session: %v", err)
	}
}
