package passhash

import (
	"context"
	"crypto/md5"
	"math/bits"
	"strings"
)

// md5CryptRounds is MD5-crypt's fixed round count.
const md5CryptRounds = 1000

// md5CryptFamily verifies Poul-Henning Kamp's MD5-crypt "$1$salt$hash" and
// Apache's variant "$apr1$salt$hash" (same algorithm, different magic).
// Always weak: 1000 MD5 rounds are nothing for a GPU.
type md5CryptFamily struct{}

func (md5CryptFamily) formats() []string { return []string{"md5-crypt", "apr1"} }

func (md5CryptFamily) detect(s string) bool {
	return strings.HasPrefix(s, "$1$") || strings.HasPrefix(s, "$apr1$")
}

func parseMD5Crypt(s string) (magic, salt, sum string, err error) {
	switch {
	case strings.HasPrefix(s, "$1$"):
		magic = "$1$"
	case strings.HasPrefix(s, "$apr1$"):
		magic = "$apr1$"
	default:
		return "", "", "", malformed("md5-crypt", "unknown magic")
	}
	salt, sum, ok := strings.Cut(s[len(magic):], "$")
	if !ok || len(salt) > 8 || len(sum) != 22 {
		return "", "", "", malformed("md5-crypt", "want $1$<salt ≤ 8>$<22 characters>")
	}
	return magic, salt, sum, nil
}

func (f md5CryptFamily) identify(_ *Verifier, h Hash) (Info, error) {
	magic, _, _, err := parseMD5Crypt(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: md5CryptName(magic), Weak: true}, nil
}

func md5CryptName(magic string) string {
	if magic == "$apr1$" {
		return "apr1"
	}
	return "md5-crypt"
}

// md5CryptCost is the model's estimate for a password of l bytes and a
// salt of s: 1000 rounds, each hashing about 2l bytes.
func md5CryptCost(l, s int) cost {
	setup := blocks(2*l+s, 64) + blocks(2*l+s+6+bits.Len(uint(l)), 64)
	return md5Speed.cost(md5CryptRounds+2, float64(setup)+md5CryptRounds*float64(blocks(16+2*l+s, 64)))
}

func (f md5CryptFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	magic, salt, sum, err := parseMD5Crypt(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	release, err := v.admit(ctx, md5CryptName(magic), md5CryptCost(len(password), len(salt)))
	if err != nil {
		return Result{}, err
	}
	defer release()
	got, err := md5Crypt(ctx, []byte(password), []byte(salt), magic)
	if err != nil {
		return Result{}, err
	}
	return outcome(ctEqual(got, []byte(sum)), Info{Family: md5CryptName(magic), Weak: true}), nil
}

// md5Crypt returns the 22-character encoded digest of MD5-crypt.
func md5Crypt(ctx context.Context, pw, salt []byte, magic string) ([]byte, error) {
	alt := md5.New()
	alt.Write(pw)
	alt.Write(salt)
	alt.Write(pw)
	altSum := alt.Sum(nil)

	a := md5.New()
	a.Write(pw)
	a.Write([]byte(magic))
	a.Write(salt)
	for n := len(pw); n > 0; n -= 16 {
		a.Write(altSum[:min(n, 16)])
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			a.Write([]byte{0})
		} else {
			a.Write(pw[:1])
		}
	}
	final := a.Sum(nil)

	every := checkEvery(blocks(16+2*len(pw)+len(salt), 64))
	for i := range md5CryptRounds {
		if i%every == every-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := md5.New()
		if i&1 != 0 {
			d.Write(pw)
		} else {
			d.Write(final)
		}
		if i%3 != 0 {
			d.Write(salt)
		}
		if i%7 != 0 {
			d.Write(pw)
		}
		if i&1 != 0 {
			d.Write(final)
		} else {
			d.Write(pw)
		}
		final = d.Sum(final[:0])
	}

	out := make([]byte, 0, 22)
	out = crypt64Triple(out, final[0], final[6], final[12], 4)
	out = crypt64Triple(out, final[1], final[7], final[13], 4)
	out = crypt64Triple(out, final[2], final[8], final[14], 4)
	out = crypt64Triple(out, final[3], final[9], final[15], 4)
	out = crypt64Triple(out, final[4], final[10], final[5], 4)
	out = crypt64Triple(out, 0, 0, final[11], 2)
	return out, nil
}
