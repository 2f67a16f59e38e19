// Package passhash verifies legacy password hashes: bcrypt, argon2, scrypt,
// PBKDF2 in its many encodings, ASP.NET Identity and Membership, Django,
// phpass, Drupal, crypt(3), LDAP schemes, Spring, Keycloak, Firebase scrypt
// and templated salted digests.
//
// A stored hash is verified from its encoded value alone where the encoding
// is self-describing, and from an explicit Format (plus a separate salt
// column) where it is not. A mismatch is (Result{Match: false}, nil); an error
// is always a fault: a malformed hash, an unknown format, a cost parameter out
// of bounds (checked before any allocation), or a cancelled context. Every
// comparison is constant-time.
//
// docs/hash-formats.md lists every family: how it is recognised, its Format
// name, its bounds and what makes it weak.
package passhash

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
)

// Errors. All verification errors wrap one of these.
var (
	// ErrUnknownFormat: no family recognises the stored value (or the Format name).
	ErrUnknownFormat = errors.New("unknown hash format")
	// ErrMalformed: the stored value claims a family but does not parse.
	ErrMalformed = errors.New("malformed hash")
	// ErrCostTooHigh: a cost parameter read from the stored value is beyond
	// Ferry's bound for that family; the hash is rejected before any work.
	ErrCostTooHigh = errors.New("hash cost parameter out of bounds")
	// ErrNotAllowed: the family is recognised but disabled by Options
	// (e.g. Spring {noop} plaintext without AllowPlaintext).
	ErrNotAllowed = errors.New("hash format not allowed by configuration")
)

// Hash is a stored password hash as a legacy store keeps it.
type Hash struct {
	// Encoded is the stored value, e.g. "$2y$10$…", "AQAAAAEAACcQ…",
	// "pbkdf2_sha256$600000$…", "{SSHA}…".
	Encoded string
	// Salt is a separately stored salt (ASP.NET Membership PasswordSalt,
	// templated digests), in the encoding the Format names; empty when the
	// salt is inside Encoded.
	Salt string
	// Format names the family explicitly when Encoded is not
	// self-describing (see Formats); empty means detect from Encoded.
	Format string
}

// LogValue shows the format and the length of the stored value, never the
// value or the salt: a leaked hash is an offline cracking target.
func (h Hash) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("format", h.Format),
		slog.Int("encoded_len", len(h.Encoded)),
		slog.Bool("salt_set", h.Salt != ""),
	)
}

// Result is the outcome of a verification that did not fault.
type Result struct {
	Match bool
	// Family is the canonical family name ("bcrypt", "aspnet-identity-v3", …).
	Family string
	// Weak is true when the family or its parameters fall below current
	// guidance (unsalted or fast digests, MD5-crypt, phpass, low iteration
	// counts); policy may then answer RESET_REQUIRED.
	Weak bool
}

// Info describes a stored hash without verifying anything.
type Info struct {
	Family string
	Weak   bool
	// Params are the stored cost parameters of families that have them,
	// as name=value pairs ("cost=10", "prf=sha256 iterations=600000"); empty
	// for families whose cost is fixed by the family itself.
	Params string
}

// Identify names the family of h with the default Options.
func Identify(h Hash) (Info, error) { return defaultVerifier.Identify(h) }

var defaultVerifier = mustNew(Options{})

func mustNew(o Options) *Verifier {
	v, err := New(o)
	if err != nil {
		panic(fmt.Sprintf("passhash: default options: %v", err))
	}
	return v
}

// ctEqual compares a and b in constant time (only their lengths, which are
// public parameters of the stored hash, can leak).
func ctEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// malformed reports a stored value of family that does not parse.
func malformed(family, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, family, why)
}

// tooCostly reports a cost parameter beyond Ferry's bound for family.
func tooCostly(family, param string, got, limit uint64) error {
	return fmt.Errorf("%w: %s: %s %d > %d", ErrCostTooHigh, family, param, got, limit)
}
