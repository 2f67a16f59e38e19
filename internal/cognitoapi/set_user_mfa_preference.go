package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// mfaSettingsIn is SMSMfaSettingsType, SoftwareTokenMfaSettingsType and
// EmailMfaSettingsType.
type mfaSettingsIn struct {
	Enabled      bool `json:"Enabled"`
	PreferredMfa bool `json:"PreferredMfa"`
}

// mfaPreferenceIn is SetUserMFAPreference's and
// AdminSetUserMFAPreference's input.
type mfaPreferenceIn struct {
	AccessToken              string         `json:"AccessToken"`
	UserPoolID               string         `json:"UserPoolId"`
	Username                 string         `json:"Username"`
	SMSMfaSettings           *mfaSettingsIn `json:"SMSMfaSettings"`
	SoftwareTokenMfaSettings *mfaSettingsIn `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings         *mfaSettingsIn `json:"EmailMfaSettings"`
}

func (in mfaPreferenceIn) service() userpool.MFAPreferences {
	conv := func(v *mfaSettingsIn) *userpool.MFAPreference {
		if v == nil {
			return nil
		}
		return &userpool.MFAPreference{Enabled: v.Enabled, Preferred: v.PreferredMfa}
	}
	return userpool.MFAPreferences{SMS: conv(in.SMSMfaSettings), SoftwareToken: conv(in.SoftwareTokenMfaSettings),
		Email: conv(in.EmailMfaSettings)}
}

func setUserMFAPreference(ctx context.Context, s *Server, c *call) (any, error) {
	var in mfaPreferenceIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	return nil, s.svc.SetUserMFAPreference(ctx, in.AccessToken, in.service())
}
