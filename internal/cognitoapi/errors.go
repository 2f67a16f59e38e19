package cognitoapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// exceptions is the one table from the service's outcomes to Cognito
// exceptions. Every client error is HTTP 400, as real Cognito answers.
var exceptions = []struct {
	kind error
	name string
}{
	{userpool.ErrResourceNotFound, "ResourceNotFoundException"},
	{userpool.ErrInvalidParameter, "InvalidParameterException"},
	{userpool.ErrNotAuthorized, "NotAuthorizedException"},
	{userpool.ErrUserNotFound, "UserNotFoundException"},
	{userpool.ErrUsernameExists, "UsernameExistsException"},
	{userpool.ErrUserNotConfirmed, "UserNotConfirmedException"},
	{userpool.ErrPasswordResetRequired, "PasswordResetRequiredException"},
	{userpool.ErrInvalidPassword, "InvalidPasswordException"},
	{userpool.ErrCodeMismatch, "CodeMismatchException"},
	{userpool.ErrExpiredCode, "ExpiredCodeException"},
	{userpool.ErrAliasExists, "AliasExistsException"},
	{userpool.ErrTooManyFailedAttempts, "TooManyFailedAttemptsException"},
	{userpool.ErrLambdaValidation, "UserLambdaValidationException"},
	{userpool.ErrUnexpectedLambda, "UnexpectedLambdaException"},
	{userpool.ErrInvalidLambdaResponse, "InvalidLambdaResponseException"},
	{userpool.ErrUnsupportedOperation, "UnsupportedOperationException"},
	{userpool.ErrUnsupportedTokenType, "UnsupportedTokenTypeException"},
	{userpool.ErrUnauthorizedClient, "UnauthorizedException"},
	{userpool.ErrLimitExceeded, "LimitExceededException"},
	{userpool.ErrInvalidOAuthFlow, "InvalidOAuthFlowException"},
	{userpool.ErrScopeDoesNotExist, "ScopeDoesNotExistException"},
	{userpool.ErrGroupExists, "GroupExistsException"},
	{userpool.ErrFeatureUnavailableInTier, "FeatureUnavailableInTierException"},
	{userpool.ErrEnableSoftwareTokenMFA, "EnableSoftwareTokenMFAException"},
	{userpool.ErrSoftwareTokenMFANotFound, "SoftwareTokenMFANotFoundException"},
	{userpool.ErrUnsupportedUserState, "UnsupportedUserStateException"},
	{userpool.ErrTooManyRequests, "TooManyRequestsException"},
}

// apiError is an error already in Cognito's terms (decoding and dispatch
// errors, which never reach the service).
type apiError struct {
	name    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{name: "InvalidParameterException", status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// exception maps an error to Cognito's exception name, HTTP status and
// message. Anything the table does not know is a fault:
// InternalErrorException, 500, with a message that reveals nothing.
func exception(err error) (name string, status int, message string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.name, ae.status, ae.message
	}
	var se *userpool.Error
	if errors.As(err, &se) {
		for _, e := range exceptions {
			if errors.Is(se.Kind, e.kind) {
				return e.name, http.StatusBadRequest, se.Message
			}
		}
	}
	return "InternalErrorException", http.StatusInternalServerError, "Internal server error."
}

// writeError writes Cognito's error shape: the same name in __type and in
// x-amzn-ErrorType (clients differ in which they read), and the message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	name, status, message := exception(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "op", op, "err", err)
	} else {
		s.log.DebugContext(r.Context(), "request refused", "op", op, "exception", name, "err", err)
	}
	body, _ := json.Marshal(map[string]string{"__type": name, "message": message})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-ErrorType", name+":")
	h.Set("x-amzn-ErrorMessage", headerSafe(message))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// headerSafe keeps a message usable as a header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return ' '
		}
		return r
	}, s)
}
