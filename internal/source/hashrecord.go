package source

import (
	"errors"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// HashRecord turns a verification error that belongs to the stored hash
// (unknown, malformed, over budget, not allowed) into the user's
// *RecordError; any other error (a cancelled context) gives nil. Sources
// that verify stored hashes themselves share it, so one stored value is
// the same outcome whatever source holds it.
func HashRecord(userID string, err error) *RecordError {
	var reason string
	switch {
	case errors.Is(err, passhash.ErrCostTooHigh):
		reason = RecordHashOverBudget
	case errors.Is(err, passhash.ErrUnknownFormat):
		reason = RecordHashUnknown
	case errors.Is(err, passhash.ErrMalformed):
		reason = RecordHashMalformed
	case errors.Is(err, passhash.ErrNotAllowed):
		reason = RecordHashNotAllowed
	default:
		return nil
	}
	return &RecordError{UserID: userID, Reason: reason, Err: err}
}
