package cognitoapi

import (
	"context"
	"encoding/json"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// smsMfaConfigType is SmsMfaConfigType.
type smsMfaConfigType struct {
	SmsAuthenticationMessage string          `json:"SmsAuthenticationMessage,omitempty"`
	SmsConfiguration         json.RawMessage `json:"SmsConfiguration,omitempty"`
}

// softwareTokenMfaConfigType is SoftwareTokenMfaConfigType.
type softwareTokenMfaConfigType struct {
	Enabled bool `json:"Enabled"`
}

// emailMfaConfigType is EmailMfaConfigType.
type emailMfaConfigType struct {
	Message string `json:"Message,omitempty"`
	Subject string `json:"Subject,omitempty"`
}

// mfaConfigOut is GetUserPoolMfaConfig's and SetUserPoolMfaConfig's
// output.
type mfaConfigOut struct {
	SmsMfaConfiguration           *smsMfaConfigType          `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration softwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration"`
	EmailMfaConfiguration         *emailMfaConfigType        `json:"EmailMfaConfiguration,omitempty"`
	MfaConfiguration              string                     `json:"MfaConfiguration"`
}

func mfaConfigResult(m *userpool.PoolMFAConfig) mfaConfigOut {
	out := mfaConfigOut{MfaConfiguration: m.MfaConfiguration,
		SoftwareTokenMfaConfiguration: softwareTokenMfaConfigType{Enabled: m.SoftwareToken}}
	if m.SMS {
		out.SmsMfaConfiguration = &smsMfaConfigType{SmsAuthenticationMessage: m.SmsAuthenticationMessage,
			SmsConfiguration: m.SmsConfiguration}
	}
	if m.Email {
		out.EmailMfaConfiguration = &emailMfaConfigType{Message: m.EmailMessage, Subject: m.EmailSubject}
	}
	return out
}

func getUserPoolMfaConfig(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	m, err := s.svc.GetPoolMFAConfig(ctx, in.UserPoolID)
	if err != nil {
		return nil, err
	}
	return mfaConfigResult(m), nil
}
