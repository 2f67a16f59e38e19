package passhash

import (
	"context"
	"fmt"
	"strings"
)

// Options configures a Verifier. The zero value is safe: plaintext formats
// are refused and default cost bounds apply.
type Options struct {
	// Pepper is a site-wide secret mixed in as the legacy application did
	// (Devise appends it to the password before bcrypt).
	Pepper string
	// AllowPlaintext permits Spring "{noop}" and the "plaintext" Format.
	// Off by default: a plaintext column is almost always a mistake.
	AllowPlaintext bool
}

// family is one hash family. Each lives in its own file.
type family interface {
	// name is the canonical family name reported in Result.Family.
	name() string
	// detect reports whether encoded is in this family's self-describing
	// encoding. Families that are never self-describing return false.
	detect(encoded string) bool
	// identify parses h far enough to name its weakness, without hashing.
	identify(h Hash) (Info, error)
	// verify checks password against h. Bounds are checked before any
	// allocation proportional to a cost parameter; ctx is checked before
	// expensive work.
	verify(ctx context.Context, o *Options, password string, h Hash) (Result, error)
}

// Verifier verifies stored hashes of every supported family.
type Verifier struct {
	opts     Options
	families []family // detection order: most specific prefix first
	byFormat map[string]family
}

// New returns a Verifier for o.
func New(o Options) (*Verifier, error) {
	v := &Verifier{opts: o, byFormat: map[string]family{}}
	for _, f := range allFamilies() {
		v.families = append(v.families, f)
		v.byFormat[f.name()] = f
	}
	return v, nil
}

// Formats lists the canonical family names accepted in Hash.Format.
func (v *Verifier) Formats() []string {
	out := make([]string, 0, len(v.families))
	for _, f := range v.families {
		out = append(out, f.name())
	}
	return out
}

func (v *Verifier) lookup(h Hash) (family, error) {
	if h.Format != "" {
		if f, ok := v.byFormat[strings.ToLower(h.Format)]; ok {
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
func (v *Verifier) Verify(ctx context.Context, password string, h Hash) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	f, err := v.lookup(h)
	if err != nil {
		return Result{}, err
	}
	return f.verify(ctx, &v.opts, password, h)
}

// Identify names the family of h and whether it is weak, without verifying.
func (v *Verifier) Identify(h Hash) (Info, error) {
	f, err := v.lookup(h)
	if err != nil {
		return Info{}, err
	}
	return f.identify(h)
}

// allFamilies is the table of families in detection order. Adding a family
// means adding its file and one line here.
func allFamilies() []family {
	return []family{
		bcryptFamily{},
	}
}
