package userpool

import (
	"encoding/json"
	"slices"
	"strings"
)

// First authentication factors a pool's SignInPolicy can allow
// (AuthFactorType), the sign-in methods of the USER_AUTH flow.
const (
	FactorPassword = "PASSWORD"
	FactorEmailOTP = "EMAIL_OTP"
	FactorSMSOTP   = "SMS_OTP"
	FactorWebAuthn = "WEB_AUTHN"
)

// authFactors is AuthFactorType's enum, in the model's order.
var authFactors = []string{FactorPassword, FactorEmailOTP, FactorSMSOTP, FactorWebAuthn}

// poolTiers is UserPoolTierType's enum.
var poolTiers = []string{"LITE", "ESSENTIALS", "PLUS"}

// maxFirstFactors is the model's bound on AllowedFirstAuthFactors: one of
// each factor.
const maxFirstFactors = 4

// firstFactors returns the pool's AllowedFirstAuthFactors: PASSWORD alone
// when the pool names none, as Cognito's default sign-in policy is.
func (s *PoolSettings) firstFactors() []string {
	var f []string
	if raw := s.Policies.SignInPolicy["AllowedFirstAuthFactors"]; len(raw) > 0 {
		_ = json.Unmarshal(raw, &f) // checked by checkSignInPolicy when stored
	}
	if len(f) == 0 {
		return []string{FactorPassword}
	}
	return f
}

// allowsFactor reports whether the pool allows factor as a first factor.
func (s *PoolSettings) allowsFactor(factor string) bool {
	return slices.Contains(s.firstFactors(), factor)
}

// checkSignInPolicy checks Policies.SignInPolicy and UserPoolTier:
//   - AllowedFirstAuthFactors holds 1 to 4 distinct AuthFactorType values
//     (PASSWORD is not required: passwordless pools, EMAIL_OTP alone for
//     instance, are Cognito pools too);
//   - a factor other than PASSWORD needs the Essentials or Plus feature
//     plan (FeatureUnavailableInTierException on LITE; the plan defaults
//     to ESSENTIALS, as the model documents);
//   - EMAIL_OTP needs the pool to send email through Amazon SES
//     (EmailConfiguration.EmailSendingAccount DEVELOPER), as Cognito
//     requires for every sign-in code sent by email. The local pool itself
//     writes the code to its outbox; the rule is kept so a configuration
//     Cognito would refuse is refused here too. SMS_OTP, like SMS_MFA, is
//     not checked against SmsConfiguration. On an update (prev set) the
//     email rule applies only when EMAIL_OTP is newly allowed: an
//     UpdateUserPool that leaves EmailConfiguration out returns it to its
//     default, and must not make the pool refuse every later change.
func (s *PoolSettings) checkSignInPolicy(prev *PoolSettings) error {
	var tier string
	s.other("UserPoolTier", &tier)
	if tier != "" && !slices.Contains(poolTiers, tier) {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'userPoolTier' failed to satisfy constraint: Member must satisfy enum value set: [%s]", tier, strings.Join(poolTiers, ", "))
	}
	raw := s.Policies.SignInPolicy["AllowedFirstAuthFactors"]
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var factors []string
	if err := json.Unmarshal(raw, &factors); err != nil {
		return newErr(ErrInvalidParameter, "Policies.SignInPolicy.AllowedFirstAuthFactors must be a list of strings.")
	}
	const member = "policies.signInPolicy.allowedFirstAuthFactors"
	switch {
	case len(factors) < 1:
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	case len(factors) > maxFirstFactors:
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '[%s]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", strings.Join(factors, ", "), member, maxFirstFactors)
	}
	for i, f := range factors {
		if !slices.Contains(authFactors, f) {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value '[%s]' at '%s' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]", strings.Join(factors, ", "), member, strings.Join(authFactors, ", "))
		}
		if slices.Contains(factors[:i], f) {
			return newErr(ErrInvalidParameter, "AllowedFirstAuthFactors names %s twice.", f)
		}
	}
	if tier == "LITE" {
		for _, f := range factors {
			if f != FactorPassword {
				return newErr(ErrFeatureUnavailableInTier, "The %s first auth factor is not available in the LITE feature plan: set UserPoolTier to ESSENTIALS or PLUS.", f)
			}
		}
	}
	if slices.Contains(factors, FactorEmailOTP) && (prev == nil || !prev.allowsFactor(FactorEmailOTP)) {
		var ec struct {
			EmailSendingAccount string `json:"EmailSendingAccount"`
		}
		s.other("EmailConfiguration", &ec)
		if ec.EmailSendingAccount != "DEVELOPER" {
			return newErr(ErrInvalidParameter, "The EMAIL_OTP first auth factor needs email sent through Amazon SES: set EmailConfiguration.EmailSendingAccount to DEVELOPER (it is %s).", orDefault(ec.EmailSendingAccount, "COGNITO_DEFAULT"))
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
