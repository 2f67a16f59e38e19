package sqlsource

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.Warmer = (*Source)(nil)

// warmSample is how many listed rows Warm reads to find the table's
// dearest hash: a few pages of the listing, milliseconds of SQL.
const warmSample = 2000

// Warm learns the padding floor before the first sign-in: it verifies the
// unknown-user dummy once, then the dearest stored hash among the first
// warmSample listed rows (by the verifier's cost estimate) when it is
// dearer than the dummy, each with a random password, and records each
// cost in its class of the floor as a wrong password's would be. So from
// the first answer, an unknown name and a wrong password on a row of the
// dearest family take the same time; without it, a process's first wrong
// passwords on a family dearer than the dummy would show until one had
// been verified. Only the dearest hash matters: the floor is a quarter
// above the dearest class's median.
//
// A source that cannot list (custom statements without query.list) warms
// the dummy only. Rows that cannot be verified (malformed, over budget)
// are skipped: they are their users' outcomes, not the source's.
func (s *Source) Warm(ctx context.Context) error {
	if err := s.ready(ctx); err != nil {
		return s.fault("warm", err)
	}
	if err := s.spend(ctx, rand.Text()); err != nil {
		return s.fault("warm", err)
	}
	dummy, err := s.dummyHash(ctx)
	if err != nil {
		return s.fault("warm", err)
	}
	floor, _, err := s.verifier.Estimate(dummy, identifyLen)
	if err != nil {
		floor = 0
	}
	var dearest passhash.Hash
	var cost time.Duration
	err = s.SampleHashes(ctx, warmSample, func(h source.HashSample) error {
		if h.Encoded == "" {
			return nil
		}
		hash := passhash.Hash{Encoded: h.Encoded, Salt: h.Salt, Format: h.Format}
		if d, _, err := s.verifier.Estimate(hash, identifyLen); err == nil && d > cost {
			dearest, cost = hash, d
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrNoListing):
		return nil
	case err != nil:
		return err
	case cost <= floor:
		return nil // the dummy is the dearest: its class is learnt
	}
	start := time.Now()
	res, err := s.verifier.Verify(ctx, rand.Text(), dearest)
	if err != nil {
		if ctx.Err() != nil {
			return s.fault("warm", fmt.Errorf("verify the dearest stored hash: %w", err))
		}
		return nil
	}
	s.floor.Observe(s.familyClass(res.Family), time.Since(start))
	return nil
}

// identifyLen is the password length the cost estimates assume: a
// typical password, as passhash.Identify assumes.
const identifyLen = 16
