package passhash

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"strings"
	"unicode/utf16"
)

// aspnetMembershipFamily verifies the classic ASP.NET SqlMembershipProvider
// (aspnet_Membership.Password with PasswordFormat 1 = Hashed) next to its
// separate base64 PasswordSalt column. The password is UTF-16LE. For a plain
// hash algorithm the stored value is base64(H(salt || password)); for a
// keyed one (HMACSHA*) it is base64(HMAC(key, password)) with the key derived
// as SqlMembershipProvider.EncodePassword does: the salt when it has exactly
// the HMAC's default key size, its prefix when longer, and the salt repeated
// and truncated to the key size when shorter.
//
// The algorithm is web.config's hashAlgorithmType, named in the Format:
// aspnet-membership-{md5,sha1,sha256,sha384,sha512,hmacsha1,hmacsha256,
// hmacsha384,hmacsha512}. Every variant is a single fast digest: weak.
type aspnetMembershipFamily struct{}

type membershipAlg struct {
	new    func() hash.Hash
	keyed  bool
	keyLen int // .NET's default HMAC key size (the hash's block size)
}

var membershipAlgs = map[string]membershipAlg{
	"md5":        {md5.New, false, 0},
	"sha1":       {sha1.New, false, 0},
	"sha256":     {sha256.New, false, 0},
	"sha384":     {sha512.New384, false, 0},
	"sha512":     {sha512.New, false, 0},
	"hmacsha1":   {sha1.New, true, 64},
	"hmacsha256": {sha256.New, true, 64},
	"hmacsha384": {sha512.New384, true, 128},
	"hmacsha512": {sha512.New, true, 128},
}

const membershipPrefix = "aspnet-membership-"

func (aspnetMembershipFamily) formats() []string {
	out := []string{}
	for k := range membershipAlgs {
		out = append(out, membershipPrefix+k)
	}
	return out
}
func (aspnetMembershipFamily) detect(string) bool { return false }

func (aspnetMembershipFamily) parse(h Hash) (string, membershipAlg, []byte, []byte, error) {
	name := strings.ToLower(strings.TrimSpace(h.Format))
	alg, ok := membershipAlgs[strings.TrimPrefix(name, membershipPrefix)]
	if !ok {
		return "", alg, nil, nil, malformed("aspnet-membership", "unknown algorithm in format "+h.Format)
	}
	salt, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Salt))
	if err != nil {
		return "", alg, nil, nil, malformed(name, "salt is not base64")
	}
	if alg.keyed && len(salt) == 0 {
		return "", alg, nil, nil, malformed(name, "keyed algorithm needs a salt")
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Encoded))
	if err != nil || len(want) != alg.new().Size() {
		return "", alg, nil, nil, malformed(name, "hash is not base64 of the digest size")
	}
	return name, alg, salt, want, nil
}

func (f aspnetMembershipFamily) identify(_ *Verifier, h Hash) (Info, error) {
	name, _, _, _, err := f.parse(h)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: name, Weak: true}, nil
}

func (f aspnetMembershipFamily) verify(ctx context.Context, _ *Verifier, password string, h Hash) (Result, error) {
	name, alg, salt, want, err := f.parse(h)
	if err != nil {
		return Result{}, err
	}
	pw := utf16LE(password)
	var got []byte
	if alg.keyed {
		mac := hmac.New(alg.new, membershipKey(salt, alg.keyLen))
		mac.Write(pw)
		got = mac.Sum(nil)
	} else {
		d := alg.new()
		d.Write(salt)
		d.Write(pw)
		got = d.Sum(nil)
	}
	return outcome(ctEqual(got, want), Info{Family: name, Weak: true}), nil
}

// membershipKey derives the HMAC key from the salt as SqlMembershipProvider does.
func membershipKey(salt []byte, keyLen int) []byte {
	if len(salt) >= keyLen {
		return salt[:keyLen]
	}
	key := make([]byte, keyLen)
	for i := 0; i < keyLen; i += len(salt) {
		copy(key[i:], salt)
	}
	return key
}

// utf16LE encodes s as .NET's Encoding.Unicode does.
func utf16LE(s string) []byte {
	units := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(units))
	for i, u := range units {
		out[2*i] = byte(u)
		out[2*i+1] = byte(u >> 8)
	}
	return out
}
