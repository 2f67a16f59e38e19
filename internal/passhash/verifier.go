package passhash

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"golang.org/x/sync/semaphore"
)

// maxEncodedLen bounds the stored value read from a legacy store. The longest
// honest encodings (Keycloak credential JSON, a 512-bit PBKDF2 hash in hex with
// a long salt) stay under 1 KiB; 8 KiB leaves room for odd layouts while
// keeping a hostile row from making the parsers chew megabytes.
const maxEncodedLen = 8 << 10

// maxSaltLen bounds a separately stored salt (Hash.Salt), in its stored form.
const maxSaltLen = 1 << 10

// Options configures a Verifier. The zero value is safe: plaintext formats
// are refused and the default cost bounds apply.
type Options struct {
	// Pepper is a site-wide secret mixed in as the legacy application did:
	// appended to the password before bcrypt (Devise), appended to the salt
	// (Spring Pbkdf2PasswordEncoder and StandardPasswordEncoder "secret"),
	// and available as $pepper in template formats. Empty means none.
	Pepper string
	// AllowPlaintext permits Spring "{noop}" and the "plaintext" Format.
	// Off by default: a plaintext column is almost always a mistake.
	AllowPlaintext bool
	// Firebase holds the project-wide parameters of Firebase's modified
	// scrypt (Firebase console → Authentication → Users → ⋮ → Password hash
	// parameters). Needed only for the "firebase-scrypt" Format.
	Firebase FirebaseOptions
	// Limits, when set, bound this Verifier's work instead of the
	// process-wide limits (SetLimits), with a memory gate of its own.
	Limits *Limits
}

// FirebaseOptions are the project-wide parameters of Firebase's modified
// scrypt, as the Firebase console shows them; in a source's configuration,
// its firebase block with the console's names.
type FirebaseOptions struct {
	// SignerKey is the base64 "base64_signer_key".
	SignerKey string `yaml:"base64_signer_key"`
	// SaltSeparator is the base64 "base64_salt_separator".
	SaltSeparator string `yaml:"base64_salt_separator"`
	// Rounds is "rounds" (scrypt r), 1–8.
	Rounds int `yaml:"rounds"`
	// MemCost is "mem_cost" (scrypt N = 2^MemCost), 1–14.
	MemCost int `yaml:"mem_cost"`
}

// IsZero reports whether no parameter is set.
func (o FirebaseOptions) IsZero() bool { return o == FirebaseOptions{} }

// LogValue redacts the pepper and the Firebase signer key.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("pepper_set", o.Pepper != ""),
		slog.Bool("allow_plaintext", o.AllowPlaintext),
		slog.Bool("firebase_signer_key_set", o.Firebase.SignerKey != ""),
		slog.Int("firebase_rounds", o.Firebase.Rounds),
		slog.Int("firebase_mem_cost", o.Firebase.MemCost),
	)
}

// family is one hash family. Each lives in its own file.
type family interface {
	// formats lists the lower-case names accepted in Hash.Format.
	formats() []string
	// detect reports whether encoded is in this family's self-describing
	// encoding. Families that are never self-describing return false.
	detect(encoded string) bool
	// identify parses h far enough to name its weakness, without hashing.
	identify(v *Verifier, h Hash) (Info, error)
	// verify checks password against h. Bounds are checked before any
	// allocation proportional to a cost parameter; ctx is checked before
	// expensive work.
	verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error)
}

// Verifier verifies stored hashes of every supported family. It is safe for
// concurrent use.
type Verifier struct {
	opts     Options
	families []family // detection order: most specific prefix first
	byFormat map[string]family
	firebase *firebaseParams // nil when Options.Firebase is unset
	own      *processLimits  // nil: the process-wide limits
}

// New returns a Verifier for o. It fails when o is inconsistent (e.g.
// Firebase parameters that do not decode or are out of range).
func New(o Options) (*Verifier, error) {
	v := &Verifier{opts: o, byFormat: map[string]family{}}
	for _, f := range allFamilies() {
		v.families = append(v.families, f)
		for _, name := range f.formats() {
			if _, dup := v.byFormat[name]; dup {
				return nil, fmt.Errorf("passhash: format %q registered twice", name)
			}
			v.byFormat[name] = f
		}
	}
	if o.Limits != nil {
		l := o.Limits.withDefaults()
		v.own = &processLimits{limits: l, gate: semaphore.NewWeighted(l.Memory)}
	}
	if o.Firebase != (FirebaseOptions{}) {
		fp, err := newFirebaseParams(o.Firebase)
		if err != nil {
			return nil, err
		}
		v.firebase = fp
	}
	return v, nil
}

// Formats lists the names accepted in Hash.Format, sorted. Template formats
// ("template:…", see docs/hash-formats.md) are accepted in addition.
func (v *Verifier) Formats() []string {
	out := make([]string, 0, len(v.byFormat))
	for name := range v.byFormat {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (v *Verifier) lookup(h Hash) (family, error) {
	if len(h.Encoded) > maxEncodedLen {
		return nil, fmt.Errorf("%w: stored value of %d bytes exceeds %d", ErrMalformed, len(h.Encoded), maxEncodedLen)
	}
	if len(h.Salt) > maxSaltLen {
		return nil, fmt.Errorf("%w: salt of %d bytes exceeds %d", ErrMalformed, len(h.Salt), maxSaltLen)
	}
	if h.Format != "" {
		name := strings.ToLower(strings.TrimSpace(h.Format))
		if strings.HasPrefix(name, templatePrefix) {
			return templateFamily{}, nil
		}
		if f, ok := v.byFormat[name]; ok {
			return f, nil
		}
		return nil, fmt.Errorf("%w: format %q", ErrUnknownFormat, h.Format)
	}
	if h.Encoded == "" {
		return nil, fmt.Errorf("%w: empty stored value", ErrMalformed)
	}
	for _, f := range v.families {
		if f.detect(h.Encoded) {
			return f, nil
		}
	}
	return nil, ErrUnknownFormat
}

// Verify checks password against h. A mismatch is (Result{Match: false}, nil).
// For a valid stored hash the work done does not depend on whether the
// password matches.
func (v *Verifier) Verify(ctx context.Context, password string, h Hash) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	f, err := v.lookup(h)
	if err != nil {
		return Result{}, err
	}
	return f.verify(ctx, v, password, h)
}

// Identify names the family of h and whether it is weak, without verifying.
// A hash whose verification would exceed the limits for a typical password
// is ErrOverBudget.
func (v *Verifier) Identify(h Hash) (Info, error) {
	f, err := v.lookup(h)
	if err != nil {
		return Info{}, err
	}
	info, err := f.identify(v, h)
	if err != nil {
		return Info{}, err
	}
	if err := v.dryRun(f, h, identifyPasswordLen); err != nil {
		return Info{}, err
	}
	return info, nil
}

// Dummy spends the time a verification of password against h takes, and
// discards the outcome. Callers use it for unknown users, with h a real
// stored hash of the family and cost the directory uses (for example one
// sampled from the user table), so that "no such user" costs the same as
// "wrong password". A literal such as "dummy" would be rejected at once as
// malformed and protect nothing; Dummy reports such an h as an error so the
// mistake is seen at start-up rather than in a timing graph.
func (v *Verifier) Dummy(ctx context.Context, password string, h Hash) error {
	_, err := v.Verify(ctx, password, h)
	return err
}

// allFamilies is the table of families in detection order. Adding a family
// means adding its file and one line here. Prefixes that another family's
// prefix could shadow come first (Spring's "{…}" ids before LDAP schemes,
// WordPress "$wp$" before crypt's "$…$").
func allFamilies() []family {
	return []family{
		bcryptFamily{},
		passlibBcryptSHA256Family{},
		wordpressFamily{},
		argon2Family{},
		scryptFamily{},
		pbkdf2Family{},
		phpassFamily{},
		md5CryptFamily{},
		shaCryptFamily{},
		desCryptFamily{},
		springFamily{},
		ldapFamily{},
		keycloakFamily{},
		djangoFamily{},
		aspnetIdentityFamily{},
		aspnetMembershipFamily{},
		firebaseFamily{},
		mysqlFamily{},
		joomlaFamily{},
		digestFamily{},
		plaintextFamily{},
	}
}

// outcome builds the Result of a completed comparison.
func outcome(match bool, info Info) Result {
	return Result{Match: match, Family: info.Family, Weak: info.Weak}
}

// decodeB64 decodes standard base64 with or without padding.
func decodeB64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// decodeAB64 decodes passlib's "adapted base64" ('.' for '+', no padding);
// it also accepts plain standard base64, which never contains '.'.
func decodeAB64(s string) ([]byte, error) {
	return decodeB64(strings.ReplaceAll(s, ".", "+"))
}
