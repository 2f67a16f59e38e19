package sqlsource

import (
	"context"
	"errors"

	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.HashSampler = (*Source)(nil)

// errSampled stops a walk once limit hashes were passed.
var errSampled = errors.New("sample complete")

// SampleHashes passes the stored hash of each listed user, in List's order,
// for at most limit users (limit <= 0: every user). It reads the listing's
// rows a page at a time, the same query List runs, and the hash the way
// Authenticate reads it (password, salt and format columns); a preset's
// unusable password (Django's "!…") arrives with Encoded empty.
func (s *Source) SampleHashes(ctx context.Context, limit int, fn func(source.HashSample) error) error {
	n := 0
	err := s.walk(ctx, "sample", func(r row) error {
		if limit > 0 && n >= limit {
			return errSampled
		}
		n++
		u, err := s.user(r)
		if err != nil {
			return s.fault("sample", err)
		}
		h := s.hash(r)
		return fn(source.HashSample{UserID: u.ID, Encoded: h.Encoded, Salt: h.Salt, Format: h.Format})
	})
	if errors.Is(err, errSampled) {
		return nil
	}
	return err
}
