package cognitoapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// mfaServer is a server whose pool has MfaConfiguration mode, on a clock
// the test moves.
func mfaServer(t *testing.T, mode types.UserPoolMfaType) (*cognitotest.Server, *clock) {
	clk := newClock()
	s := cognitotest.NewServer(t, withClock(clk),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) { in.MfaConfiguration = mode }))
	return s, clk
}

func setPoolMFA(t *testing.T, s *cognitotest.Server, mode types.UserPoolMfaType, sms, totp bool) *cip.SetUserPoolMfaConfigOutput {
	t.Helper()
	in := &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID), MfaConfiguration: mode,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: totp}}
	if sms {
		in.SmsMfaConfiguration = &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Sign-in code: {####}"),
			SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns")}}
	}
	out, err := s.API.SetUserPoolMfaConfig(t.Context(), in)
	if err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	return out
}

func TestUserPoolMfaConfig(t *testing.T) {
	t.Parallel()
	s, _ := mfaServer(t, types.UserPoolMfaTypeOff)
	ctx := t.Context()
	got, err := s.API.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SoftwareTokenMfaConfiguration.Enabled || got.SmsMfaConfiguration != nil {
		t.Errorf("new pool: %+v", got)
	}
	set := setPoolMFA(t, s, types.UserPoolMfaTypeOptional, true, true)
	if set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled ||
		set.SmsMfaConfiguration == nil || aws.ToString(set.SmsMfaConfiguration.SmsAuthenticationMessage) != "Sign-in code: {####}" {
		t.Errorf("SetUserPoolMfaConfig answer: %+v", set)
	}
	got, err = s.API.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if got.MfaConfiguration != types.UserPoolMfaTypeOptional || !got.SoftwareTokenMfaConfiguration.Enabled ||
		got.SmsMfaConfiguration == nil || aws.ToString(got.SmsMfaConfiguration.SmsConfiguration.SnsCallerArn) == "" {
		t.Errorf("GetUserPoolMfaConfig after set: %+v", got)
	}
	d, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOptional {
		t.Errorf("DescribeUserPool MfaConfiguration %s", d.UserPool.MfaConfiguration)
	}
	tests := []struct {
		name string
		in   *cip.SetUserPoolMfaConfigInput
		want string
	}{
		{"on without a factor", &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID), MfaConfiguration: types.UserPoolMfaTypeOn},
			"InvalidParameterException"},
		{"unknown pool", &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nope"), MfaConfiguration: types.UserPoolMfaTypeOff},
			"ResourceNotFoundException"},
		{"bad mode", &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID), MfaConfiguration: "SOMETIMES"},
			"InvalidParameterException"},
	}
	for _, tt := range tests {
		if _, err := s.API.SetUserPoolMfaConfig(ctx, tt.in); apiCode(t, err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestSoftwareTokenMFA(t *testing.T) {
	t.Parallel()
	s, clk := mfaServer(t, types.UserPoolMfaTypeOptional)
	setPoolMFA(t, s, types.UserPoolMfaTypeOptional, false, true)
	ctx := t.Context()
	s.CreateUser(t, "tina", "Passw0rd!")
	a, err := s.SignIn(ctx, "tina", "Passw0rd!")
	if err != nil || a.AuthenticationResult == nil {
		t.Fatalf("sign-in before MFA: %v %+v", err, a)
	}
	tok := a.AuthenticationResult.AccessToken

	// No token yet: the factor cannot be turned on.
	_, err = s.API.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("enable without a token: %v", err)
	}
	_, err = s.API.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String("123456")})
	if apiCode(t, err) != "SoftwareTokenMFANotFoundException" {
		t.Fatalf("verify before associate: %v", err)
	}

	assoc, err := s.API.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if len(secret) != 52 || assoc.Session != nil {
		t.Fatalf("AssociateSoftwareToken: secret %q (%d chars), session %v", secret, len(secret), assoc.Session)
	}
	code := cognitotest.AuthenticatorCode(t, secret, clk.now())
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
	_, err = s.API.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(wrong)})
	if apiCode(t, err) != "EnableSoftwareTokenMFAException" || apiMessage(err) != "Code mismatch and fail enable Software Token MFA" {
		t.Fatalf("wrong setup code: %v", err)
	}
	v, err := s.API.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(code),
		FriendlyDeviceName: aws.String("Tina's phone")})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
	}
	if _, err := s.API.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	me, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(me.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || strings.Join(me.UserMFASettingList, ",") != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("GetUser MFA: preferred %v, list %v", aws.ToString(me.PreferredMfaSetting), me.UserMFASettingList)
	}

	// The password alone no longer signs in.
	a, err = s.SignIn(ctx, "tina", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if a.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || a.AuthenticationResult != nil || len(aws.ToString(a.Session)) < 20 ||
		a.ChallengeParameters["FRIENDLY_DEVICE_NAME"] != "Tina's phone" {
		t.Fatalf("sign-in with MFA: %+v", a)
	}
	answer := func(session *string, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}})
	}
	if _, err := answer(a.Session, wrong); apiCode(t, err) != "CodeMismatchException" {
		t.Fatalf("wrong code: %v", err)
	}
	// The code that verified the token was used once already.
	if _, err := answer(a.Session, code); apiCode(t, err) != "ExpiredCodeException" {
		t.Fatalf("reused code: %v", err)
	}
	if _, err := answer(aws.String("forged-session-value-0123456789"), code); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("forged session: %v", err)
	}
	clk.advance(30 * time.Second)
	r, err := answer(a.Session, cognitotest.AuthenticatorCode(t, secret, clk.now()))
	if err != nil || r.AuthenticationResult == nil || aws.ToString(r.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("right code: %v %+v", err, r)
	}
	if _, err := answer(a.Session, cognitotest.AuthenticatorCode(t, secret, clk.now())); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("session used twice: %v", err)
	}

	// An admin sees the setting and can turn the factor off.
	au, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("tina")})
	if err != nil || aws.ToString(au.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("AdminGetUser: %v %+v", err, au)
	}
	if _, err := s.API.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String("tina"), SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
		t.Fatal(err)
	}
	if a, err := s.SignIn(ctx, "tina", "Passw0rd!"); err != nil || a.AuthenticationResult == nil {
		t.Fatalf("sign-in after the factor is off: %v %+v", err, a)
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestSMSMFA(t *testing.T) {
	t.Parallel()
	s, _ := mfaServer(t, types.UserPoolMfaTypeOptional)
	setPoolMFA(t, s, types.UserPoolMfaTypeOptional, true, false)
	ctx := t.Context()
	s.CreateUser(t, "sam", "Passw0rd!", "phone_number", "+15555550123")
	s.CreateUser(t, "nophone", "Passw0rd!")
	_, err := s.API.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String("nophone"), SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("SMS MFA without a phone number: %v", err)
	}
	if _, err := s.API.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String("sam"), SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	a, err := s.SignIn(ctx, "sam", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if a.ChallengeName != types.ChallengeNameTypeSmsMfa || a.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" ||
		a.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0123" {
		t.Fatalf("SMS_MFA challenge: %+v", a)
	}
	msgs, err := s.Service.Store().ListMessages(ctx, s.PoolID, 0, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %d", err, len(msgs))
	}
	m := msgs[len(msgs)-1]
	if m.Medium != "SMS" || m.Destination != "+15555550123" || m.Body != "Sign-in code: "+m.Code {
		t.Errorf("outbox message %+v", m)
	}
	answer := func(code string) (*cip.AdminRespondToAuthChallengeOutput, error) {
		return s.API.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(s.PoolID),
			ClientId: aws.String(s.ClientID), ChallengeName: types.ChallengeNameTypeSmsMfa, Session: a.Session,
			ChallengeResponses: map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code}})
	}
	if _, err := answer(fmt.Sprintf("%06d", (atoi(m.Code)+1)%1_000_000)); apiCode(t, err) != "CodeMismatchException" {
		t.Fatalf("wrong SMS code: %v", err)
	}
	if _, err := answer(""); apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("missing SMS code: %v", err)
	}
	r, err := answer(m.Code)
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("right SMS code: %v %+v", err, r)
	}
	// Five wrong codes end the challenge: the right one comes too late.
	if a, err = s.SignIn(ctx, "sam", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	code := lastCode(t, s, "sam")
	for i := range 5 {
		if _, err := answer(fmt.Sprintf("%06d", (atoi(code)+1+i)%1_000_000)); apiCode(t, err) != "CodeMismatchException" {
			t.Fatalf("wrong SMS code %d: %v", i+1, err)
		}
	}
	if _, err := answer(code); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("right code after five wrong ones: %v", err)
	}
	// A user who did not turn SMS MFA on signs in with the password alone.
	if a, err := s.SignIn(ctx, "nophone", "Passw0rd!"); err != nil || a.AuthenticationResult == nil {
		t.Fatalf("user without MFA: %v %+v", err, a)
	}
}

func TestMFASetup(t *testing.T) {
	t.Parallel()
	s, clk := mfaServer(t, types.UserPoolMfaTypeOff)
	setPoolMFA(t, s, types.UserPoolMfaTypeOn, false, true)
	ctx := t.Context()
	s.CreateUser(t, "nia", "Passw0rd!")
	a, err := s.SignIn(ctx, "nia", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if a.ChallengeName != types.ChallengeNameTypeMfaSetup || a.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("MFA_SETUP challenge: %+v", a)
	}
	respond := func(session *string) (*cip.RespondToAuthChallengeOutput, error) {
		return s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: types.ChallengeNameTypeMfaSetup, Session: session, ChallengeResponses: map[string]string{"USERNAME": "nia"}})
	}
	if _, err := respond(a.Session); apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("MFA_SETUP before a token is verified: %v", err)
	}
	assoc, err := s.API.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: a.Session})
	if err != nil || assoc.Session == nil {
		t.Fatalf("AssociateSoftwareToken with Session: %v %+v", err, assoc)
	}
	secret := aws.ToString(assoc.SecretCode)
	v, err := s.API.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session,
		UserCode: aws.String(cognitotest.AuthenticatorCode(t, secret, clk.now()))})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess || v.Session == nil {
		t.Fatalf("VerifySoftwareToken with Session: %v %+v", err, v)
	}
	if _, err := respond(a.Session); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("first session after it was renewed: %v", err)
	}
	r, err := respond(v.Session)
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("MFA_SETUP: %v %+v", err, r)
	}
	// The next sign-in asks for the token.
	clk.advance(30 * time.Second)
	a, err = s.SignIn(ctx, "nia", "Passw0rd!")
	if err != nil || a.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in after setup: %v %+v", err, a)
	}
	if _, err := s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
		ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: a.Session,
		ChallengeResponses: map[string]string{"USERNAME": "nia", "SOFTWARE_TOKEN_MFA_CODE": cognitotest.AuthenticatorCode(t, secret, clk.now())}}); err != nil {
		t.Fatalf("TOTP after setup: %v", err)
	}
}

// TestMigrationEnablesSMSMFA signs a legacy user in through a migration
// trigger that answers enableSMSMFA: the new user is challenged for an
// SMS code at once, in a pool with SMS MFA, and refused in one without.
func TestMigrationEnablesSMSMFA(t *testing.T) {
	t.Parallel()
	handle := func(_ context.Context, ev trigger.Event) (trigger.Event, error) {
		on := true
		attrs := map[string]string{"phone_number": "+15555550177", "phone_number_verified": "true"}
		if ev.UserName == "nophone" {
			attrs = map[string]string{"email": "nophone@example.com", "email_verified": "true"}
		}
		ev.Response = trigger.Response{UserAttributes: attrs, FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", EnableSMSMFA: &on}
		return ev, nil
	}
	for _, tt := range []struct {
		name, user string
		mode       types.UserPoolMfaType
		want       string // challenge, or error code
	}{
		{"optional SMS pool", "mia", types.UserPoolMfaTypeOptional, "SMS_MFA"},
		{"pool without MFA", "mia", types.UserPoolMfaTypeOff, "UserNotFoundException"},
		{"no phone number", "nophone", types.UserPoolMfaTypeOptional, "UserNotFoundException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := cognitotest.NewServer(t, cognitotest.WithMigration(lambdainvoke.InProcess(handle)),
				cognitotest.WithPool(func(in *cip.CreateUserPoolInput) { in.MfaConfiguration = tt.mode }))
			a, err := s.SignIn(t.Context(), tt.user, "Legacy-pass1")
			if tt.want != "SMS_MFA" {
				if apiCode(t, err) != tt.want {
					t.Fatalf("sign-in: %v, want %s", err, tt.want)
				}
				return
			}
			if err != nil || a.ChallengeName != types.ChallengeNameTypeSmsMfa {
				t.Fatalf("sign-in: %v %+v", err, a)
			}
			r, err := s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
				ChallengeName: types.ChallengeNameTypeSmsMfa, Session: a.Session,
				ChallengeResponses: map[string]string{"USERNAME": tt.user, "SMS_MFA_CODE": lastCode(t, s, tt.user)}})
			if err != nil || r.AuthenticationResult == nil {
				t.Fatalf("SMS code: %v %+v", err, r)
			}
			u, err := s.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String(tt.user)})
			if err != nil || strings.Join(u.UserMFASettingList, ",") != "SMS_MFA" {
				t.Fatalf("migrated user's MFA: %v %+v", err, u)
			}
		})
	}
}

// TestSelectMFAType: a user with both factors and no preference chooses
// one with SELECT_MFA_TYPE, then answers that factor's challenge.
func TestSelectMFAType(t *testing.T) {
	t.Parallel()
	s, clk := mfaServer(t, types.UserPoolMfaTypeOptional)
	setPoolMFA(t, s, types.UserPoolMfaTypeOptional, true, true)
	ctx := t.Context()
	s.CreateUser(t, "bo", "Passw0rd!", "phone_number", "+15555550199")
	a, err := s.SignIn(ctx, "bo", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tok := a.AuthenticationResult.AccessToken
	assoc, err := s.API.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if _, err := s.API.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok,
		UserCode: aws.String(cognitotest.AuthenticatorCode(t, secret, clk.now()))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok,
		SMSMfaSettings:           &types.SMSMfaSettingsType{Enabled: true},
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	clk.advance(30 * time.Second)
	a, err = s.SignIn(ctx, "bo", "Passw0rd!")
	if err != nil || a.ChallengeName != types.ChallengeNameTypeSelectMfaType ||
		a.ChallengeParameters["MFAS_CAN_CHOOSE"] != `["SMS_MFA","SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("SELECT_MFA_TYPE: %v %+v", err, a)
	}
	respond := func(name types.ChallengeNameType, session *string, r map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
		r["USERNAME"] = "bo"
		return s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: name, Session: session, ChallengeResponses: r})
	}
	if _, err := respond(types.ChallengeNameTypeSelectMfaType, a.Session, map[string]string{"ANSWER": "EMAIL_OTP"}); apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("unknown ANSWER: %v", err)
	}
	r, err := respond(types.ChallengeNameTypeSelectMfaType, a.Session, map[string]string{"ANSWER": "SOFTWARE_TOKEN_MFA"})
	if err != nil || r.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("ANSWER SOFTWARE_TOKEN_MFA: %v %+v", err, r)
	}
	r, err = respond(types.ChallengeNameTypeSoftwareTokenMfa, r.Session, map[string]string{"SOFTWARE_TOKEN_MFA_CODE": cognitotest.AuthenticatorCode(t, secret, clk.now())})
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("TOTP after SELECT_MFA_TYPE: %v %+v", err, r)
	}
}
