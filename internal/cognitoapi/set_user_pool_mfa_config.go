package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func setUserPoolMfaConfig(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID                    string                      `json:"UserPoolId"`
		MfaConfiguration              string                      `json:"MfaConfiguration"`
		SmsMfaConfiguration           *smsMfaConfigType           `json:"SmsMfaConfiguration"`
		SoftwareTokenMfaConfiguration *softwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration"`
		EmailMfaConfiguration         *emailMfaConfigType         `json:"EmailMfaConfiguration"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	set := userpool.PoolMFAConfig{MfaConfiguration: in.MfaConfiguration}
	if e := in.EmailMfaConfiguration; e != nil {
		set.Email, set.EmailMessage, set.EmailSubject = true, e.Message, e.Subject
	}
	if in.SmsMfaConfiguration != nil {
		set.SMS = true
		set.SmsAuthenticationMessage = in.SmsMfaConfiguration.SmsAuthenticationMessage
		set.SmsConfiguration = in.SmsMfaConfiguration.SmsConfiguration
	}
	if in.SoftwareTokenMfaConfiguration != nil {
		set.SoftwareToken = in.SoftwareTokenMfaConfiguration.Enabled
	}
	m, err := s.svc.SetPoolMFAConfig(ctx, in.UserPoolID, set)
	if err != nil {
		return nil, err
	}
	return mfaConfigResult(m), nil
}
