package source

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/timing"
)

// Pacer makes every refused sign-in of a source that verifies stored hashes
// itself (SQL, file) take one time, so that the time does not tell an
// unknown name from a wrong password on any row, whatever hash families
// the store mixes.
//
// An unknown name is verified against the dummy (Spend), a hash of the
// store's own; every refusal is then padded (Pad) to timing.Headroom of
// the dearest class's median (timing.Floor), where the dummy's
// verifications are one class and each family a wrong password was
// verified against is a class of its own. So once a row of a family
// dearer than the dummy has been verified (Django's PBKDF2 next to a
// bcrypt dummy), an unknown user and a wrong password on any row take what
// that family takes. Warm learns the dummy's and the dearest stored
// hash's costs before the first sign-in, so a fresh process — every new
// Lambda execution environment — does not show a dearer family until one
// is tried. No padding runs past ctx's deadline.
//
// A Pacer is safe for concurrent use.
type Pacer struct {
	verifier *passhash.Verifier
	dummy    func(context.Context) (passhash.Hash, error)

	floor    timing.Floor
	mu       sync.Mutex
	families map[string]int // class of each family verified; the dummy's is dummyClass
}

// NewPacer returns a Pacer verifying with v against the hash dummy returns
// (which the source may sample at first need, and must keep returning).
func NewPacer(v *passhash.Verifier, dummy func(context.Context) (passhash.Hash, error)) *Pacer {
	return &Pacer{verifier: v, dummy: dummy}
}

// dummyClass is the floor's class of the dummy's own verifications.
const dummyClass = 0

// WarmSample is how many stored hashes Warm looks at for the dearest: a
// few pages of a listing, milliseconds of SQL.
const WarmSample = 2000

// warmPasswordLen is the password length the cost estimates assume: a
// typical password, as passhash's Identify assumes.
const warmPasswordLen = 16

// Spend verifies password against the dummy, which is what a wrong
// password costs, and learns that cost. It returns only faults: a
// password too long for the dummy's family is refused by the real row in
// the same way.
func (p *Pacer) Spend(ctx context.Context, password string) error {
	h, err := p.dummy(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	_, err = p.verifier.Verify(ctx, password, h)
	switch {
	case err == nil:
		p.floor.Observe(dummyClass, time.Since(start))
		return nil
	case ctx.Err() != nil:
		return err
	case errors.Is(err, passhash.ErrCostTooHigh):
		return nil
	}
	return fmt.Errorf("dummy verification: %w", err)
}

// Pad waits until the refusal begun at start has taken the floor. family
// is the hash family a wrong password was verified against since start,
// whose cost is learnt first; "" when none was (an unknown name, an
// unusable row: the dummy's Spend was the work). Before any cost is known
// the dummy is verified once to learn it.
func (p *Pacer) Pad(ctx context.Context, start time.Time, family string) {
	own := time.Since(start)
	if p.floor.Current() == 0 {
		if err := p.Spend(ctx, rand.Text()); err != nil {
			return
		}
	}
	if family != "" {
		p.floor.Observe(p.class(family), own)
	}
	timing.Pad(ctx, start, p.floor.Current())
}

// class is family's class of the floor.
func (p *Pacer) class(family string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.families[family]
	if !ok {
		if p.families == nil {
			p.families = map[string]int{}
		}
		c = len(p.families) + 1
		p.families[family] = c
	}
	return c
}

// Warm learns the floor before the first sign-in: it verifies the dummy
// once, then, among the stored hashes each passes to yield (at most
// WarmSample are asked for), the dearest by the verifier's cost estimate
// when it is dearer than the dummy, each with a random password. Hashes
// that cannot be estimated or verified are skipped: they are their
// users' outcomes. Only the dearest matters: the floor is a quarter above
// the dearest class's median.
func (p *Pacer) Warm(ctx context.Context, each func(yield func(passhash.Hash)) error) error {
	if err := p.Spend(ctx, rand.Text()); err != nil {
		return err
	}
	dummy, err := p.dummy(ctx)
	if err != nil {
		return err
	}
	floor, _, err := p.verifier.Estimate(dummy, warmPasswordLen)
	if err != nil {
		floor = 0
	}
	var dearest passhash.Hash
	var cost time.Duration
	if err := each(func(h passhash.Hash) {
		if d, _, err := p.verifier.Estimate(h, warmPasswordLen); err == nil && d > cost {
			dearest, cost = h, d
		}
	}); err != nil {
		return err
	}
	if cost <= floor {
		return nil // the dummy is the dearest: its class is learnt
	}
	start := time.Now()
	res, err := p.verifier.Verify(ctx, rand.Text(), dearest)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("verify the dearest stored hash: %w", err)
		}
		return nil
	}
	p.floor.Observe(p.class(res.Family), time.Since(start))
	return nil
}

// Floor is the current padding floor; 0 before any cost is known.
func (p *Pacer) Floor() time.Duration { return p.floor.Current() }

// Families is how many hash families besides the dummy's the floor has
// learnt.
func (p *Pacer) Families() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.families)
}
