package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// emailMFAServer is a pool sending email through SES with email MFA on
// (OPTIONAL, with SMS MFA too and a template of its own), and eve, with a
// password, a verified email address and a phone number.
func emailMFAServer(t *testing.T) *cognitotest.Server {
	t.Helper()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) { in.EmailConfiguration = sesEmail }))
	s.CreateUser(t, "eve", "Passw0rd!", "email", "eve@example.com", "email_verified", "true", "phone_number", "+15555550101")
	out, err := s.API.SetUserPoolMfaConfig(t.Context(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID),
		MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Sign-in code: {####}"),
			SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns")}},
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Your Example code: {####}"), Subject: aws.String("Example sign-in")}})
	if err != nil || out.EmailMfaConfiguration == nil || aws.ToString(out.EmailMfaConfiguration.Subject) != "Example sign-in" {
		t.Fatalf("SetUserPoolMfaConfig with email MFA: %v %+v", err, out)
	}
	return s
}

// TestEmailMFA: with email MFA on the pool and the user's preference, a
// password sign-in answers EMAIL_OTP, the code goes to the outbox in the
// pool's template, a wrong code is a mismatch and the right one signs in;
// with SMS MFA also turned on and no preference the user chooses between
// them (SELECT_MFA_TYPE), and may not choose a factor they lack.
func TestEmailMFA(t *testing.T) {
	t.Parallel()
	s := emailMFAServer(t)
	ctx := t.Context()
	cfg, err := s.API.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil || cfg.EmailMfaConfiguration == nil || aws.ToString(cfg.EmailMfaConfiguration.Message) != "Your Example code: {####}" {
		t.Fatalf("GetUserPoolMfaConfig: %v %+v", err, cfg)
	}
	prefer := func(email *types.EmailMfaSettingsType, sms *types.SMSMfaSettingsType) {
		t.Helper()
		in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("eve"),
			EmailMfaSettings: email, SMSMfaSettings: sms}
		if _, err := s.API.AdminSetUserMFAPreference(ctx, in); err != nil {
			t.Fatalf("AdminSetUserMFAPreference: %v", err)
		}
	}
	prefer(&types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}, nil)
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("eve")})
	if err != nil || aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "EMAIL_OTP" {
		t.Fatalf("AdminGetUser: %v, preferred %q, list %v; want EMAIL_OTP", err, aws.ToString(u.PreferredMfaSetting), u.UserMFASettingList)
	}

	a, err := s.SignIn(ctx, "eve", "Passw0rd!")
	if err != nil || a.ChallengeName != types.ChallengeNameTypeEmailOtp || a.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("sign-in with email MFA: %v %+v, want EMAIL_OTP by EMAIL", err, a)
	}
	msgs, err := s.Service.Store().ListMessages(ctx, s.PoolID, 0, 1000)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %d", err, len(msgs))
	}
	last := msgs[len(msgs)-1]
	if last.Medium != "EMAIL" || last.Subject != "Example sign-in" || last.Body != "Your Example code: "+last.Code {
		t.Errorf("email MFA message: %s %q %q, want the pool's template", last.Medium, last.Subject, last.Body)
	}
	respond := func(session *string, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: types.ChallengeNameTypeEmailOtp, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "eve", "EMAIL_OTP_CODE": code}})
	}
	if _, err := respond(a.Session, "000000x"); apiCode(t, err) != "CodeMismatchException" {
		t.Errorf("wrong code: %v, want CodeMismatchException", err)
	}
	done, err := respond(a.Session, last.Code)
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("right code: %v %+v, want tokens", err, done)
	}

	prefer(&types.EmailMfaSettingsType{Enabled: true}, &types.SMSMfaSettingsType{Enabled: true})
	sel, err := s.SignIn(ctx, "eve", "Passw0rd!")
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSelectMfaType || sel.ChallengeParameters["MFAS_CAN_CHOOSE"] != `["SMS_MFA","EMAIL_OTP"]` {
		t.Fatalf("two factors, no preference: %v %+v, want SELECT_MFA_TYPE of SMS_MFA and EMAIL_OTP", err, sel)
	}
	choose := func(answer string) (*cip.RespondToAuthChallengeOutput, error) {
		return s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: types.ChallengeNameTypeSelectMfaType, Session: sel.Session,
			ChallengeResponses: map[string]string{"USERNAME": "eve", "ANSWER": answer}})
	}
	if _, err := choose("SOFTWARE_TOKEN_MFA"); apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("choosing a factor eve lacks: %v, want InvalidParameterException", err)
	}
	next, err := choose("EMAIL_OTP")
	if err != nil || next.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("choosing EMAIL_OTP: %v %+v", err, next)
	}
}

// TestEmailMFARules: email MFA needs the Essentials or Plus plan and email
// through SES, and a message with the code placeholder; a user can turn
// it on only in a pool that offers it and with an email address.
func TestEmailMFARules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	set := func(s *cognitotest.Server, msg string) error {
		_, err := s.API.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(s.PoolID),
			MfaConfiguration: types.UserPoolMfaTypeOptional, EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String(msg)}})
		return err
	}
	lite := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.EmailConfiguration, in.UserPoolTier = sesEmail, types.UserPoolTierTypeLite
	}))
	if err := set(lite, "Code {####}"); apiCode(t, err) != "FeatureUnavailableInTierException" {
		t.Errorf("LITE pool: %v, want FeatureUnavailableInTierException", err)
	}
	plain := cognitotest.NewServer(t)
	if err := set(plain, "Code {####}"); apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("pool without SES: %v, want InvalidParameterException", err)
	}
	plain.CreateUser(t, "ned", "Passw0rd!", "email", "ned@example.com")
	_, err := plain.API.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(plain.PoolID),
		Username: aws.String("ned"), EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("email MFA for a user of a pool without it: %v, want InvalidParameterException", err)
	}
	s := emailMFAServer(t)
	if err := set(s, "no placeholder"); apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("message without {####}: %v, want InvalidParameterException", err)
	}
	s.CreateUser(t, "pat", "Passw0rd!", "phone_number", "+15555550102")
	_, err = s.API.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String("pat"), EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("email MFA for a user without email: %v, want InvalidParameterException", err)
	}
}
