// Package export writes legacy users as Amazon Cognito CSV user import
// files: the end of a migration, when the users who never signed in are
// bulk-imported (they land in RESET_REQUIRED and set a new password on
// their first sign-in).
//
// A Mapper turns a legacy user into one row, with exactly the attributes
// the migration trigger would have returned for them (the same policy:
// attribute allow-list, assumed verification, pool mode), plus Cognito's
// cognito:username and cognito:mfa_enabled columns. A Writer writes rows
// under a header, splitting into files of at most 500,000 rows and 100 MB,
// Cognito's limits per import job. No password hash is ever written: the
// import cannot carry one.
package export

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Cognito's special columns.
const (
	ColumnUsername   = "cognito:username"
	ColumnMFAEnabled = "cognito:mfa_enabled"
)

// StandardHeader is the header GetCSVHeader returns for a pool without
// custom attributes: Cognito's standard attributes, then its two columns.
// Every column of the header must be present in the file; order does not
// matter to the import.
var StandardHeader = []string{
	"name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email",
	"email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at",
	ColumnMFAEnabled, ColumnUsername,
}

// MaxUsernameLength is Cognito's limit on a username (128 characters).
const MaxUsernameLength = 128

// Reasons a user cannot be exported. Each reaches callers wrapped in a
// *SkipError naming the user.
var (
	// ErrNoVerifiedChannel is the migration's own: the row would carry
	// neither a verified email nor a verified phone number, and Cognito
	// rejects such a row (an imported user resets their password through
	// one of them).
	ErrNoVerifiedChannel = migration.ErrNoVerifiedChannel
	// ErrBadUsername: the user has no username Cognito accepts in
	// cognito:username (empty, too long, or with white space), or, in an
	// alias pool, only one that looks like an email or phone number.
	ErrBadUsername = errors.New("no username cognito accepts")
	// ErrNoMFAPhone: the pool requires MFA, so the row says
	// cognito:mfa_enabled true, and the user has no phone number to
	// receive the codes.
	ErrNoMFAPhone = errors.New("mfa required by the pool and no phone number")
	// ErrUnencodable: a value holds a line break or a double quote, or ends
	// with a backslash, which the import file format cannot carry.
	ErrUnencodable = errors.New("value cannot be written to an import file")
)

// SkipError is a user left out of the export, with the reason.
type SkipError struct {
	ID  string // legacy id
	Err error
}

func (e *SkipError) Error() string { return fmt.Sprintf("legacy user %s: %v", e.ID, e.Err) }

func (e *SkipError) Unwrap() error { return e.Err }

// Mapper maps legacy users to import rows under one header.
type Mapper struct {
	policy  migration.Policy
	header  []string
	columns map[string]bool
	mfa     bool
}

// RequireMFA makes rows say cognito:mfa_enabled true, as Cognito requires
// for a pool whose MFA configuration is ON; users without a phone number
// are then skipped with ErrNoMFAPhone. By default rows say false, which is
// what pools with MFA off or optional take.
func (m *Mapper) RequireMFA(on bool) { m.mfa = on }

// NewMapper returns a Mapper for the migration policy p (the one the
// trigger runs with) and the pool's CSV header (StandardHeader when no
// pool is at hand). The header must hold both cognito: columns.
func NewMapper(p migration.Policy, header []string) (*Mapper, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("migration policy: %w", err)
	}
	p = p.WithDefaults()
	m := &Mapper{policy: p, header: slices.Clone(header), columns: map[string]bool{}}
	for _, c := range header {
		if m.columns[c] {
			return nil, fmt.Errorf("header: column %q appears twice", c)
		}
		m.columns[c] = true
	}
	for _, c := range []string{ColumnUsername, ColumnMFAEnabled} {
		if !m.columns[c] {
			return nil, fmt.Errorf("header: no %s column", c)
		}
	}
	return m, nil
}

// Header returns the header rows are written under.
func (m *Mapper) Header() []string { return slices.Clone(m.header) }

// Attributes returns the attributes the migration trigger answers for u
// when the user signs in with their username (migration.Policy.UserAttributes).
func (m *Mapper) Attributes(u *source.User) map[string]string {
	return m.policy.UserAttributes(u)
}

// Username returns u's cognito:username under the pool mode: the legacy
// username (case-folded as the trigger folds what users type) in a
// username pool; the alias username the trigger would choose in an alias
// pool; the email (or else the phone number) in a pool whose users sign in
// with their email or phone as username.
func (m *Mapper) Username(u *source.User) (string, error) {
	var name string
	switch m.policy.PoolMode {
	case migration.PoolAlias:
		name = m.policy.AliasUsername(u)
		if migration.LooksLikeAlias(name) {
			return "", fmt.Errorf("%w: %q looks like an email or phone number in an alias pool", ErrBadUsername, name)
		}
	case migration.PoolEmailAsUsername:
		name = u.Email
		if name == "" {
			name = u.Phone
		}
	default:
		name = u.Username
	}
	name = m.policy.Fold(name)
	switch {
	case name == "":
		return "", fmt.Errorf("%w: empty", ErrBadUsername)
	case len([]rune(name)) > MaxUsernameLength:
		return "", fmt.Errorf("%w: longer than %d characters", ErrBadUsername, MaxUsernameLength)
	case strings.ContainsFunc(name, unicode.IsSpace):
		return "", fmt.Errorf("%w: %q holds white space", ErrBadUsername, name)
	}
	return name, nil
}

// Row is one user's import row.
type Row struct {
	// Record holds the values in header order.
	Record []string
	// Dropped lists the attributes the trigger would return that the header
	// has no column for, sorted: a pool without them would refuse the
	// trigger's answer too.
	Dropped []string
}

// Row maps u to its import row, or returns a *SkipError when Cognito could
// not import the user.
func (m *Mapper) Row(u *source.User) (Row, error) {
	skip := func(err error) (Row, error) { return Row{}, &SkipError{ID: u.ID, Err: err} }
	attrs := m.Attributes(u)
	if attrs["email_verified"] != "true" && attrs["phone_number_verified"] != "true" {
		return skip(ErrNoVerifiedChannel)
	}
	name, err := m.Username(u)
	if err != nil {
		return skip(err)
	}
	attrs[ColumnUsername] = name
	// The import must match the pool's MFA mode.
	attrs[ColumnMFAEnabled] = boolString(m.mfa)
	if m.mfa && attrs["phone_number"] == "" {
		return skip(ErrNoMFAPhone)
	}
	var r Row
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if !m.columns[k] {
			r.Dropped = append(r.Dropped, k)
		}
	}
	r.Record = make([]string, len(m.header))
	for i, c := range m.header {
		v := attrs[c]
		// A trailing backslash would escape the comma after the value.
		if strings.ContainsAny(v, "\r\n\"") || strings.HasSuffix(v, `\`) {
			return skip(fmt.Errorf("%w: column %s", ErrUnencodable, c))
		}
		r.Record[i] = v
	}
	return r, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
