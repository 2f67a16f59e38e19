package userpool

import (
	"context"
	"strings"
)

// CustomMessage trigger sources.
const (
	sourceMessageSignUp              = "CustomMessage_SignUp"
	sourceMessageAdminCreateUser     = "CustomMessage_AdminCreateUser"
	sourceMessageResendCode          = "CustomMessage_ResendCode"
	sourceMessageForgotPassword      = "CustomMessage_ForgotPassword"
	sourceMessageUpdateUserAttribute = "CustomMessage_UpdateUserAttribute"
	sourceMessageVerifyUserAttribute = "CustomMessage_VerifyUserAttribute"
	sourceMessageAuthentication      = "CustomMessage_Authentication"
)

// Cognito gives the function codePlaceholder in codeParameter and (for the
// invitation) usernamePlaceholder in usernameParameter (messages.go); the
// message it returns carries them and the pool puts the real code and
// username in their place.

// messageSources is the CustomMessage trigger source of each kind of
// outbox message; an operation that shares a kind with another names its
// own source with withTriggerSource (ResendConfirmationCode,
// GetUserAttributeVerificationCode).
var messageSources = map[string]string{
	"confirmation":   sourceMessageSignUp,
	"reset":          sourceMessageForgotPassword,
	"invitation":     sourceMessageAdminCreateUser,
	"verification":   sourceMessageUpdateUserAttribute,
	"authentication": sourceMessageAuthentication,
	"mfa":            sourceMessageAuthentication,
}

// customMessageResponse is events.CognitoEventUserPoolsCustomMessageResponse.
type customMessageResponse struct {
	SMSMessage   *string `json:"smsMessage"`
	EmailMessage *string `json:"emailMessage"`
	EmailSubject *string `json:"emailSubject"`
}

// customMessage runs the pool's CustomMessage trigger for a message of
// kind about to go to u by medium, and returns the body and subject to
// deliver: the function's for that medium with the code and username put
// in place of their placeholders, or body and subject unchanged when the
// function leaves them null or empty. Messages without a code (a migrated
// user's welcome) do not raise the trigger. A message that drops the code
// placeholder would deliver no code: it is an invalid answer.
func (s *Service) customMessage(ctx context.Context, u *User, kind, medium, code, body, subject string) (string, string, error) {
	source, known := messageSources[kind]
	if !known || code == "" {
		return body, subject, nil
	}
	p, err := s.loadPool(ctx, u.PoolID)
	if err != nil {
		return "", "", err
	}
	arn := p.set.LambdaConfig.CustomMessage
	if arn == "" {
		return body, subject, nil
	}
	tc := callOf(ctx)
	if strings.HasPrefix(tc.source, "CustomMessage_") {
		source = tc.source
	}
	var usernameParam *string
	if source == sourceMessageAdminCreateUser {
		usernameParam = new(string)
		*usernameParam = usernamePlaceholder
	}
	attrs := map[string]any{}
	for k, v := range eventAttributes(p, u) {
		attrs[k] = v
	}
	ev := newEvent(p, tc, "1", source, u.Username)
	ev.Request = struct {
		UserAttributes    map[string]any    `json:"userAttributes"`
		CodeParameter     string            `json:"codeParameter"`
		UsernameParameter *string           `json:"usernameParameter"`
		ClientMetadata    map[string]string `json:"clientMetadata"`
	}{attrs, codePlaceholder, usernameParam, nonNil(tc.meta)}
	ev.Response = customMessageResponse{}
	var r customMessageResponse
	if err := s.runTrigger(ctx, p, triggerCustomMessage, arn, ev, &r); err != nil {
		return "", "", err
	}
	custom := r.SMSMessage
	if medium == "EMAIL" {
		custom = r.EmailMessage
		if r.EmailSubject != nil && *r.EmailSubject != "" {
			subject = *r.EmailSubject
		}
	}
	if custom == nil || *custom == "" {
		return body, subject, nil
	}
	if !strings.Contains(*custom, codePlaceholder) {
		return "", "", newErr(ErrInvalidLambdaResponse,
			"Invalid lambda function output : the %s message must contain the code parameter %s.", strings.ToLower(medium), codePlaceholder)
	}
	out := strings.ReplaceAll(*custom, codePlaceholder, code)
	if usernameParam != nil {
		out = strings.ReplaceAll(out, usernamePlaceholder, u.Username)
	}
	return out, subject, nil
}
