package source

import (
	"errors"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// HashRecord turns a verification error that belongs to a user's stored
// hash (of an unknown family, malformed, over the work budget, or of a
// family the configuration disallows) into that user's *RecordError, and
// returns nil for any other error (a cancelled context, a fault of the
// verifier itself). Every source that verifies stored hashes classifies
// them with it, so one hostile row is that row's outcome and never a
// source fault that could open a circuit breaker for everyone.
func HashRecord(userID string, err error) error {
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
