package trigger

import (
	"log/slog"
)

// Trigger sources of the user-migration trigger.
const (
	SourceAuthentication = "UserMigration_Authentication"
	SourceForgotPassword = "UserMigration_ForgotPassword"
)

// Event is the user-migration event exactly as Cognito sends it, and, with
// Response filled in, the answer it expects back.
//
// aws-lambda-go's events.CognitoEventUserPoolsMigrateUser lacks enableSMSMFA
// and marshals an untouched response as zero values; Ferry defines its own
// shape, round-trip-tested against aws-lambda-go's testdata. Unknown keys that
// Cognito may add later are ignored on input.
type Event struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
	Request       Request       `json:"request"`
	Response      Response      `json:"response"`
}

// CallerContext says which SDK and app client made the request.
type CallerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// Request carries what the user typed. Password is absent for ForgotPassword.
type Request struct {
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	// UserAttributes is undocumented for this trigger and arrives as null.
	UserAttributes map[string]string `json:"userAttributes,omitempty"`
}

// Response is what the function answers. Pointer and omitempty fields stay
// out of the JSON when unset, so "not set" never becomes "" on the wire.
type Response struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus,omitempty"`
	MessageAction          string            `json:"messageAction,omitempty"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums,omitempty"`
	ForceAliasCreation     *bool             `json:"forceAliasCreation,omitempty"`
	EnableSMSMFA           *bool             `json:"enableSMSMFA,omitempty"`
}

// LogValue redacts the password so an Event can be logged whole.
func (r Request) LogValue() slog.Value {
	pw := ""
	if r.Password != "" {
		pw = "[REDACTED]"
	}
	return slog.GroupValue(
		slog.String("password", pw),
		slog.Any("validationData", r.ValidationData),
		slog.Any("clientMetadata", r.ClientMetadata),
	)
}

// LogValue redacts the password so an Event can be logged whole.
func (e Event) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("version", e.Version),
		slog.String("triggerSource", e.TriggerSource),
		slog.String("region", e.Region),
		slog.String("userPoolId", e.UserPoolID),
		slog.String("userName", e.UserName),
		slog.String("clientId", e.CallerContext.ClientID),
		slog.Any("request", e.Request),
		slog.Any("response", e.Response),
	)
}
