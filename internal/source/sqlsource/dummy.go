package sqlsource

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// errUnreadableRow marks a row the driver could not scan: that user's
// record is unusable, the source is not at fault.
var errUnreadableRow = errors.New("row cannot be read")

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

// badRow answers for a matched user whose own row cannot be used: it
// spends what a wrong password costs (a dummy verification, padded) and
// returns the user's *source.RecordError; only a fault of the dummy itself
// is returned as an error of its own.
func (s *Source) badRow(ctx context.Context, password, userID string, rec error) error {
	start := time.Now()
	if err := s.pacer.Spend(ctx, password); err != nil {
		return s.fault("authenticate", err)
	}
	s.pacer.Pad(ctx, start, "")
	var re *source.RecordError
	if errors.As(rec, &re) {
		s.log.WarnContext(ctx, "legacy user's record is unusable", "user_id", re.UserID, "reason", re.Reason, "error", re.Err)
	}
	return rec
}

// fallbackDummyCost is the bcrypt cost of the dummy hash made when the users
// table holds no hash to sample (an empty directory): the common default of
// the frameworks the presets cover.
const fallbackDummyCost = 10

// dummyHash returns the hash unknown users are verified against: the
// configured dummy_hash, or one sampled from the users table at first need.
func (s *Source) dummyHash(ctx context.Context) (passhash.Hash, error) {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	if s.dummy != nil {
		return *s.dummy, nil
	}
	r, cols, err := s.queryOne(ctx, s.cfg.Query.Sample, nil, false)
	if err != nil {
		return passhash.Hash{}, fmt.Errorf("sample query: %w", err)
	}
	if !slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, s.cfg.Columns.PasswordHash) }) {
		return passhash.Hash{}, fmt.Errorf("sample query: %w: %s", ErrMissingColumn, s.cfg.Columns.PasswordHash)
	}
	var h passhash.Hash
	if r != nil {
		h = s.hash(r)
	}
	if h.Encoded == "" {
		// No user has a hash yet: any real verification at a typical cost
		// is as good as another.
		s.log.Warn("the sample query found no password hash; unknown users are verified against a bcrypt dummy")
	} else if err := s.usableDummy(h); err != nil {
		// A hostile or broken row must not become everyone's dummy.
		s.log.Warn("the sampled hash cannot be the unknown-user dummy; using a bcrypt dummy", "error", err)
		h = passhash.Hash{}
	}
	if h.Encoded == "" {
		if h, err = fallbackDummy(); err != nil {
			return passhash.Hash{}, err
		}
	}
	s.dummy = &h
	return h, nil
}
