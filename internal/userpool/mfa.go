package userpool

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
)

// UserMFA is a user's multi-factor settings (SetUserMFAPreference,
// AssociateSoftwareToken, VerifySoftwareToken, and a migration answer's
// enableSMSMFA).
type UserMFA struct {
	SMSEnabled     bool
	SMSPreferred   bool
	TOTPEnabled    bool
	TOTPPreferred  bool
	EmailEnabled   bool
	EmailPreferred bool
	// TOTPSecret is the base32 secret of the verified software token; ""
	// until VerifySoftwareToken accepts a code of PendingTOTPSecret, the
	// secret AssociateSoftwareToken last issued.
	TOTPSecret        string
	PendingTOTPSecret string
	TOTPDeviceName    string
	// LastTOTPStep is the 30-second step of the last code accepted: a
	// code is good for one use.
	LastTOTPStep uint64
}

// PoolMFAFactors are the MFA factors SetUserPoolMfaConfig enables on a
// pool. A pool that never had them set (only CreateUserPool's
// MfaConfiguration) offers SMS, the factor that setting has always meant.
type PoolMFAFactors struct {
	SMS           bool `json:"SMS"`
	SoftwareToken bool `json:"SoftwareToken"`
	Email         bool `json:"Email,omitempty"`
}

// PoolMFAConfig is GetUserPoolMfaConfig's and SetUserPoolMfaConfig's view
// of a pool.
type PoolMFAConfig struct {
	MfaConfiguration         string // OFF, ON, OPTIONAL
	SMS                      bool
	SmsAuthenticationMessage string
	SmsConfiguration         json.RawMessage
	SoftwareToken            bool
	// Email is email MFA (EmailMfaConfiguration), with the template of
	// its messages and of USER_AUTH's EMAIL_OTP codes ("" for Cognito's).
	Email        bool
	EmailMessage string
	EmailSubject string
}

// MFA challenge names.
const (
	challengeSMSMFA    = "SMS_MFA"
	challengeTOTPMFA   = "SOFTWARE_TOKEN_MFA"
	challengeMFASetup  = "MFA_SETUP"
	challengeSelectMFA = "SELECT_MFA_TYPE"
)

// maxMFAAttempts bounds the wrong codes one MFA challenge accepts before
// its session ends, so a six-digit code cannot be guessed in one session.
const maxMFAAttempts = 5

const (
	defaultAuthenticationMessage = "Your authentication code is {####}."
	defaultAuthenticationSubject = "Your authentication code"
)

var (
	errNoTOTP       = newErr(ErrSoftwareTokenMFANotFound, "Software Token MFA does not exist for the user.")
	errTOTPReused   = newErr(ErrExpiredCode, "Your software token has already been used once.")
	errInvalidSess  = newErr(ErrNotAuthorized, "Invalid session for the user.")
	errExpiredSess  = newErr(ErrNotAuthorized, "Invalid session for the user, session is expired.")
	mfaConfigValues = []string{"OFF", "ON", "OPTIONAL"}
)

// checkMfaConfiguration checks a pool's MfaConfiguration, defaulting it
// to OFF.
func checkMfaConfiguration(v *string) error {
	if *v == "" {
		*v = "OFF"
	}
	if !slices.Contains(mfaConfigValues, *v) {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", *v)
	}
	return nil
}

// mfaFactors returns the factors the pool offers now: none when MFA is
// off.
func (s *PoolSettings) mfaFactors() (sms, totp, email bool) {
	if s.MfaConfiguration == "" || s.MfaConfiguration == "OFF" {
		return false, false, false
	}
	if s.MfaFactors == nil {
		return true, false, false
	}
	return s.MfaFactors.SMS, s.MfaFactors.SoftwareToken, s.MfaFactors.Email
}

// GetPoolMFAConfig is GetUserPoolMfaConfig.
func (s *Service) GetPoolMFAConfig(ctx context.Context, poolID string) (*PoolMFAConfig, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return p.set.mfaConfig(), nil
}

func (s *PoolSettings) mfaConfig() *PoolMFAConfig {
	out := &PoolMFAConfig{MfaConfiguration: s.MfaConfiguration}
	if out.MfaConfiguration == "" {
		out.MfaConfiguration = "OFF"
	}
	if f := s.MfaFactors; f != nil {
		out.SMS, out.SoftwareToken, out.Email = f.SMS, f.SoftwareToken, f.Email
	} else {
		out.SMS = out.MfaConfiguration != "OFF"
	}
	if out.SMS {
		s.other("SmsAuthenticationMessage", &out.SmsAuthenticationMessage)
		out.SmsConfiguration = s.Other["SmsConfiguration"]
	}
	if out.Email {
		s.other(emailMFAMessageKey, &out.EmailMessage)
		s.other(emailMFASubjectKey, &out.EmailSubject)
	}
	return out
}

// Keys of the pool's settings holding EmailMfaConfiguration's template.
const (
	emailMFAMessageKey = "EmailMfaMessage"
	emailMFASubjectKey = "EmailMfaSubject"
)

// SetPoolMFAConfig is SetUserPoolMfaConfig: it replaces the pool's
// factors, and its MfaConfiguration when one is given. MFA cannot be on
// (or optional) with no factor.
func (s *Service) SetPoolMFAConfig(ctx context.Context, poolID string, in PoolMFAConfig) (*PoolMFAConfig, error) {
	if in.Email {
		p, err := s.loadPool(ctx, poolID)
		if err != nil {
			return nil, err
		}
		if err := p.set.checkEmailMFA(in); err != nil {
			return nil, err
		}
	}
	var out *PoolMFAConfig
	err := s.UpdatePool(ctx, poolID, func(cur PoolSettings) (string, PoolSettings) {
		next := cur
		if in.MfaConfiguration != "" {
			next.MfaConfiguration = in.MfaConfiguration
		}
		next.MfaFactors = &PoolMFAFactors{SMS: in.SMS, SoftwareToken: in.SoftwareToken, Email: in.Email}
		next.Other = maps.Clone(cur.Other)
		delete(next.Other, emailMFAMessageKey)
		delete(next.Other, emailMFASubjectKey)
		if in.Email {
			if in.EmailMessage != "" {
				next.setOther(emailMFAMessageKey, in.EmailMessage)
			}
			if in.EmailSubject != "" {
				next.setOther(emailMFASubjectKey, in.EmailSubject)
			}
		}
		if in.SMS {
			if in.SmsAuthenticationMessage != "" {
				next.setOther("SmsAuthenticationMessage", in.SmsAuthenticationMessage)
			}
			if len(in.SmsConfiguration) > 0 {
				next.Other["SmsConfiguration"] = in.SmsConfiguration
			}
		}
		out = next.mfaConfig()
		return "", next
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkPoolMFA is the part of a pool's settings check that concerns MFA.
func (s *PoolSettings) checkPoolMFA() error {
	if err := checkMfaConfiguration(&s.MfaConfiguration); err != nil {
		return err
	}
	var msg string
	s.other("SmsAuthenticationMessage", &msg)
	if msg != "" && !smsMessageRE.MatchString(msg) {
		return patternErr(msg, "smsAuthenticationMessage", smsMessageRE)
	}
	if f := s.MfaFactors; f != nil && s.MfaConfiguration != "OFF" && !f.SMS && !f.SoftwareToken && !f.Email {
		return newErr(ErrInvalidParameter, "Invalid MFA configuration given, can't turn on MFA without any enabled MFA factors.")
	}
	return nil
}

// MFASettings is a user's MFA state as GetUser and AdminGetUser show it.
func MFASettings(u *User) (preferred string, list []string) {
	if u.MFA.SMSEnabled {
		list = append(list, challengeSMSMFA)
	}
	if u.MFA.TOTPEnabled {
		list = append(list, challengeTOTPMFA)
	}
	if u.MFA.EmailEnabled {
		list = append(list, challengeEmailOTP)
	}
	switch {
	case u.MFA.TOTPPreferred && u.MFA.TOTPEnabled:
		preferred = challengeTOTPMFA
	case u.MFA.SMSPreferred && u.MFA.SMSEnabled:
		preferred = challengeSMSMFA
	case u.MFA.EmailPreferred && u.MFA.EmailEnabled:
		preferred = challengeEmailOTP
	}
	return preferred, list
}

// MFAPreference is one factor's part of SetUserMFAPreference; nil leaves
// the factor as it is.
type MFAPreference struct {
	Enabled   bool
	Preferred bool
}

// MFAPreferences is SetUserMFAPreference's and AdminSetUserMFAPreference's
// input.
type MFAPreferences struct {
	SMS, SoftwareToken, Email *MFAPreference
}

// SetUserMFAPreference sets the signed-in user's MFA preferences.
func (s *Service) SetUserMFAPreference(ctx context.Context, token string, in MFAPreferences) error {
	p, u, _, err := s.authenticate(ctx, token)
	if err != nil {
		return err
	}
	return s.setMFAPreference(ctx, p, u, in)
}

// AdminSetUserMFAPreference sets a user's MFA preferences.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, poolID, username string, in MFAPreferences) error {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.setMFAPreference(ctx, p, u, in)
}

func (s *Service) setMFAPreference(ctx context.Context, p *pool, u *User, in MFAPreferences) error {
	if v := in.Email; v != nil && v.Enabled {
		if _, _, email := p.set.mfaFactors(); !email {
			return newErr(ErrInvalidParameter, "Email MFA is not enabled for this user pool: turn it on with SetUserPoolMfaConfig's EmailMfaConfiguration.")
		}
	}
	_, err := s.updateUser(ctx, p, u, func(n *User) error {
		factors := []struct {
			in                 *MFAPreference
			enabled, preferred *bool
			name               string
			deliverable        bool // the user has where to send its codes
		}{
			{in.SMS, &n.MFA.SMSEnabled, &n.MFA.SMSPreferred, challengeSMSMFA, n.Attributes["phone_number"] != ""},
			{in.SoftwareToken, &n.MFA.TOTPEnabled, &n.MFA.TOTPPreferred, challengeTOTPMFA, n.MFA.TOTPSecret != ""},
			{in.Email, &n.MFA.EmailEnabled, &n.MFA.EmailPreferred, challengeEmailOTP, n.Attributes["email"] != ""},
		}
		for i, f := range factors {
			if f.in == nil {
				continue
			}
			if f.in.Enabled && !f.deliverable {
				return newErr(ErrInvalidParameter, "User does not have delivery config set to turn on %s", f.name)
			}
			*f.enabled, *f.preferred = f.in.Enabled, f.in.Enabled && f.in.Preferred
			if *f.preferred { // one preferred factor at a time
				for j, g := range factors {
					if j != i {
						*g.preferred = false
					}
				}
			}
		}
		return nil
	})
	return err
}

// checkEmailMFA checks the email MFA that in turns on for a pool with
// these settings, as Cognito does: the Essentials or Plus feature plan,
// email sent through Amazon SES (EmailSendingAccount DEVELOPER, as for
// USER_AUTH's EMAIL_OTP), and a template of the model's shape.
func (s *PoolSettings) checkEmailMFA(in PoolMFAConfig) error {
	var tier string
	s.other("UserPoolTier", &tier)
	if tier == "LITE" {
		return newErr(ErrFeatureUnavailableInTier, "Email MFA is not available in the LITE feature plan: set UserPoolTier to ESSENTIALS or PLUS.")
	}
	var ec struct {
		EmailSendingAccount string `json:"EmailSendingAccount"`
	}
	s.other("EmailConfiguration", &ec)
	if ec.EmailSendingAccount != "DEVELOPER" {
		return newErr(ErrInvalidParameter, "Email MFA needs email sent through Amazon SES: set EmailConfiguration.EmailSendingAccount to DEVELOPER (it is %s).", orDefault(ec.EmailSendingAccount, "COGNITO_DEFAULT"))
	}
	if m := in.EmailMessage; m != "" {
		if n := len([]rune(m)); n < 6 || n > 20000 {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'emailMfaConfiguration.message' failed to satisfy constraint: Member must have length between 6 and 20000")
		}
		if !emailMessageRE.MatchString(m) {
			return patternErr(m, "emailMfaConfiguration.message", emailMessageRE)
		}
	}
	if sub := in.EmailSubject; sub != "" && !emailSubjectRE.MatchString(sub) {
		return patternErr(sub, "emailMfaConfiguration.subject", emailSubjectRE)
	}
	return nil
}
