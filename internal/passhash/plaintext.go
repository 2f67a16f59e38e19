package passhash

import (
	"context"
	"crypto/sha256"
	"fmt"
)

// plaintextFamily compares a password stored in clear ("plaintext" Format),
// allowed only with Options.AllowPlaintext. Always weak.
type plaintextFamily struct{}

func (plaintextFamily) formats() []string  { return []string{"plaintext"} }
func (plaintextFamily) detect(string) bool { return false }

func (plaintextFamily) identify(v *Verifier, _ Hash) (Info, error) {
	if !v.opts.AllowPlaintext {
		return Info{}, fmt.Errorf("%w: plaintext needs AllowPlaintext", ErrNotAllowed)
	}
	return Info{Family: "plaintext", Weak: true}, nil
}

func (f plaintextFamily) verify(_ context.Context, v *Verifier, password string, h Hash) (Result, error) {
	if _, err := f.identify(v, h); err != nil {
		return Result{}, err
	}
	return plaintextCompare(password, h.Encoded, "plaintext"), nil
}

// plaintextCompare compares digests of both sides so that neither the
// content nor the length of the stored password leaks through timing.
func plaintextCompare(password, stored, family string) Result {
	a, b := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(stored))
	return outcome(ctEqual(a[:], b[:]), Info{Family: family, Weak: true})
}
