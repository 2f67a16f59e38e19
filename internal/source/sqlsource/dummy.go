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
	"github.com/ferry-migrate/ferry/internal/timing"
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

// dummyClass is the class of s.floor's samples of the dummy's own
// verifications (spend); each hash family a wrong password was verified
// against has a class of its own (padFamily).
const dummyClass = 0

// pad waits until the verification begun at start, of the dummy or of no
// row, has taken the floor: timing.Headroom of the dearest class's median
// (timing.Floor, learnt from the answers as they come, so it follows the
// machine's load and costs no verification at start-up), never past ctx's
// deadline. Before the dummy was ever verified there is nothing to pad
// to, so the first such answer verifies it once to learn.
func (s *Source) pad(ctx context.Context, start time.Time) { s.padFamily(ctx, start, "") }

// padFamily is pad for a wrong-password verification of a row of family
// begun at start: its cost is observed in the family's class first. The
// floor is Headroom of the dearest class's median, so once a row of a
// family dearer than the dummy has been verified, an unknown user and a
// wrong password on any row take what that family takes: a table mixing
// bcrypt with Django's PBKDF2 does not tell, by time, a PBKDF2 user from
// a name nobody has. Each family keeps its own window of recent costs: a
// few wrong passwords on one costly row move its median little, but the
// median follows the traffic, so every failed sign-in takes what the
// family's most tried rows cost (never past ctx's deadline). The empty
// family (no row verified) observes nothing.
func (s *Source) padFamily(ctx context.Context, start time.Time, family string) {
	own := time.Since(start)
	if s.floor.Current() == 0 {
		if err := s.spend(ctx, rand.Text()); err != nil {
			return
		}
	}
	if c := s.familyClass(family); c != dummyClass {
		s.floor.Observe(c, own)
	}
	timing.Pad(ctx, start, s.floor.Current())
}

// familyClass is family's class of the floor; the empty family is the
// dummy's.
func (s *Source) familyClass(family string) int {
	if family == "" {
		return dummyClass
	}
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	c, ok := s.families[family]
	if !ok {
		if s.families == nil {
			s.families = map[string]int{}
		}
		c = len(s.families) + 1
		s.families[family] = c
	}
	return c
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

// spend performs the dummy verification that makes an unknown user cost
// the same as a wrong password. It returns only faults.
func (s *Source) spend(ctx context.Context, password string) error {
	h, err := s.dummyHash(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	_, err = s.verifier.Verify(ctx, password, h)
	switch {
	case err == nil:
		s.floor.Observe(dummyClass, time.Since(start))
		return nil
	case ctx.Err() != nil:
		return err
	case errors.Is(err, passhash.ErrCostTooHigh):
		// Too long a password for the family: the real row refuses it the
		// same way.
		return nil
	}
	return fmt.Errorf("dummy verification: %w", err)
}
