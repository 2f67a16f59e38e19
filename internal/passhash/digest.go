package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
)

// digestFamily verifies plain unsalted digests of the password, named by an
// explicit Format (md5, sha1, sha224, sha256, sha384, sha512): hex (either
// case) or base64 of the digest. Always weak: unsalted and fast.
type digestFamily struct{}

var digestAlgs = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha224": sha256.New224,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

func (digestFamily) formats() []string {
	out := make([]string, 0, len(digestAlgs))
	for k := range digestAlgs {
		out = append(out, k)
	}
	return out
}
func (digestFamily) detect(string) bool { return false }

// decodeDigest decodes a stored digest of size bytes given as hex or base64.
func decodeDigest(s string, size int) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2*size {
		b, err := hex.DecodeString(s)
		return b, err == nil
	}
	b, err := decodeB64(s)
	return b, err == nil && len(b) == size
}

func (digestFamily) parse(h Hash) (string, func() hash.Hash, []byte, error) {
	name := strings.ToLower(strings.TrimSpace(h.Format))
	newHash, ok := digestAlgs[name]
	if !ok {
		return "", nil, nil, malformed("digest", "unknown digest "+h.Format)
	}
	want, ok := decodeDigest(h.Encoded, newHash().Size())
	if !ok {
		return "", nil, nil, malformed(name, "not hex or base64 of the digest size")
	}
	return name, newHash, want, nil
}

func (f digestFamily) identify(_ *Verifier, h Hash) (Info, error) {
	name, _, _, err := f.parse(h)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: name, Weak: true}, nil
}

func (f digestFamily) verify(_ context.Context, _ *Verifier, password string, h Hash) (Result, error) {
	name, newHash, want, err := f.parse(h)
	if err != nil {
		return Result{}, err
	}
	d := newHash()
	d.Write([]byte(password))
	return outcome(ctEqual(d.Sum(nil), want), Info{Family: name, Weak: true}), nil
}
