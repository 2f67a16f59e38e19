// What one migration is asked (Request) and answers (Result), the outcomes
// that are not a migration, and the faults.

package migration

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Kind is what started the migration.
type Kind int

// Kinds of request: Cognito's two user-migration trigger sources.
const (
	Authentication Kind = iota + 1
	ForgotPassword
)

func (k Kind) String() string {
	switch k {
	case Authentication:
		return "authentication"
	case ForgotPassword:
		return "forgot-password"
	default:
		return fmt.Sprintf("kind(%d)", int(k))
	}
}

// Request is what the user typed and where it came from.
type Request struct {
	Kind Kind
	// Username is the name as typed (it may be an email or phone alias).
	Username string
	// Password is empty for ForgotPassword.
	Password string
	// ClientID is the Cognito app client the user signed in with.
	ClientID string
	// RequestID correlates the log line with the invocation.
	RequestID string
	// ValidationData and ClientMetadata are passed through from Cognito.
	ValidationData map[string]string
	ClientMetadata map[string]string
}

// LogValue redacts the password.
func (r Request) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", r.Kind.String()),
		slog.String("username", r.Username),
		slog.Bool("password_set", r.Password != ""),
		slog.String("client_id", r.ClientID),
		slog.String("request_id", r.RequestID),
	)
}

// Result is what Cognito should create.
type Result struct {
	UserAttributes         map[string]string
	FinalUserStatus        string
	MessageAction          string // "" means unset: Cognito sends its welcome message
	DesiredDeliveryMediums []string
	ForceAliasCreation     bool
	EnableSMSMFA           bool
	// Source is the configured name of the source that answered.
	Source string
	// User is the legacy user as found.
	User *source.User
	// Shadow is set, with ErrShadow, when the rollout is in shadow mode:
	// the fields above are the answer that would have been sent.
	Shadow bool
	// Outcome is how the request ended; every Result from Migrate has one.
	Outcome Outcome
	// Reason is the reason code of an unmigratable user (a Reason* code)
	// or of a bad record (a source.Record* reason).
	Reason string
	// Refusals are Cognito's rules the legacy data broke: for a migrated
	// user, the attributes dropped or repaired; for an unmigratable one,
	// every rule that stands in the way.
	Refusals []Refusal
}

// ErrNotMigrated is the one error for every "no": unknown user, wrong
// password, disabled user, a name the lookup mode does not accept, an
// unusable record, a user Cognito would refuse. Which one it was is the
// Result's Outcome and is logged, never told to the user.
var ErrNotMigrated = errors.New("user not migrated")

// ErrPasswordTooLong: the typed password is longer than Cognito accepts
// (MaxPasswordLength characters), so it cannot be a legacy user's Cognito
// password either; no source saw it.
var ErrPasswordTooLong = fmt.Errorf("%w: password longer than %d characters", ErrNotMigrated, MaxPasswordLength)

// ErrNoVerifiedChannel: a forgot-password answer would carry neither a
// verified email nor a verified phone, so Cognito could not send a code.
// It is the user's outcome (OutcomeNoVerifiedChannel), not a fault: the
// source answered, the user's record has no channel.
var ErrNoVerifiedChannel = fmt.Errorf("%w: no verified email or phone number for the reset code", ErrNotMigrated)

// Fault is a migration that could not be decided: a source fault or a
// deadline. It must never be reported to a user as a wrong password. (An
// answer Cognito would reject is not a fault but the user's outcome,
// OutcomeUnmigratable.)
type Fault struct {
	Source string // configured source name, empty when not source-specific
	Err    error
}

func (f *Fault) Error() string {
	if f.Source == "" {
		return "migration fault: " + f.Err.Error()
	}
	if se := (*source.Error)(nil); errors.As(f.Err, &se) && se.Source == f.Source {
		return fmt.Sprintf("migration fault in source %s: %s: %v", f.Source, se.Op, se.Err) // the name once
	}
	return fmt.Sprintf("migration fault in source %s: %v", f.Source, f.Err)
}

func (f *Fault) Unwrap() error { return f.Err }
