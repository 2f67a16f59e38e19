package passhash

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// scrypt bounds, read from untrusted hashes before any allocation.
const (
	// scryptMaxLogN: N ≤ 2^20. scrypt allocates 128·N·r bytes; 2^20 at r=8
	// is 1 GiB, the most a Lambda can spare, and about 3 s of work.
	scryptMaxLogN = 20
	// scryptMaxMemory: 128·N·r ≤ 1 GiB, whatever the split between N and r.
	scryptMaxMemory = 1 << 30
	// scryptMaxRP: r·p ≤ 128 (x/crypto allows up to 2^30; the OWASP list
	// goes up to r·p = 80).
	scryptMaxRP = 128
	// scryptMaxWork: N·r·p ≤ 2^23, i.e. at most the N=2^20, r=8, p=1 case:
	// p multiplies time without memory, so it needs a bound of its own.
	scryptMaxWork = 1 << 23
	// scryptWeakWork: below the scrypt paper's interactive-login parameters
	// (N=2^14, r=8, p=1, also Django's and Firebase's defaults) is weak.
	scryptWeakWork   = 1 << 14 * 8
	scryptMaxKeyLen  = 256
	scryptMaxSaltLen = 512
)

// scryptParams is a parsed scrypt hash.
type scryptParams struct {
	family string
	logN   int
	r, p   int
	salt   []byte
	want   []byte
}

func (s *scryptParams) check() error {
	switch {
	case s.logN < 1 || s.r < 1 || s.p < 1:
		return malformed(s.family, "N must be a power of two above 1, r and p at least 1")
	case s.logN > scryptMaxLogN:
		return tooCostly(s.family, "log2(N)", uint64(s.logN), scryptMaxLogN)
	case s.r > scryptMaxRP || s.p > scryptMaxRP || s.r*s.p > scryptMaxRP:
		return tooCostly(s.family, "r·p", uint64(s.r)*uint64(s.p), scryptMaxRP)
	case 128*(uint64(1)<<s.logN)*uint64(s.r) > scryptMaxMemory:
		return tooCostly(s.family, "memory bytes", 128*(uint64(1)<<s.logN)*uint64(s.r), scryptMaxMemory)
	case (uint64(1)<<s.logN)*uint64(s.r)*uint64(s.p) > scryptMaxWork:
		return tooCostly(s.family, "N·r·p", (uint64(1)<<s.logN)*uint64(s.r)*uint64(s.p), scryptMaxWork)
	case len(s.want) < 16 || len(s.want) > scryptMaxKeyLen:
		return malformed(s.family, "hash length out of range")
	case len(s.salt) > scryptMaxSaltLen:
		return malformed(s.family, "salt too long")
	}
	return nil
}

func (s *scryptParams) info() Info {
	return Info{Family: s.family, Weak: (1<<s.logN)*s.r*s.p < scryptWeakWork,
		Params: fmt.Sprintf("N=%d r=%d p=%d", 1<<s.logN, s.r, s.p)}
}

// cost is the model's estimate: N·r·p of CPU, and the 128·N·r bytes of V
// plus 128·r·p of B (scrypt cannot be interrupted, so it must fit first).
func (s *scryptParams) cost() cost {
	n := uint64(1) << s.logN
	work := float64(n) * float64(s.r) * float64(s.p)
	return cost{ns: work * nsScryptNRP, mem: int64(128*n*uint64(s.r) + 128*uint64(s.r)*uint64(s.p) + 256*uint64(s.r))}
}

// derive runs scrypt for password after checking bounds and the budget.
func (s *scryptParams) derive(ctx context.Context, v *Verifier, password []byte, keyLen int) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	release, err := v.admit(ctx, s.family, s.cost())
	if err != nil {
		return nil, err
	}
	defer release()
	dk, err := scrypt.Key(password, s.salt, 1<<s.logN, s.r, s.p, keyLen)
	if err != nil {
		return nil, malformed(s.family, err.Error())
	}
	return dk, nil
}

func (s *scryptParams) compare(ctx context.Context, v *Verifier, password []byte) (Result, error) {
	dk, err := s.derive(ctx, v, password, len(s.want))
	if err != nil {
		return Result{}, err
	}
	return outcome(ctEqual(dk, s.want), s.info()), nil
}

// log2Exact returns k when n == 2^k (k ≥ 1), else -1.
func log2Exact(n uint64) int {
	if n < 2 || n&(n-1) != 0 {
		return -1
	}
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}

// scryptFamily verifies
//
//	$scrypt$ln=16,r=8,p=1$<b64 salt>$<b64 hash>  passlib / PHC
//	scrypt$<N>$<salt>$<r>$<p>$<b64 hash>         Django ≥ 4.0 (64-byte key)
//	scrypt:<N>:<r>:<p>$<salt>$<hex hash>         Werkzeug ≥ 2.3 (64-byte key)
//
// Spring's "{scrypt}$…" lives in spring.go and Firebase's in firebase.go.
type scryptFamily struct{}

func (scryptFamily) formats() []string {
	return []string{"scrypt", "django-scrypt", "werkzeug-scrypt"}
}

func (scryptFamily) detect(s string) bool {
	return strings.HasPrefix(s, "$scrypt$") || strings.HasPrefix(s, "scrypt$") || strings.HasPrefix(s, "scrypt:")
}

func (scryptFamily) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parseScrypt(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	if err := p.check(); err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

func (scryptFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parseScrypt(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	return p.compare(ctx, v, []byte(password))
}

func parseScrypt(s string) (*scryptParams, error) {
	switch {
	case strings.HasPrefix(s, "$scrypt$"):
		return parsePHCScrypt(s)
	case strings.HasPrefix(s, "scrypt$"):
		return parseDjangoScrypt(s)
	case strings.HasPrefix(s, "scrypt:"):
		return parseWerkzeugScrypt(s)
	}
	return nil, malformed("scrypt", "unrecognised prefix")
}

// scryptN parses a decimal N and returns log2(N), bounding it first.
func scryptN(family, s string) (int, error) {
	n, err := atoiBounded(family, "N", s, 1<<scryptMaxLogN)
	if err != nil {
		return 0, err
	}
	k := log2Exact(uint64(n))
	if k < 0 {
		return 0, malformed(family, "N is not a power of two")
	}
	return k, nil
}

func parsePHCScrypt(s string) (*scryptParams, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 5 || parts[0] != "" {
		return nil, malformed("scrypt", "want $scrypt$ln=…,r=…,p=…$<salt>$<hash>")
	}
	p := &scryptParams{family: "scrypt"}
	kvs := strings.Split(parts[2], ",")
	if len(kvs) != 3 {
		return nil, malformed("scrypt", "want ln=…,r=…,p=…")
	}
	var err error
	for i, spec := range []struct {
		key   string
		dst   *int
		limit int
	}{{"ln", &p.logN, 64}, {"r", &p.r, scryptMaxRP}, {"p", &p.p, scryptMaxRP}} {
		val, ok := strings.CutPrefix(kvs[i], spec.key+"=")
		if !ok {
			return nil, malformed("scrypt", "want ln=…,r=…,p=… in that order")
		}
		if *spec.dst, err = atoiBounded("scrypt", spec.key, val, spec.limit); err != nil {
			return nil, err
		}
	}
	if p.salt, err = decodeAB64(parts[3]); err != nil {
		return nil, malformed("scrypt", "salt is not base64")
	}
	if p.want, err = decodeAB64(parts[4]); err != nil {
		return nil, malformed("scrypt", "hash is not base64")
	}
	return p, nil
}

func parseDjangoScrypt(s string) (*scryptParams, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 {
		return nil, malformed("django-scrypt", "want scrypt$<N>$<salt>$<r>$<p>$<hash>")
	}
	p := &scryptParams{family: "django-scrypt", salt: []byte(parts[2])}
	var err error
	if p.logN, err = scryptN(p.family, parts[1]); err != nil {
		return nil, err
	}
	if p.r, err = atoiBounded(p.family, "r", parts[3], scryptMaxRP); err != nil {
		return nil, err
	}
	if p.p, err = atoiBounded(p.family, "p", parts[4], scryptMaxRP); err != nil {
		return nil, err
	}
	if p.want, err = base64.StdEncoding.DecodeString(parts[5]); err != nil {
		return nil, malformed(p.family, "hash is not base64")
	}
	return p, nil
}

func parseWerkzeugScrypt(s string) (*scryptParams, error) {
	method, rest, ok := strings.Cut(s, "$")
	salt, hexHash, ok2 := strings.Cut(rest, "$")
	m := strings.Split(method, ":")
	if !ok || !ok2 || len(m) != 4 {
		return nil, malformed("werkzeug-scrypt", "want scrypt:<N>:<r>:<p>$<salt>$<hex>")
	}
	p := &scryptParams{family: "werkzeug-scrypt", salt: []byte(salt)}
	var err error
	if p.logN, err = scryptN(p.family, m[1]); err != nil {
		return nil, err
	}
	if p.r, err = atoiBounded(p.family, "r", m[2], scryptMaxRP); err != nil {
		return nil, err
	}
	if p.p, err = atoiBounded(p.family, "p", m[3], scryptMaxRP); err != nil {
		return nil, err
	}
	if p.want, err = hex.DecodeString(hexHash); err != nil {
		return nil, malformed(p.family, "hash is not hex")
	}
	return p, nil
}
