package passhash

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// pbkdf2MaxIterations bounds the iteration count read from an untrusted hash:
// 10,000,000 SHA-256 iterations take about 3 s on a Lambda core, the most
// that fits Cognito's 5 s budget; current guidance tops out at 1,300,000.
const pbkdf2MaxIterations = 10_000_000

// pbkdf2MaxKeyLen bounds the derived-key length in bytes. Work grows with
// ceil(keyLen/hashLen); no real encoding stores more than 64 bytes.
const pbkdf2MaxKeyLen = 128

// pbkdf2MinKeyLen: a shorter stored hash (fewer than 128 bits) would make a
// guessed match too likely to mean anything.
const pbkdf2MinKeyLen = 16

// pbkdf2MaxSaltLen bounds the decoded salt length in bytes.
const pbkdf2MaxSaltLen = 512

// prf is a PBKDF2 pseudo-random function with its weakness threshold.
type prf struct {
	name string
	new  func() hash.Hash
	// owaspMin is the OWASP Password Storage Cheat Sheet (2023) minimum
	// iteration count for this PRF; fewer is weak.
	owaspMin int
	// nsIter is the calibrated cost of one iteration for one output block.
	nsIter float64
}

var (
	prfSHA1   = prf{"sha1", sha1.New, 1_300_000, nsPBKDF2SHA1}
	prfSHA256 = prf{"sha256", sha256.New, 600_000, nsPBKDF2SHA256}
	prfSHA512 = prf{"sha512", sha512.New, 210_000, nsPBKDF2SHA512}
)

func prfByName(name string) (prf, bool) {
	switch strings.ToLower(name) {
	case "sha1", "sha-1":
		return prfSHA1, true
	case "sha256", "sha-256":
		return prfSHA256, true
	case "sha512", "sha-512":
		return prfSHA512, true
	}
	return prf{}, false
}

// pbkdf2Params is a parsed PBKDF2 hash in any of its encodings.
type pbkdf2Params struct {
	family string
	prf    prf
	iter   int
	salt   []byte
	want   []byte
}

// check bounds the parameters; it runs before any hashing.
func (p *pbkdf2Params) check() error {
	switch {
	case p.iter < 1:
		return malformed(p.family, "iteration count below 1")
	case p.iter > pbkdf2MaxIterations:
		return tooCostly(p.family, "iterations", uint64(p.iter), pbkdf2MaxIterations)
	case len(p.want) < pbkdf2MinKeyLen:
		return malformed(p.family, "derived key shorter than 16 bytes")
	case len(p.want) > pbkdf2MaxKeyLen:
		return tooCostly(p.family, "derived key length", uint64(len(p.want)), pbkdf2MaxKeyLen)
	case len(p.salt) > pbkdf2MaxSaltLen:
		return malformed(p.family, "salt longer than 512 bytes")
	}
	return nil
}

func (p *pbkdf2Params) info() Info {
	return Info{Family: p.family, Weak: p.iter < p.prf.owaspMin, Params: fmt.Sprintf("prf=%s iterations=%d", p.prf.name, p.iter)}
}

// cost is the model's estimate: iterations × output blocks.
func (p *pbkdf2Params) cost() cost {
	return cost{ns: float64(p.iter) * float64(p.blocks()) * p.prf.nsIter}
}

// blocks is the number of PRF outputs the derived key needs.
func (p *pbkdf2Params) blocks() int {
	size := p.prf.new().Size()
	return (len(p.want) + size - 1) / size
}

// compare derives the key for password and compares it in constant time.
func (p *pbkdf2Params) compare(ctx context.Context, v *Verifier, password []byte) (Result, error) {
	if err := p.check(); err != nil {
		return Result{}, err
	}
	release, err := v.admit(ctx, p.family, p.cost())
	if err != nil {
		return Result{}, err
	}
	defer release()
	dk, err := pbkdf2Key(ctx, p.prf.new, password, p.salt, p.iter, len(p.want))
	if err != nil {
		return Result{}, err
	}
	return outcome(ctEqual(dk, p.want), p.info()), nil
}

// pbkdf2CheckMask: the PBKDF2 loop looks at ctx every 2^12 iterations
// (about a millisecond), so an abandoned verification stops its work.
const pbkdf2CheckMask = 1<<12 - 1

// pbkdf2Key is PBKDF2 (RFC 8018, section 5.2) that stops when ctx ends.
func pbkdf2Key(ctx context.Context, h func() hash.Hash, password, salt []byte, iter, keyLen int) ([]byte, error) {
	mac := hmac.New(h, password)
	size := mac.Size()
	n := (keyLen + size - 1) / size
	dk := make([]byte, 0, n*size)
	u := make([]byte, 0, size)
	var idx [4]byte
	for block := 1; block <= n; block++ {
		mac.Reset()
		mac.Write(salt)
		binary.BigEndian.PutUint32(idx[:], uint32(block))
		mac.Write(idx[:])
		dk = mac.Sum(dk)
		t := dk[len(dk)-size:]
		u = append(u[:0], t...)
		for i := 2; i <= iter; i++ {
			if i&pbkdf2CheckMask == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			mac.Reset()
			mac.Write(u)
			u = mac.Sum(u[:0])
			subtle.XORBytes(t, t, u)
		}
	}
	return dk[:keyLen], nil
}

// pbkdf2Family verifies the self-describing PBKDF2 encodings:
//
//	$pbkdf2-sha256$29000$<ab64 salt>$<ab64 hash>     passlib (also $pbkdf2$ = SHA-1, $pbkdf2-sha512$)
//	$pbkdf2-sha256$i=10000,l=32$<b64 salt>$<b64 hash> PHC string format
//	pbkdf2_sha256$600000$<salt>$<b64 hash>            Django (also pbkdf2_sha1)
//	pbkdf2:sha256:600000$<salt>$<hex hash>            Werkzeug (also sha1, sha512)
//	{PKCS5S2}<b64 of 16-byte salt || 32-byte hash>    Atlassian (SHA-1, 10,000 iterations)
type pbkdf2Family struct{}

func (pbkdf2Family) formats() []string {
	return []string{"pbkdf2", "django-pbkdf2", "werkzeug-pbkdf2", "atlassian-pbkdf2"}
}

func (pbkdf2Family) detect(s string) bool {
	return strings.HasPrefix(s, "$pbkdf2$") || strings.HasPrefix(s, "$pbkdf2-") ||
		strings.HasPrefix(s, "pbkdf2_") || strings.HasPrefix(s, "pbkdf2:") ||
		strings.HasPrefix(s, "{PKCS5S2}")
}

func (f pbkdf2Family) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parsePBKDF2(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	if err := p.check(); err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

func (f pbkdf2Family) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parsePBKDF2(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	return p.compare(ctx, v, []byte(password))
}

func parsePBKDF2(s string) (*pbkdf2Params, error) {
	switch {
	case strings.HasPrefix(s, "$pbkdf2"):
		return parsePasslibPBKDF2(s)
	case strings.HasPrefix(s, "pbkdf2_"):
		return parseDjangoPBKDF2(s)
	case strings.HasPrefix(s, "pbkdf2:"):
		return parseWerkzeugPBKDF2(s)
	case strings.HasPrefix(s, "{PKCS5S2}"):
		return parseAtlassianPBKDF2(s)
	}
	return nil, malformed("pbkdf2", "unrecognised prefix")
}

// atoiStrict parses a positive decimal without sign or leading '+'.
func atoiStrict(s string) (int, bool) {
	if s == "" || len(s) > 10 || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// atoiBounded parses a decimal count, reporting an overlong number as
// "too costly" rather than malformed.
func atoiBounded(family, param, s string, limit int) (int, error) {
	if s == "" {
		return 0, malformed(family, param+" missing")
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, malformed(family, param+" not a number")
		}
	}
	n, ok := atoiStrict(s)
	if !ok {
		return 0, fmt.Errorf("%w: %s: %s has %d digits, bound is %d", ErrCostTooHigh, family, param, len(s), limit)
	}
	if n > limit {
		return 0, tooCostly(family, param, uint64(n), uint64(limit))
	}
	return n, nil
}

func parsePasslibPBKDF2(s string) (*pbkdf2Params, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 5 || parts[0] != "" {
		return nil, malformed("pbkdf2", "want $pbkdf2-<prf>$<rounds>$<salt>$<hash>")
	}
	var pr prf
	switch parts[1] {
	case "pbkdf2", "pbkdf2-sha1":
		pr = prfSHA1
	case "pbkdf2-sha256":
		pr = prfSHA256
	case "pbkdf2-sha512":
		pr = prfSHA512
	default:
		return nil, malformed("pbkdf2", "unknown prf "+parts[1])
	}
	p := &pbkdf2Params{family: "pbkdf2-" + pr.name, prf: pr}
	var err error
	if strings.HasPrefix(parts[2], "i=") {
		// PHC: i=<iterations>[,l=<keylen>]; the key length is implied by the hash.
		for kv := range strings.SplitSeq(parts[2], ",") {
			k, val, _ := strings.Cut(kv, "=")
			switch k {
			case "i":
				if p.iter, err = atoiBounded(p.family, "iterations", val, pbkdf2MaxIterations); err != nil {
					return nil, err
				}
			case "l":
				if _, ok := atoiStrict(val); !ok {
					return nil, malformed(p.family, "bad key length")
				}
			default:
				return nil, malformed(p.family, "unknown parameter "+k)
			}
		}
	} else if p.iter, err = atoiBounded(p.family, "iterations", parts[2], pbkdf2MaxIterations); err != nil {
		return nil, err
	}
	if p.salt, err = decodeAB64(parts[3]); err != nil {
		return nil, malformed(p.family, "salt is not base64")
	}
	if p.want, err = decodeAB64(parts[4]); err != nil {
		return nil, malformed(p.family, "hash is not base64")
	}
	return p, nil
}

func parseDjangoPBKDF2(s string) (*pbkdf2Params, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 {
		return nil, malformed("django-pbkdf2", "want pbkdf2_<prf>$<iterations>$<salt>$<hash>")
	}
	var pr prf
	switch parts[0] {
	case "pbkdf2_sha1":
		pr = prfSHA1
	case "pbkdf2_sha256":
		pr = prfSHA256
	default:
		return nil, malformed("django-pbkdf2", "unknown algorithm "+parts[0])
	}
	p := &pbkdf2Params{family: "django-pbkdf2-" + pr.name, prf: pr, salt: []byte(parts[2])}
	var err error
	if p.iter, err = atoiBounded(p.family, "iterations", parts[1], pbkdf2MaxIterations); err != nil {
		return nil, err
	}
	if p.want, err = base64.StdEncoding.DecodeString(parts[3]); err != nil {
		return nil, malformed(p.family, "hash is not base64")
	}
	return p, nil
}

func parseWerkzeugPBKDF2(s string) (*pbkdf2Params, error) {
	method, rest, ok := strings.Cut(s, "$")
	salt, hexHash, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 {
		return nil, malformed("werkzeug-pbkdf2", "want pbkdf2:<prf>:<iterations>$<salt>$<hex>")
	}
	m := strings.Split(method, ":")
	if len(m) != 3 {
		return nil, malformed("werkzeug-pbkdf2", "method must name prf and iterations")
	}
	pr, ok := prfByName(m[1])
	if !ok {
		return nil, malformed("werkzeug-pbkdf2", "unknown prf "+m[1])
	}
	p := &pbkdf2Params{family: "werkzeug-pbkdf2-" + pr.name, prf: pr, salt: []byte(salt)}
	var err error
	if p.iter, err = atoiBounded(p.family, "iterations", m[2], pbkdf2MaxIterations); err != nil {
		return nil, err
	}
	if p.want, err = hex.DecodeString(hexHash); err != nil {
		return nil, malformed(p.family, "hash is not hex")
	}
	return p, nil
}

// atlassianIterations is the fixed count of Atlassian's {PKCS5S2} scheme.
const atlassianIterations = 10_000

func parseAtlassianPBKDF2(s string) (*pbkdf2Params, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "{PKCS5S2}"))
	if err != nil || len(raw) != 48 {
		return nil, malformed("atlassian-pbkdf2", "want base64 of 16-byte salt and 32-byte hash")
	}
	return &pbkdf2Params{family: "atlassian-pbkdf2-sha1", prf: prfSHA1, iter: atlassianIterations,
		salt: raw[:16], want: raw[16:]}, nil
}
