// Package source declares what Ferry needs from a legacy user directory: a
// Source that authenticates a user with the password they typed and finds a
// user without one (for forgot-password), the User it returns, and the
// sentinel outcomes that are not faults.
//
// Backends live in sub-packages with a "source" suffix (sqlsource,
// filesource, ldapsource, …) and all pass the conformance suite in
// sourcetest. This package imports no backend.
package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Outcomes that are not faults. A Source returns exactly one of these (possibly
// wrapped) when the legacy directory answered and the answer was "no"; any
// other error is a fault (source down, malformed hash, cancelled context) and
// must never be reported to a user as a wrong password.
var (
	// ErrUserNotFound: no legacy user matches the name.
	ErrUserNotFound = errors.New("user not found")
	// ErrInvalidPassword: the user exists and the password does not match.
	ErrInvalidPassword = errors.New("invalid password")
	// ErrUserDisabled: the user exists but is disabled or locked in the legacy directory.
	ErrUserDisabled = errors.New("user disabled")
	// ErrBadRecord: the name matched, but the user's own record cannot be
	// used: its stored hash is of an unknown family, malformed, or over
	// the work budget; the name matches several records; or the record's
	// data cannot be read. It is an outcome for that one user (returned as
	// a *RecordError), never a source fault: it must not open a circuit
	// breaker or refuse anyone else.
	ErrBadRecord = errors.New("unusable legacy record")
)

// Reasons of a RecordError, as logged and as `ferry audit` counts them.
const (
	RecordHashUnknown    = "hash_unknown"     // no hash family recognises the stored value
	RecordHashMalformed  = "hash_malformed"   // the stored value claims a family but does not parse
	RecordHashOverBudget = "hash_over_budget" // verifying it would exceed the time or memory budget
	RecordHashNotAllowed = "hash_not_allowed" // the family is recognised but disabled by configuration
	RecordAmbiguous      = "ambiguous_name"   // the name matches more than one record
	RecordUnreadable     = "unreadable"       // the record's columns or attributes cannot be read
)

// RecordError is ErrBadRecord with the legacy id (when known) and the
// reason. errors.Is(err, ErrBadRecord) holds for it, and so does
// errors.Is(err, e.Err).
type RecordError struct {
	UserID string // legacy id of the record, empty when several matched
	Reason string // one of the Record* reasons
	Err    error  // the underlying error, for the operator's log
}

func (e *RecordError) Error() string {
	msg := "unusable legacy record"
	if e.UserID != "" {
		msg += " " + e.UserID
	}
	msg += " (" + e.Reason + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *RecordError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrBadRecord}
	}
	return []error{ErrBadRecord, e.Err}
}

// ErrBackendAuth is a fault, never an outcome: the legacy backend refused
// Ferry's own credentials (PostgreSQL SQLSTATE 28P01, MySQL error 1045, an
// LDAP service-account bind answered 49, an HTTP 401 with a
// WWW-Authenticate challenge). Sources wrap it around the driver's error so
// the caller can tell a rotated secret from a backend that is down, fetch
// the secret again and reopen the source.
var ErrBackendAuth = errors.New("backend refused the service credentials")

// IsOutcome reports whether err is one of the non-fault outcomes above.
func IsOutcome(err error) bool {
	return errors.Is(err, ErrUserNotFound) || errors.Is(err, ErrInvalidPassword) ||
		errors.Is(err, ErrUserDisabled) || errors.Is(err, ErrBadRecord)
}

// Source is a legacy user directory.
//
// Contract (checked by sourcetest.Run):
//   - name is the name as typed, already trimmed and case-folded by the caller
//     according to the configured rule; a Source may match it against a
//     username or an email column as its configuration says.
//   - Authenticate returns the user when password matches, ErrInvalidPassword
//     when it does not, ErrUserNotFound when no user matches, ErrUserDisabled
//     when the user is disabled (whatever the password). An unknown user must
//     cost the same time as a wrong password: a Source that verifies hashes
//     performs a real dummy verification at the configured cost.
//   - An empty password is always ErrInvalidPassword (never a bind or a match).
//   - Lookup returns the user without verifying any password, or one of the
//     outcomes above (a disabled user is ErrUserDisabled).
//   - Both honour ctx: a cancelled or expired context is a fault, returned
//     promptly.
//   - Both are safe for concurrent use.
type Source interface {
	Authenticate(ctx context.Context, name, password string) (*User, error)
	Lookup(ctx context.Context, name string) (*User, error)
}

// Marker is an optional capability: a Source that can record, idempotently,
// that a user has been migrated (e.g. UPDATE … SET migrated_at = now() WHERE …
// AND migrated_at IS NULL). Calling it twice for one user is not an error.
type Marker interface {
	MarkMigrated(ctx context.Context, u *User) error
}

// Checker is an optional capability: a Source that can report its health
// (connect, run a trivial query) for `ferry check`.
type Checker interface {
	Check(ctx context.Context) error
}

// Lister is an optional capability: a Source that can enumerate its users,
// for `ferry status` (how far the migration has come) and `ferry export`
// (the users who never signed in, as a Cognito CSV import file).
//
// Contract:
//   - List calls fn once per user, in a stable order, streaming: a source
//     reads its users a page at a time and never holds the whole directory
//     in memory. The User passed to fn is fn's own to keep; it carries no
//     password hash. Entry says whether the user is disabled in the legacy
//     directory and, when the source keeps write-back marks, whether the
//     user is marked as migrated.
//   - An error returned by fn stops the listing and is returned as is.
//   - Count reports how many users List would visit and, when the source
//     keeps marks, how many of them are marked migrated. A source without
//     marks (no write-back configured, or its column not added yet) says so
//     with Counts.Marked false: progress must then be read from the pool.
//   - Both honour ctx and are safe for concurrent use.
type Lister interface {
	List(ctx context.Context, fn func(Entry) error) error
	Count(ctx context.Context) (Counts, error)
}

// Entry is one user as a Lister visits it.
type Entry struct {
	User *User
	// Disabled: the user is disabled or locked in the legacy directory.
	Disabled bool
	// Migrated: the source holds a write-back mark for the user. Always
	// false when the source keeps no marks.
	Migrated bool
}

// Counts is what Lister.Count reports.
type Counts struct {
	// Total counts every user List visits, disabled ones included.
	Total int
	// Migrated counts the users marked migrated; 0 when Marked is false.
	Migrated int
	// Marked is true when the source keeps write-back marks; when false,
	// MarksReason says why (for the operator).
	Marked      bool
	MarksReason string
}

// HashSampler is an optional capability: a Source that stores password
// hashes streams them, so `ferry check` can report which hash families the
// legacy store holds and `ferry audit` can classify every user's hash
// before any user signs in.
//
// Contract:
//   - SampleHashes calls fn once per stored hash, in List's order,
//     streaming, for at most limit users (limit <= 0: every user). It
//     passes stored hashes only, in the form the Source would verify them,
//     with the legacy id; no other user data.
//   - A user without a usable password (an empty or "unusable" value)
//     is passed with Encoded empty.
//   - An error returned by fn stops the walk and is returned as is.
//   - It honours ctx and is safe for concurrent use.
type HashSampler interface {
	SampleHashes(ctx context.Context, limit int, fn func(HashSample) error) error
}

// HashSample is one stored hash as a HashSampler passes it; Encoded, Salt
// and Format mean what passhash.Hash's fields of the same names mean.
type HashSample struct {
	UserID  string
	Encoded string
	Salt    string
	Format  string
}

// User is a legacy user as a Source found it.
type User struct {
	// ID is the legacy primary key, stable across renames; it is what a
	// write-back marks and what may be kept in a custom attribute.
	ID string
	// Username is the legacy username (may equal Email in email-only systems).
	Username string
	// Email and Phone are the user's contact channels, with the legacy
	// system's idea of whether they are verified.
	Email         string
	EmailVerified bool
	Phone         string
	PhoneVerified bool
	// Attributes holds further mapped values keyed by the Cognito attribute
	// name they map to (e.g. "given_name", "custom:legacy_id"), as configured.
	Attributes map[string]string
	// Groups lists group or role names, when the source knows them.
	Groups []string
	// HashFamily names the legacy password hash family that verified the
	// password ("bcrypt", "aspnet-identity-v3", …), empty when the source
	// verified by other means (LDAP bind, HTTP call).
	HashFamily string
	// WeakHash is true when the stored hash is of a family or with parameters
	// that policy may treat as weak (RESET_REQUIRED).
	WeakHash bool
	// ResetRequired is true when the legacy directory itself requires a new
	// password (an HTTP source's password_reset_required, Keycloak's
	// UPDATE_PASSWORD required action): the user migrates RESET_REQUIRED,
	// whatever the policy.
	ResetRequired bool
}

// LogValue lets a User be logged without its attribute values (which may be
// personal data); only the identifying fields are shown.
func (u *User) LogValue() slog.Value {
	if u == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("id", u.ID),
		slog.String("username", u.Username),
		slog.String("hash_family", u.HashFamily),
		slog.Bool("weak_hash", u.WeakHash),
		slog.Bool("reset_required", u.ResetRequired),
	)
}

// Error is a fault in a source, with the source's name and the operation.
type Error struct {
	Source string // configured source name
	Op     string // "authenticate", "lookup", "mark", "check", "open"
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("source %s: %s: %v", e.Source, e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Mapping describes what a configured source can fill in, so that a pool
// can be checked against it before go-live (ferry preflight).
type Mapping struct {
	// Attributes are the Cognito attribute names the source can answer
	// (email and phone_number with their _verified flags included when it
	// reads them), before the migration policy's allow-list.
	Attributes []string
	// EmailVerified and PhoneVerified say whether a verified email or phone
	// number can come from the source itself.
	EmailVerified, PhoneVerified bool
	// FoldsCase is true when the source matches names regardless of case
	// by itself.
	FoldsCase bool
}

// Warmer is an optional capability: a Source that can learn, before its
// first sign-in, what its answers cost (sqlsource: one verification of the
// unknown-user dummy and one of its dearest stored hash, so that the
// padding floor holds from the first answer). Long-lived processes call it
// once at start-up (Lambda's init phase, ferry serve); it is best-effort:
// after an error, sign-ins go on and the source learns as they come.
type Warmer interface {
	Warm(ctx context.Context) error
}

// Describer is an optional capability of a backend's Config: the Mapping
// the source it opens will have, known without opening it.
type Describer interface {
	Mapping() Mapping
}
