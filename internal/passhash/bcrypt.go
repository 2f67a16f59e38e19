package passhash

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptMaxCost bounds the cost read from an untrusted hash: cost 15 is
// about 2.5 s on a Lambda core, already half of Cognito's budget; 31 would
// run for days.
const bcryptMaxCost = 15

// bcryptWeakCost: below cost 10 (OWASP's floor) a hash is weak.
const bcryptWeakCost = 10

// bcryptFamily verifies $2a$, $2b$, $2y$ (and $2x$ treated as $2a$) hashes.
// Options.Pepper is appended to the password as Devise does.
type bcryptFamily struct{}

func (bcryptFamily) name() string { return "bcrypt" }

func (bcryptFamily) detect(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") ||
		strings.HasPrefix(s, "$2y$") || strings.HasPrefix(s, "$2x$"))
}

func bcryptCost(s string) (int, error) {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return 0, fmt.Errorf("%w: bcrypt: bad layout", ErrMalformed)
	}
	cost, err := strconv.Atoi(s[4:6])
	if err != nil {
		return 0, fmt.Errorf("%w: bcrypt: cost %q", ErrMalformed, s[4:6])
	}
	if cost < bcrypt.MinCost {
		return 0, fmt.Errorf("%w: bcrypt: cost %d", ErrMalformed, cost)
	}
	if cost > bcryptMaxCost {
		return 0, fmt.Errorf("%w: bcrypt cost %d > %d", ErrCostTooHigh, cost, bcryptMaxCost)
	}
	return cost, nil
}

func (bcryptFamily) identify(h Hash) (Info, error) {
	cost, err := bcryptCost(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: "bcrypt", Weak: cost < bcryptWeakCost}, nil
}

func (f bcryptFamily) verify(ctx context.Context, o *Options, password string, h Hash) (Result, error) {
	info, err := f.identify(h)
	if err != nil {
		return Result{}, err
	}
	enc := h.Encoded
	// x/crypto/bcrypt understands $2a$ and $2b$; $2y$ (PHP) and $2x$ are the
	// same algorithm for every password without 8-bit-character bugs.
	if enc[2] == 'y' || enc[2] == 'x' {
		enc = enc[:2] + "a" + enc[3:]
	}
	pw := []byte(password + o.Pepper)
	if len(pw) > 72 {
		// bcrypt reads only 72 bytes; PHP and Ruby truncate silently, Go refuses.
		pw = pw[:72]
	}
	err = bcrypt.CompareHashAndPassword([]byte(enc), pw)
	switch {
	case err == nil:
		return Result{Match: true, Family: info.Family, Weak: info.Weak}, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return Result{Match: false, Family: info.Family, Weak: info.Weak}, nil
	default:
		return Result{}, fmt.Errorf("%w: bcrypt: %v", ErrMalformed, err)
	}
}
