package sqlsource

import (
	"context"
	"errors"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.Warmer = (*Source)(nil)

// Warm learns the padding floor before the first sign-in (source.Pacer's
// Warm) from the dummy and the stored hashes of the first
// source.WarmSample listed rows. A source that cannot list (custom
// statements without query.list) warms the dummy only.
func (s *Source) Warm(ctx context.Context) error {
	if err := s.ready(ctx); err != nil {
		return s.fault("warm", err)
	}
	err := s.pacer.Warm(ctx, func(yield func(passhash.Hash)) error {
		err := s.SampleHashes(ctx, source.WarmSample, func(h source.HashSample) error {
			if h.Encoded != "" {
				yield(passhash.Hash{Encoded: h.Encoded, Salt: h.Salt, Format: h.Format})
			}
			return nil
		})
		if errors.Is(err, ErrNoListing) {
			return nil
		}
		return err
	})
	var se *source.Error
	if err == nil || errors.As(err, &se) { // the listing's faults name the source already
		return err
	}
	return s.fault("warm", err)
}
