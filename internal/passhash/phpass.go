package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
)

// phpass bounds. The count is stored as log2 in one itoa64 character.
const (
	// phpassMinLog2 is phpass's and Drupal's own floor.
	phpassMinLog2 = 7
	// phpassMaxLog2 is phpass's own ceiling (2^30 digests, minutes of
	// work). WordPress writes 13 and Drupal 7 15–16; the loop checks ctx as
	// it goes so a hostile count is cut off by the caller's deadline.
	phpassMaxLog2 = 30
)

// drupalHashLen is Drupal 7's DRUPAL_HASH_LENGTH: the stored value is the
// 12-character setting plus the encoded digest, truncated to 55 characters.
const drupalHashLen = 55

// phpassFamily verifies the "portable" phpass hashes of WordPress ≤ 6.7,
// phpBB and Drupal: $P$ and $H$ (iterated MD5), Drupal 7's $S$ (iterated
// SHA-512, truncated to 55 characters), and Drupal's "U$"-prefixed hashes of
// users upgraded from Drupal 6, whose password was MD5-hex-digested first.
// All are weak: the iterated digests are fast on GPUs.
type phpassFamily struct{}

func (phpassFamily) formats() []string { return []string{"phpass", "drupal7"} }

func (phpassFamily) detect(s string) bool {
	s = strings.TrimPrefix(s, "U")
	return strings.HasPrefix(s, "$P$") || strings.HasPrefix(s, "$H$") || strings.HasPrefix(s, "$S$")
}

type phpassParams struct {
	family   string
	newHash  func() hash.Hash
	log2     int
	setting  string // "$P$" + count + 8-character salt
	stored   string // the value without the "U" prefix
	upgraded bool   // Drupal "U$…": password is md5 hex first
}

func parsePhpass(s string) (*phpassParams, error) {
	p := &phpassParams{family: "phpass", newHash: md5.New}
	if rest, ok := strings.CutPrefix(s, "U$"); ok {
		p.upgraded = true
		s = "$" + rest
	}
	p.stored = s
	if len(s) < 12 || s[0] != '$' || s[2] != '$' {
		return nil, malformed("phpass", "bad layout")
	}
	want := 34
	switch s[1] {
	case 'P', 'H':
	case 'S':
		p.family, p.newHash, want = "drupal7", sha512.New, drupalHashLen
	default:
		return nil, malformed("phpass", "unknown identifier")
	}
	if len(s) != want {
		return nil, malformed(p.family, "bad length")
	}
	p.log2 = itoa64Index(s[3])
	if p.log2 < 0 {
		return nil, malformed(p.family, "bad count character")
	}
	if p.log2 > phpassMaxLog2 {
		return nil, tooCostly(p.family, "log2(count)", uint64(p.log2), phpassMaxLog2)
	}
	if p.log2 < phpassMinLog2 {
		return nil, malformed(p.family, "count below 2^7")
	}
	for i := 4; i < len(s); i++ {
		if itoa64Index(s[i]) < 0 {
			return nil, malformed(p.family, "character outside the crypt alphabet")
		}
	}
	p.setting = s[:12]
	if p.upgraded {
		p.family += "-upgraded"
	}
	return p, nil
}

func (phpassFamily) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parsePhpass(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: p.family, Weak: true}, nil
}

// cost is the model's estimate for a password of l bytes: 2^count
// digests, each of the previous digest and the password.
func (p *phpassParams) cost(l int) cost {
	speed := md5Speed
	if p.family == "drupal7" || p.family == "drupal7-upgraded" {
		speed = sha512Speed
	}
	if p.upgraded {
		l = 32
	}
	n := 1 << p.log2
	return speed.cost(n, float64(n)*float64(blocks(p.newHash().Size()+l, speed.blockSize)))
}

func (phpassFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parsePhpass(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	release, err := v.admit(ctx, p.family, p.cost(len(password)))
	if err != nil {
		return Result{}, err
	}
	defer release()
	pw := []byte(password)
	if p.upgraded {
		sum := md5.Sum(pw)
		pw = []byte(hex.EncodeToString(sum[:]))
	}
	every := checkEvery(blocks(p.newHash().Size()+len(pw), p.newHash().BlockSize()))
	d := p.newHash()
	d.Write([]byte(p.setting[4:12]))
	d.Write(pw)
	sum := d.Sum(nil)
	for i := range 1 << p.log2 {
		if i%every == every-1 {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
		}
		d.Reset()
		d.Write(sum)
		d.Write(pw)
		sum = d.Sum(sum[:0])
	}
	got := append([]byte(p.setting), phpassEncode(sum)...)
	got = got[:len(p.stored)]
	return outcome(ctEqual(got, []byte(p.stored)), Info{Family: p.family, Weak: true}), nil
}

// phpassEncode is phpass's encode64: little-endian 24-bit groups, a short
// final group yielding 2 or 3 characters.
func phpassEncode(in []byte) []byte {
	out := make([]byte, 0, (len(in)*8+5)/6)
	for i := 0; i < len(in); i += 3 {
		var b1, b2 byte
		n := 4
		switch len(in) - i {
		case 1:
			n = 2
		case 2:
			b1, n = in[i+1], 3
		default:
			b1, b2 = in[i+1], in[i+2]
		}
		out = crypt64Triple(out, b2, b1, in[i], n)
	}
	return out
}
