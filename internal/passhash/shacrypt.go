package passhash

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"math/bits"
	"strings"
)

// SHA-crypt parameters (Ulrich Drepper's specification).
const (
	shaCryptDefaultRounds = 5000
	shaCryptMinRounds     = 1000
	// shaCryptMaxRounds bounds rounds= read from an untrusted hash: 10^7
	// SHA-512 rounds take about 4 s, the most Cognito's budget allows
	// (the specification itself allows 999,999,999).
	shaCryptMaxRounds = 10_000_000
	shaCryptMaxSalt   = 16
)

// shaCryptFamily verifies crypt(3) "$5$" (SHA-256-crypt) and "$6$"
// (SHA-512-crypt), with optional "rounds=N$". Weak below the
// specification's default of 5000 rounds.
type shaCryptFamily struct{}

func (shaCryptFamily) formats() []string {
	return []string{"sha-crypt", "sha256-crypt", "sha512-crypt"}
}

func (shaCryptFamily) detect(s string) bool {
	return strings.HasPrefix(s, "$5$") || strings.HasPrefix(s, "$6$")
}

// info describes the stored hash: below the default rounds it is weak.
func (p *shaCryptParams) info() Info {
	return Info{Family: p.family, Weak: p.rounds < shaCryptDefaultRounds, Params: fmt.Sprintf("rounds=%d", p.rounds)}
}

type shaCryptParams struct {
	family  string
	newHash func() hash.Hash
	speed   hashSpeed
	rounds  int
	salt    string
	sum     string
}

func parseSHACrypt(s string) (*shaCryptParams, error) {
	p := &shaCryptParams{rounds: shaCryptDefaultRounds}
	sumLen := 0
	switch {
	case strings.HasPrefix(s, "$5$"):
		p.family, p.newHash, p.speed, sumLen = "sha256-crypt", sha256.New, sha256Speed, 43
	case strings.HasPrefix(s, "$6$"):
		p.family, p.newHash, p.speed, sumLen = "sha512-crypt", sha512.New, sha512Speed, 86
	default:
		return nil, malformed("sha-crypt", "unknown magic")
	}
	rest := s[3:]
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		num, after, ok := strings.Cut(r, "$")
		if !ok {
			return nil, malformed(p.family, "rounds= not terminated")
		}
		n, err := atoiBounded(p.family, "rounds", num, shaCryptMaxRounds)
		if err != nil {
			return nil, err
		}
		p.rounds = max(n, shaCryptMinRounds)
		rest = after
	}
	salt, sum, ok := strings.Cut(rest, "$")
	if !ok || len(sum) != sumLen {
		return nil, malformed(p.family, "want [rounds=N$]<salt>$<hash>")
	}
	if len(salt) > shaCryptMaxSalt {
		return nil, malformed(p.family, "salt longer than 16 characters")
	}
	p.salt, p.sum = salt, sum
	return p, nil
}

func (shaCryptFamily) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parseSHACrypt(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

// cost is the model's estimate for a password of l bytes. Besides the
// rounds, each hashing about 2l bytes, the specification's "P sequence"
// hashes the password l times over: l² bytes, the quadratic term that
// makes a long password expensive even at the default 5000 rounds.
func (p *shaCryptParams) cost(l int) cost {
	size, s, bs := p.newHash().Size(), len(p.salt), p.speed.blockSize
	log2l := bits.Len(uint(l))
	setup := blocks(2*l+s, bs) + blocks(2*l+s+log2l*max(l, size), bs) + blocks(l*l, bs) + blocks(271*s, bs)
	perRound := blocks(size+2*l+s, bs)
	return p.speed.cost(p.rounds+4, float64(setup)+float64(p.rounds)*float64(perRound))
}

func (shaCryptFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parseSHACrypt(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	release, err := v.admit(ctx, p.family, p.cost(len(password)))
	if err != nil {
		return Result{}, err
	}
	defer release()
	got, err := shaCrypt(ctx, p.newHash, []byte(password), []byte(p.salt), p.rounds)
	if err != nil {
		return Result{}, err
	}
	info := p.info()
	return outcome(ctEqual(got, []byte(p.sum)), info), nil
}

// repeatTo returns src repeated to n bytes.
func repeatTo(src []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, src[:min(len(src), n-len(out))]...)
	}
	return out
}

// shaCrypt returns the encoded digest of SHA-crypt.
func shaCrypt(ctx context.Context, newHash func() hash.Hash, pw, salt []byte, rounds int) ([]byte, error) {
	b := newHash()
	b.Write(pw)
	b.Write(salt)
	b.Write(pw)
	bSum := b.Sum(nil)
	size := len(bSum)

	a := newHash()
	a.Write(pw)
	a.Write(salt)
	for n := len(pw); n > 0; n -= size {
		a.Write(bSum[:min(n, size)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			a.Write(bSum)
		} else {
			a.Write(pw)
		}
	}
	aSum := a.Sum(nil)

	every := checkEvery(blocks(len(pw), b.BlockSize()))
	dp := newHash()
	for i := range len(pw) {
		if i%every == every-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		dp.Write(pw)
	}
	var pSeq []byte
	if len(pw) > 0 {
		pSeq = repeatTo(dp.Sum(nil), len(pw))
	}

	ds := newHash()
	for range 16 + int(aSum[0]) {
		ds.Write(salt)
	}
	var sSeq []byte
	if len(salt) > 0 {
		sSeq = repeatTo(ds.Sum(nil), len(salt))
	}

	c := aSum
	d := newHash()
	every = checkEvery(blocks(size+2*len(pw)+len(salt), b.BlockSize()))
	for i := range rounds {
		if i%every == every-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d.Reset()
		if i&1 != 0 {
			d.Write(pSeq)
		} else {
			d.Write(c)
		}
		if i%3 != 0 {
			d.Write(sSeq)
		}
		if i%7 != 0 {
			d.Write(pSeq)
		}
		if i&1 != 0 {
			d.Write(c)
		} else {
			d.Write(pSeq)
		}
		c = d.Sum(c[:0])
	}

	if size == sha256.Size {
		out := make([]byte, 0, 43)
		for _, t := range sha256CryptOrder {
			out = crypt64Triple(out, c[t[0]], c[t[1]], c[t[2]], 4)
		}
		return crypt64Triple(out, 0, c[31], c[30], 3), nil
	}
	out := make([]byte, 0, 86)
	for _, t := range sha512CryptOrder {
		out = crypt64Triple(out, c[t[0]], c[t[1]], c[t[2]], 4)
	}
	return crypt64Triple(out, 0, 0, c[63], 2), nil
}

// The byte permutations of the final encoding, from the specification.
var sha256CryptOrder = [][3]int{
	{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
	{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29},
}

var sha512CryptOrder = [][3]int{
	{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
	{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51},
	{31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
	{15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19},
	{62, 20, 41},
}
