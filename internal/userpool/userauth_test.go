package userpool

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// policy returns pool settings allowing factors (none: the default), with
// email sent through SES.
func policy(factors ...string) PoolSettings {
	var set PoolSettings
	if factors != nil {
		raw, _ := json.Marshal(factors)
		set.Policies.SignInPolicy = map[string]json.RawMessage{"AllowedFirstAuthFactors": raw}
	}
	set.setOther("EmailConfiguration", map[string]string{"EmailSendingAccount": "DEVELOPER"})
	return set
}

func TestAvailableChallenges(t *testing.T) {
	t.Parallel()
	withPassword := &User{Password: &Verifier{}, Attributes: map[string]string{
		"email": "a@example.com", "email_verified": "true", "phone_number": "+15555550100", "phone_number_verified": "true"}}
	unverified := &User{Password: &Verifier{}, Attributes: map[string]string{
		"email": "a@example.com", "email_verified": "false", "phone_number": "+15555550100"}}
	noPassword := &User{Attributes: map[string]string{"email": "a@example.com", "email_verified": "true"}}
	withSMSMFA := &User{Password: &Verifier{}, Attributes: withPassword.Attributes, MFA: UserMFA{SMSEnabled: true}}
	withTOTPMFA := &User{Password: &Verifier{}, Attributes: withPassword.Attributes, MFA: UserMFA{TOTPEnabled: true}}
	every := []string{FactorPassword, FactorEmailOTP, FactorSMSOTP, FactorWebAuthn}
	for _, tt := range []struct {
		name    string
		factors []string
		u       *User
		want    []string
	}{
		{"default policy", nil, withPassword, []string{"PASSWORD", "PASSWORD_SRP"}},
		{"every factor", every, withPassword, []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}},
		{"unverified addresses get no code", every, unverified, []string{"PASSWORD", "PASSWORD_SRP"}},
		{"no password", every, noPassword, []string{"EMAIL_OTP"}},
		{"email only", []string{FactorPassword, FactorEmailOTP}, withPassword, []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}},
		{"with MFA, no code", every, withSMSMFA, []string{"PASSWORD", "PASSWORD_SRP"}},
		{"MFA turned on but not offered", every, withTOTPMFA, []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &pool{Pool: &Pool{}, set: policy(tt.factors...)}
			p.set.MfaConfiguration = "OPTIONAL" // SMS only, the default factor
			if d := cmp.Diff(tt.want, availableChallenges(p, tt.u)); d != "" {
				t.Errorf("available (-want +got):\n%s", d)
			}
		})
	}
}

// TestRequiredMFABarsCodes: in a pool that requires MFA, neither a user
// nor a name nobody has is offered a one-time code as the first factor.
func TestRequiredMFABarsCodes(t *testing.T) {
	t.Parallel()
	p := &pool{Pool: &Pool{}, set: policy(FactorPassword, FactorEmailOTP, FactorSMSOTP)}
	p.set.MfaConfiguration = "ON"
	u := &User{Password: &Verifier{}, Attributes: map[string]string{"email": "a@example.com", "email_verified": "true"}}
	want := []string{"PASSWORD", "PASSWORD_SRP"}
	if d := cmp.Diff(want, availableChallenges(p, u)); d != "" {
		t.Errorf("user (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, simulatedChallenges(p)); d != "" {
		t.Errorf("unknown name (-want +got):\n%s", d)
	}
}

func TestCheckSignInPolicy(t *testing.T) {
	t.Parallel()
	cognitoEmail := func(s PoolSettings) PoolSettings {
		s.setOther("EmailConfiguration", map[string]string{"EmailSendingAccount": "COGNITO_DEFAULT"})
		return s
	}
	lite := func(s PoolSettings) PoolSettings { s.setOther("UserPoolTier", "LITE"); return s }
	for _, tt := range []struct {
		name     string
		set      PoolSettings
		prev     *PoolSettings
		wantKind error
	}{
		{name: "none", set: policy()},
		{name: "password", set: policy(FactorPassword)},
		{name: "every factor", set: policy(FactorPassword, FactorEmailOTP, FactorSMSOTP, FactorWebAuthn)},
		{name: "passwordless", set: policy(FactorSMSOTP)},
		{name: "unknown factor", set: policy(FactorPassword, "SOFTWARE_TOKEN"), wantKind: ErrInvalidParameter},
		{name: "repeated", set: policy(FactorPassword, FactorPassword), wantKind: ErrInvalidParameter},
		{name: "email without SES", set: cognitoEmail(policy(FactorPassword, FactorEmailOTP)), wantKind: ErrInvalidParameter},
		{name: "email kept while SES goes", set: cognitoEmail(policy(FactorPassword, FactorEmailOTP)),
			prev: new(policy(FactorPassword, FactorEmailOTP))},
		{name: "email newly allowed without SES", set: cognitoEmail(policy(FactorPassword, FactorEmailOTP)),
			prev: new(policy(FactorPassword)), wantKind: ErrInvalidParameter},
		{name: "SMS on LITE", set: lite(policy(FactorPassword, FactorSMSOTP)), wantKind: ErrFeatureUnavailableInTier},
		{name: "password on LITE", set: lite(policy(FactorPassword))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.set.checkSignInPolicy(tt.prev)
			if tt.wantKind == nil && err != nil || tt.wantKind != nil && !errors.Is(err, tt.wantKind) {
				t.Fatalf("checkSignInPolicy = %v, want kind %v", err, tt.wantKind)
			}
		})
	}
}
