package passhash

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Firebase's modified scrypt parameter ranges, as the Firebase console and
// the Admin SDK accept them.
const (
	firebaseMaxRounds  = 8
	firebaseMaxMemCost = 14
	// firebaseKeyLen: Firebase derives 64 bytes and keys AES-256 with the first 32.
	firebaseKeyLen = 64
)

// firebaseParams are Options.Firebase, decoded once by New.
type firebaseParams struct {
	signerKey []byte
	saltSep   []byte
	rounds    int
	memCost   int
}

func newFirebaseParams(o FirebaseOptions) (*firebaseParams, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("passhash: firebase %w", err)
	}
	signer, _ := base64.StdEncoding.DecodeString(o.SignerKey)
	sep, _ := base64.StdEncoding.DecodeString(o.SaltSeparator)
	return &firebaseParams{signerKey: signer, saltSep: sep, rounds: o.Rounds, memCost: o.MemCost}, nil
}

// ValidateBlock checks the firebase block of a source's configuration,
// when it is set: one error per problem, each with its path from key
// ("firebase.rounds: …").
func ValidateBlock(key string, o FirebaseOptions) []error {
	if o.IsZero() {
		return nil
	}
	err := o.Validate()
	if err == nil {
		return nil
	}
	var out []error
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		out = append(out, fmt.Errorf("%s.%w", key, e))
	}
	return out
}

// Validate reports every parameter out of range, each with its name as the
// Firebase console and a source's firebase block write it.
func (o FirebaseOptions) Validate() error {
	var errs []error
	if b, err := base64.StdEncoding.DecodeString(o.SignerKey); err != nil || len(b) == 0 {
		errs = append(errs, errors.New("base64_signer_key: required, in base64 as the console shows it"))
	}
	if _, err := base64.StdEncoding.DecodeString(o.SaltSeparator); err != nil {
		errs = append(errs, errors.New("base64_salt_separator: not base64"))
	}
	if o.Rounds < 1 || o.Rounds > firebaseMaxRounds {
		errs = append(errs, fmt.Errorf("rounds: %d is outside 1–%d", o.Rounds, firebaseMaxRounds))
	}
	if o.MemCost < 1 || o.MemCost > firebaseMaxMemCost {
		errs = append(errs, fmt.Errorf("mem_cost: %d is outside 1–%d", o.MemCost, firebaseMaxMemCost))
	}
	return errors.Join(errs...)
}

// firebaseFamily verifies Firebase Authentication's modified scrypt
// (Format "firebase-scrypt"): Encoded is the exported base64 passwordHash,
// Salt the base64 salt; the project-wide signer key, salt separator,
// rounds and mem cost come from Options.Firebase. The derivation is
//
//	key  = scrypt(password, salt || separator, N=2^memCost, r=rounds, p=1, 64)
//	hash = AES-256-CTR(key[:32], IV = 0¹²⁸).Encrypt(signerKey)
//
// Weakness follows scrypt's rule (N·r·p below 2^14·8).
type firebaseFamily struct{}

func (firebaseFamily) formats() []string  { return []string{"firebase-scrypt"} }
func (firebaseFamily) detect(string) bool { return false }

func (f firebaseFamily) parse(v *Verifier, h Hash) (*scryptParams, error) {
	fp := v.firebase
	if fp == nil {
		return nil, fmt.Errorf("%w: firebase-scrypt needs the project's password hash parameters (the source's firebase block)", ErrNotAllowed)
	}
	salt, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Salt))
	if err != nil || len(salt) == 0 {
		return nil, malformed("firebase-scrypt", "salt is not base64")
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Encoded))
	if err != nil || len(want) != len(fp.signerKey) {
		return nil, malformed("firebase-scrypt", "hash is not base64 of the signer key's length")
	}
	p := &scryptParams{family: "firebase-scrypt", logN: fp.memCost, r: fp.rounds, p: 1,
		salt: append(salt, fp.saltSep...), want: want}
	return p, p.check()
}

func (f firebaseFamily) identify(v *Verifier, h Hash) (Info, error) {
	p, err := f.parse(v, h)
	if err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

func (f firebaseFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := f.parse(v, h)
	if err != nil {
		return Result{}, err
	}
	key, err := p.derive(ctx, v, []byte(password), firebaseKeyLen)
	if err != nil {
		return Result{}, err
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return Result{}, err
	}
	got := make([]byte, len(v.firebase.signerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(got, v.firebase.signerKey)
	return outcome(ctEqual(got, p.want), p.info()), nil
}
