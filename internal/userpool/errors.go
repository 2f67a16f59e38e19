package userpool

import (
	"errors"
	"fmt"
)

// Kinds of outcome the service reports. Each maps to exactly one Cognito
// exception in the API layer; the service itself never names exceptions.
var (
	ErrResourceNotFound      = errors.New("resource not found")
	ErrInvalidParameter      = errors.New("invalid parameter")
	ErrNotAuthorized         = errors.New("not authorized")
	ErrUserNotFound          = errors.New("user not found")
	ErrUsernameExists        = errors.New("username exists")
	ErrUserNotConfirmed      = errors.New("user not confirmed")
	ErrPasswordResetRequired = errors.New("password reset required")
	ErrInvalidPassword       = errors.New("invalid password")
	ErrCodeMismatch          = errors.New("code mismatch")
	ErrExpiredCode           = errors.New("expired code")
	ErrTooManyFailedAttempts = errors.New("too many failed attempts")
	ErrLambdaValidation      = errors.New("lambda validation")
	ErrUnexpectedLambda      = errors.New("unexpected lambda")
	ErrUnsupportedOperation  = errors.New("unsupported operation")
	ErrUnsupportedTokenType  = errors.New("unsupported token type")
	ErrUnauthorizedClient    = errors.New("unauthorized client")
	ErrLimitExceeded         = errors.New("limit exceeded")
	ErrInvalidLambdaResponse = errors.New("invalid lambda response")
	ErrInvalidOAuthFlow      = errors.New("invalid oauth flow")
	ErrScopeDoesNotExist     = errors.New("scope does not exist")
	ErrGroupExists           = errors.New("group exists")
	// ErrFeatureUnavailableInTier is a setting the pool's feature plan
	// (UserPoolTier) does not include.
	ErrFeatureUnavailableInTier = errors.New("feature unavailable in tier")
	// MFA outcomes.
	ErrEnableSoftwareTokenMFA   = errors.New("software token code mismatch")
	ErrSoftwareTokenMFANotFound = errors.New("software token mfa not found")
	ErrUnsupportedUserState     = errors.New("unsupported user state") // the user's status does not allow the request
	ErrTooManyRequests          = errors.New("too many requests")      // retryable: the request lost to concurrent ones
)

// Error is a service outcome: a Kind (one of the sentinels above) and the
// message Cognito shows for it. Err, when set, is the underlying cause, kept
// for logs and never shown to callers.
type Error struct {
	Kind    error
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%v: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Message)
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newErr(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Messages that Cognito uses verbatim in several places.
const (
	msgIncorrect        = "Incorrect username or password."
	msgUserNotExist     = "User does not exist."
	msgUserDisabled     = "User is disabled."
	msgNotConfirmed     = "User is not confirmed."
	msgResetRequired    = "Password reset required for the user"
	msgCodeMismatch     = "Invalid verification code provided, please try again."
	msgExpiredCode      = "Invalid code provided, please request a code again."
	msgForgotNotFound   = "Username/client id combination not found."
	msgNoVerifiedTarget = "Cannot reset password for the user as there is no registered/verified email or phone_number"
	msgTooManyAttempts  = "Attempt limit exceeded, please try after some time."
)

func errIncorrect() *Error { return newErr(ErrNotAuthorized, msgIncorrect) }
