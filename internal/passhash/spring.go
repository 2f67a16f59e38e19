package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/md4"
)

// Spring Security defaults for encoders whose parameters are not stored.
const (
	// springPBKDF2Iterations / springPBKDF2Width: Pbkdf2PasswordEncoder's
	// defaults before 5.8 (and defaultsForSpringSecurity_v5_5), which
	// DelegatingPasswordEncoder registers as "pbkdf2": PBKDF2WithHmacSHA1,
	// 185,000 iterations, 256-bit hash, 8- or 16-byte salt.
	springPBKDF2Iterations = 185_000
	// springPBKDF2v58Iterations: defaultsForSpringSecurity_v5_8, registered as
	// "pbkdf2@SpringSecurity_v5_8": PBKDF2WithHmacSHA256, 310,000 iterations.
	springPBKDF2v58Iterations = 310_000
	springPBKDF2Width         = 32
	// springStandardIterations / springStandardSaltLen: StandardPasswordEncoder
	// ("sha256"): SHA-256 applied 1024 times to salt || secret || password.
	springStandardIterations = 1024
	springStandardSaltLen    = 8
)

// springFamily verifies Spring Security DelegatingPasswordEncoder values
// "{id}encoded": {bcrypt}, {pbkdf2}, {pbkdf2@SpringSecurity_v5_8}, {scrypt},
// {scrypt@SpringSecurity_v5_8}, {argon2}, {argon2@SpringSecurity_v5_8},
// {sha256} (StandardPasswordEncoder), {MD4}, {MD5}, {SHA-1}, {SHA-256}
// (MessageDigestPasswordEncoder), {ldap} (LdapShaPasswordEncoder) and
// {noop} (only with Options.AllowPlaintext). Ids are case-sensitive, as in
// Spring. Options.Pepper is the encoders' "secret" where they have one.
type springFamily struct{}

func (springFamily) formats() []string { return []string{"spring"} }

var springIDs = map[string]bool{
	"bcrypt": true, "pbkdf2": true, "pbkdf2@SpringSecurity_v5_8": true,
	"scrypt": true, "scrypt@SpringSecurity_v5_8": true,
	"argon2": true, "argon2@SpringSecurity_v5_8": true,
	"sha256": true, "MD4": true, "MD5": true, "SHA-1": true, "SHA-256": true,
	"ldap": true, "noop": true,
}

func springSplit(s string) (id, rest string, ok bool) {
	if !strings.HasPrefix(s, "{") {
		return "", "", false
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", "", false
	}
	id = s[1:end]
	return id, s[end+1:], springIDs[id]
}

func (springFamily) detect(s string) bool {
	id, rest, ok := springSplit(s)
	if !ok {
		return false
	}
	switch id {
	case "MD5":
		// LDAP's {MD5} is base64 of 16 bytes; Spring's is hex, maybe after {salt}.
		return strings.HasPrefix(rest, "{") || isHex(rest)
	case "sha256":
		// LDAP's {SHA256} (any case) is base64; Spring's is 80 hex digits.
		return isHex(rest)
	}
	return true
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (f springFamily) identify(v *Verifier, h Hash) (Info, error) {
	si, err := f.run(context.Background(), v, "", h, false)
	return si.Info, err
}

func (f springFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	info, err := f.run(ctx, v, password, h, true)
	if err != nil {
		return Result{}, err
	}
	return Result{Match: info.match, Family: info.Family, Weak: info.Weak}, nil
}

// springInfo carries a match through run, which serves both identify and verify.
type springInfo struct {
	Info
	match bool
}

func (f springFamily) run(ctx context.Context, v *Verifier, password string, h Hash, doVerify bool) (springInfo, error) {
	id, rest, ok := springSplit(h.Encoded)
	if !ok {
		return springInfo{}, malformed("spring", "want {id}encoded with a known id")
	}
	wrap := func(r Result, err error) (springInfo, error) {
		if err != nil {
			return springInfo{}, err
		}
		return springInfo{Info{Family: "spring-" + r.Family, Weak: r.Weak}, r.Match}, nil
	}
	wrapInfo := func(i Info, err error) (springInfo, error) {
		return wrap(Result{Family: i.Family, Weak: i.Weak}, err)
	}
	switch id {
	case "bcrypt":
		info, err := bcryptInfo("bcrypt", rest)
		if err != nil || !doVerify {
			return wrapInfo(info, err)
		}
		return wrap(bcryptCompare(ctx, v, info, rest, []byte(password)))
	case "argon2", "argon2@SpringSecurity_v5_8":
		if !doVerify {
			return wrapInfo(argon2Family{}.identify(v, Hash{Encoded: rest}))
		}
		return wrap(argon2Family{}.verify(ctx, v, password, Hash{Encoded: rest}))
	case "ldap":
		if !doVerify {
			return wrapInfo(ldapFamily{}.identify(v, Hash{Encoded: rest}))
		}
		return wrap(ldapVerify(rest, password))
	case "noop":
		if !v.opts.AllowPlaintext {
			return springInfo{}, fmt.Errorf("%w: spring {noop} needs AllowPlaintext", ErrNotAllowed)
		}
		if !doVerify {
			return springInfo{Info: Info{Family: "spring-noop", Weak: true}}, nil
		}
		return wrap(plaintextCompare(password, rest, "noop"), nil)
	case "scrypt", "scrypt@SpringSecurity_v5_8":
		p, err := parseSpringScrypt(rest)
		if err != nil {
			return springInfo{}, err
		}
		if err := p.check(); err != nil || !doVerify {
			return wrapInfo(p.info(), err)
		}
		return wrap(p.compare(ctx, v, []byte(password)))
	case "pbkdf2", "pbkdf2@SpringSecurity_v5_8":
		p, err := parseSpringPBKDF2(id, rest, v.opts.Pepper)
		if err != nil {
			return springInfo{}, err
		}
		if err := p.check(); err != nil || !doVerify {
			return wrapInfo(p.info(), err)
		}
		return wrap(p.compare(ctx, v, []byte(password)))
	case "sha256":
		return springStandard(rest, password, v.opts.Pepper, doVerify)
	default: // MD4, MD5, SHA-1, SHA-256
		return springDigest(id, rest, password, doVerify)
	}
}

// parseSpringScrypt reads SCryptPasswordEncoder's "$<hex params>$<b64 salt>$<b64 hash>",
// params = log2(N)<<16 | r<<8 | p.
func parseSpringScrypt(s string) (*scryptParams, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != "" || len(parts[1]) > 8 {
		return nil, malformed("scrypt", "want $<hex params>$<salt>$<hash>")
	}
	params, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, malformed("scrypt", "params are not hex")
	}
	p := &scryptParams{family: "scrypt", logN: int(params >> 16 & 0xffff), r: int(params >> 8 & 0xff), p: int(params & 0xff)}
	if p.salt, err = base64.StdEncoding.DecodeString(parts[2]); err != nil {
		return nil, malformed("scrypt", "salt is not base64")
	}
	if p.want, err = base64.StdEncoding.DecodeString(parts[3]); err != nil {
		return nil, malformed("scrypt", "hash is not base64")
	}
	return p, nil
}

// parseSpringPBKDF2 reads Pbkdf2PasswordEncoder's hex (or base64) of
// salt || hash; the hash is 256 bits, the salt the rest. The secret is
// appended to the salt, as the encoder does.
func parseSpringPBKDF2(id, s, secret string) (*pbkdf2Params, error) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		if raw, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, malformed("pbkdf2", "value is neither hex nor base64")
		}
	}
	if len(raw) <= springPBKDF2Width {
		return nil, malformed("pbkdf2", "value shorter than salt and hash")
	}
	p := &pbkdf2Params{family: "pbkdf2-sha1", prf: prfSHA1, iter: springPBKDF2Iterations}
	if id == "pbkdf2@SpringSecurity_v5_8" {
		p.family, p.prf, p.iter = "pbkdf2-sha256", prfSHA256, springPBKDF2v58Iterations
	}
	saltLen := len(raw) - springPBKDF2Width
	p.salt = append(append([]byte{}, raw[:saltLen]...), secret...)
	p.want = raw[saltLen:]
	return p, nil
}

// springStandard verifies StandardPasswordEncoder: hex(salt(8) || digest)
// with digest = SHA-256^1024(salt || secret || password).
func springStandard(s, password, secret string, doVerify bool) (springInfo, error) {
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != springStandardSaltLen+sha256.Size {
		return springInfo{}, malformed("spring-sha256", "want 80 hex digits")
	}
	info := springInfo{Info: Info{Family: "spring-sha256", Weak: true}}
	if !doVerify {
		return info, nil
	}
	salt, want := raw[:springStandardSaltLen], raw[springStandardSaltLen:]
	d := sha256.New()
	d.Write(salt)
	d.Write([]byte(secret))
	d.Write([]byte(password))
	sum := d.Sum(nil)
	for range springStandardIterations - 1 {
		d.Reset()
		d.Write(sum)
		sum = d.Sum(sum[:0])
	}
	info.match = ctEqual(sum, want)
	return info, nil
}

// springDigest verifies MessageDigestPasswordEncoder: "{salt}" + hex(H(password + "{salt}")),
// the braces part of the digested text, the salt optional.
func springDigest(id, s, password string, doVerify bool) (springInfo, error) {
	var newHash func() hash.Hash
	switch id {
	case "MD4":
		newHash = md4.New
	case "MD5":
		newHash = md5.New
	case "SHA-1":
		newHash = sha1.New
	case "SHA-256":
		newHash = sha256.New
	}
	family := "spring-" + strings.ToLower(id)
	salt, digest := "", s
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return springInfo{}, malformed(family, "salt not closed")
		}
		salt, digest = s[:end+1], s[end+1:]
	}
	want, err := hex.DecodeString(digest)
	if err != nil || len(want) != newHash().Size() {
		return springInfo{}, malformed(family, "digest is not hex of the digest size")
	}
	info := springInfo{Info: Info{Family: family, Weak: true}}
	if !doVerify {
		return info, nil
	}
	d := newHash()
	d.Write([]byte(password + salt))
	info.match = ctEqual(d.Sum(nil), want)
	return info, nil
}
