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

// bcryptMaxPassword is the number of password bytes bcrypt reads.
const bcryptMaxPassword = 72

// bcryptFamily verifies $2a$, $2b$, $2y$ (and $2x$ treated as $2a$) hashes.
// Options.Pepper is appended to the password as Devise does.
type bcryptFamily struct{}

func (bcryptFamily) name() string      { return "bcrypt" }
func (bcryptFamily) formats() []string { return []string{"bcrypt"} }

func (bcryptFamily) detect(s string) bool { return isBcrypt(s) }

// isBcrypt reports whether s claims to be bcrypt; bcryptCost then checks it.
func isBcrypt(s string) bool {
	return strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") ||
		strings.HasPrefix(s, "$2y$") || strings.HasPrefix(s, "$2x$")
}

// bcryptAlphabet is bcrypt's base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func bcryptCost(s string) (int, error) {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return 0, fmt.Errorf("%w: bcrypt: bad layout", ErrMalformed)
	}
	switch s[2] {
	case 'a', 'b', 'y', 'x':
	default:
		return 0, fmt.Errorf("%w: bcrypt: variant %q", ErrMalformed, s[2])
	}
	cost, err := strconv.Atoi(s[4:6])
	if err != nil || s[4] < '0' || s[4] > '9' {
		return 0, fmt.Errorf("%w: bcrypt: cost %q", ErrMalformed, s[4:6])
	}
	for i := 7; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return 0, fmt.Errorf("%w: bcrypt: character outside its alphabet", ErrMalformed)
		}
	}
	if cost < bcrypt.MinCost {
		return 0, fmt.Errorf("%w: bcrypt: cost %d", ErrMalformed, cost)
	}
	if cost > bcryptMaxCost {
		return 0, fmt.Errorf("%w: bcrypt cost %d > %d", ErrCostTooHigh, cost, bcryptMaxCost)
	}
	return cost, nil
}

// bcryptInfo names a bcrypt hash and its weakness under the given family name.
func bcryptInfo(familyName, enc string) (Info, error) {
	cost, err := bcryptCost(enc)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: familyName, Weak: cost < bcryptWeakCost, Params: fmt.Sprintf("cost=%d", cost)}, nil
}

func (f bcryptFamily) identify(_ *Verifier, h Hash) (Info, error) {
	return bcryptInfo(f.name(), h.Encoded)
}

func (f bcryptFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	info, err := f.identify(v, h)
	if err != nil {
		return Result{}, err
	}
	return bcryptCompare(ctx, v, info, h.Encoded, []byte(password+v.opts.Pepper))
}

// bcryptModel is the model's estimate of a bcrypt verification: 2^cost
// expansions (the password is at most 72 bytes).
func bcryptModel(c int) cost { return cost{ns: float64(uint64(1)<<c) * nsBcryptRound} }

// bcryptCompare checks pw against the bcrypt hash enc, whose cost has already
// been bounded by bcryptCost.
func bcryptCompare(ctx context.Context, v *Verifier, info Info, enc string, pw []byte) (Result, error) {
	// The cost digits were checked by bcryptCost. bcrypt cannot be
	// interrupted: its bound is 2^cost, checked here before it starts.
	cost := int(enc[4]-'0')*10 + int(enc[5]-'0')
	release, err := v.admit(ctx, info.Family, bcryptModel(cost))
	if err != nil {
		return Result{}, err
	}
	defer release()
	// x/crypto/bcrypt understands $2a$ and $2b$; $2y$ (PHP) and $2x$ are the
	// same algorithm for every password without 8-bit-character bugs.
	if enc[2] == 'y' || enc[2] == 'x' {
		enc = enc[:2] + "a" + enc[3:]
	}
	if len(pw) > bcryptMaxPassword {
		// bcrypt reads only 72 bytes; PHP and Ruby truncate silently, Go refuses.
		pw = pw[:bcryptMaxPassword]
	}
	err = bcrypt.CompareHashAndPassword([]byte(enc), pw)
	switch {
	case err == nil:
		return outcome(true, info), nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return outcome(false, info), nil
	default:
		return Result{}, fmt.Errorf("%w: bcrypt: %w", ErrMalformed, err)
	}
}
