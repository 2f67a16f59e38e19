package passhash

import (
	"context"
	"crypto/md5"
	"strings"
)

// md5CryptRounds is MD5-crypt's fixed round count.
const md5CryptRounds = 1000

// md5CryptFamily verifies Poul-Henning Kamp's MD5-crypt "$1$salt$hash" and
// Apache's variant "$apr1$salt$hash" (same algorithm, different magic).
// Always weak: 1000 MD5 rounds are nothing for a GPU.
type md5CryptFamily struct{}

func (md5CryptFamily) name() string      { return "md5-crypt" }
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

func (f md5CryptFamily) verify(ctx context.Context, _ *Verifier, password string, h Hash) (Result, error) {
	magic, salt, sum, err := parseMD5Crypt(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	got := md5Crypt([]byte(password), []byte(salt), magic)
	return outcome(ctEqual(got, []byte(sum)), Info{Family: md5CryptName(magic), Weak: true}), nil
}

// md5Crypt returns the 22-character encoded digest of MD5-crypt.
func md5Crypt(pw, salt []byte, magic string) []byte {
	alt := md5.New()
	alt.Write(pw)
	alt.Write(salt)
	alt.Write(pw)
	altSum := alt.Sum(nil)

	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(magic))
	ctx.Write(salt)
	for n := len(pw); n > 0; n -= 16 {
		ctx.Write(altSum[:min(n, 16)])
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final := ctx.Sum(nil)

	for i := range md5CryptRounds {
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
	return out
}
