package sqlsource

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/timing"
)

// errUnreadableRow marks a row the driver could not scan: that user's
// record is unusable, the source is not at fault.
var errUnreadableRow = errors.New("row cannot be read")

// floorRuns is how many dummy verifications measure the padding floor.
const floorRuns = 3

// usableDummy reports why h cannot serve as the unknown-user dummy: it
// must parse and fit the verification budget for a typical password.
func (s *Source) usableDummy(h passhash.Hash) error {
	if _, err := s.verifier.Identify(h); err != nil {
		return err
	}
	return nil
}

// fallbackDummy is a well-formed bcrypt hash of a random password at the
// frameworks' common cost, for a table with no usable hash to sample.
func fallbackDummy() (passhash.Hash, error) {
	enc, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), fallbackDummyCost)
	if err != nil {
		return passhash.Hash{}, err
	}
	return passhash.Hash{Encoded: string(enc)}, nil
}

// measureFloor times floorRuns verifications of the dummy and keeps the
// median, with timing.Headroom: every answer that is not a match, the
// unknown user's included, is padded to it, so a wrong password on a
// cheap row costs what an unknown user costs.
func (s *Source) measureFloor(ctx context.Context, h passhash.Hash) time.Duration {
	runs := make([]time.Duration, 0, floorRuns)
	for range floorRuns {
		start := time.Now()
		if _, err := s.verifier.Verify(ctx, rand.Text(), h); err != nil {
			return 0
		}
		runs = append(runs, time.Since(start))
	}
	return timing.Headroom(timing.Median(runs))
}

// pad waits until the verification begun at start has taken the floor
// (timing.Pad: never past ctx's deadline).
func (s *Source) pad(ctx context.Context, start time.Time) {
	s.dummyMu.Lock()
	floor := s.floor
	s.dummyMu.Unlock()
	timing.Pad(ctx, start, floor)
}

// badRow answers for a matched user whose own row cannot be used: it
// spends what a wrong password costs (a dummy verification, padded) and
// returns the user's *source.RecordError; only a fault of the dummy itself
// is returned as an error of its own.
func (s *Source) badRow(ctx context.Context, password, userID string, rec error) error {
	start := time.Now()
	if err := s.spend(ctx, password); err != nil {
		return s.fault("authenticate", err)
	}
	s.pad(ctx, start)
	var re *source.RecordError
	if errors.As(rec, &re) {
		s.log.WarnContext(ctx, "legacy user's record is unusable", "user_id", re.UserID, "reason", re.Reason, "error", re.Err)
	}
	return rec
}
