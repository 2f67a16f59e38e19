package filesource

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.HashSampler = (*Source)(nil)

// SampleHashes passes the stored hash of each user of the file, in List's
// order (by id), for at most limit users (limit <= 0: every user).
func (s *Source) SampleHashes(ctx context.Context, limit int, fn func(source.HashSample) error) error {
	for i, e := range s.entries() {
		if limit > 0 && i >= limit {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return s.fault("sample", err)
		}
		if err := fn(source.HashSample{UserID: e.ID, Encoded: e.PasswordHash, Salt: e.Salt, Format: e.HashFormat}); err != nil {
			return err
		}
	}
	return nil
}
