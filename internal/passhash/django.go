package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// djangoFamily verifies Django's hashers other than PBKDF2 and scrypt (in
// pbkdf2.go and scrypt.go):
//
//	sha1$<salt>$<hex>            SHA1PasswordHasher: sha1(salt + password), weak
//	md5$<salt>$<hex>             MD5PasswordHasher: md5(salt + password), weak
//	sha1$$<hex>                  UnsaltedSHA1PasswordHasher, weak
//	md5$$<hex> or bare 32 hex    UnsaltedMD5PasswordHasher (bare hex by Format "unsalted_md5"), weak
//	bcrypt_sha256$<bcrypt>       bcrypt of hex(sha256(password)); weak per bcrypt cost
//	bcrypt$<bcrypt>              plain bcrypt; weak per bcrypt cost
//	argon2$argon2id$v=19$…       Argon2PasswordHasher; weak per argon2 parameters
//	crypt$$<crypt(3) value>      CryptPasswordHasher (DES or any crypt family here)
type djangoFamily struct{}

func (djangoFamily) formats() []string {
	return []string{"django", "unsalted_md5", "unsalted_sha1"}
}

func (djangoFamily) detect(s string) bool {
	return strings.HasPrefix(s, "sha1$") || strings.HasPrefix(s, "md5$") ||
		strings.HasPrefix(s, "bcrypt_sha256$") || strings.HasPrefix(s, "bcrypt$") ||
		strings.HasPrefix(s, "argon2$argon2") || strings.HasPrefix(s, "crypt$")
}

// djangoDigest is a parsed salted or unsalted digest hasher value.
type djangoDigest struct {
	family  string
	newHash func() hash.Hash
	salt    string
	want    []byte
}

func parseDjangoDigest(h Hash) (*djangoDigest, error) {
	s := h.Encoded
	if strings.EqualFold(strings.TrimSpace(h.Format), "unsalted_md5") && !strings.Contains(s, "$") {
		s = "md5$$" + s
	}
	if strings.EqualFold(strings.TrimSpace(h.Format), "unsalted_sha1") && !strings.Contains(s, "$") {
		s = "sha1$$" + s
	}
	parts := strings.Split(s, "$")
	if len(parts) != 3 {
		return nil, malformed("django", "want <algorithm>$<salt>$<hex>")
	}
	d := &djangoDigest{salt: parts[1]}
	switch parts[0] {
	case "sha1":
		d.newHash, d.family = sha1.New, "django-sha1"
	case "md5":
		d.newHash, d.family = md5.New, "django-md5"
	default:
		return nil, malformed("django", "unknown algorithm "+parts[0])
	}
	if d.salt == "" {
		d.family = "django-unsalted-" + parts[0]
	}
	want, err := hex.DecodeString(parts[2])
	if err != nil || len(want) != d.newHash().Size() {
		return nil, malformed(d.family, "hash is not hex of the digest size")
	}
	d.want = want
	return d, nil
}

// djangoInner splits the wrappers around another family's encoding.
func djangoInner(s string) (kind, inner string) {
	if rest, ok := strings.CutPrefix(s, "crypt$"); ok {
		// crypt$<salt>$<data>: the salt field is empty or repeats data's.
		if _, data, ok := strings.Cut(rest, "$"); ok {
			return "crypt", data
		}
	}
	for _, p := range []string{"bcrypt_sha256$", "bcrypt$"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return strings.TrimSuffix(p, "$"), rest
		}
	}
	// Django writes "argon2" + the PHC string, which starts with "$argon2".
	if rest, ok := strings.CutPrefix(s, "argon2$argon2"); ok {
		return "argon2", "$argon2" + rest
	}
	return "", s
}

func (f djangoFamily) identify(v *Verifier, h Hash) (Info, error) {
	switch kind, inner := djangoInner(h.Encoded); kind {
	case "crypt":
		cf, err := ldapCryptInner(inner)
		if err != nil {
			return Info{}, err
		}
		return cf.identify(v, Hash{Encoded: inner})
	case "bcrypt_sha256", "bcrypt":
		return bcryptInfo("django-"+kind, inner)
	case "argon2":
		p, err := parseArgon2PHC(inner)
		if err != nil {
			return Info{}, err
		}
		if err := p.check(); err != nil {
			return Info{}, err
		}
		return p.info("django-" + p.variant), nil
	}
	d, err := parseDjangoDigest(h)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: d.family, Weak: true}, nil
}

func (f djangoFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	switch kind, inner := djangoInner(h.Encoded); kind {
	case "crypt":
		cf, err := ldapCryptInner(inner)
		if err != nil {
			return Result{}, err
		}
		return cf.verify(ctx, v, password, Hash{Encoded: inner})
	case "bcrypt_sha256":
		info, err := bcryptInfo("django-bcrypt_sha256", inner)
		if err != nil {
			return Result{}, err
		}
		sum := sha256.Sum256([]byte(password))
		return bcryptCompare(ctx, v, info, inner, []byte(hex.EncodeToString(sum[:])))
	case "bcrypt":
		info, err := bcryptInfo("django-bcrypt", inner)
		if err != nil {
			return Result{}, err
		}
		return bcryptCompare(ctx, v, info, inner, []byte(password))
	case "argon2":
		p, err := parseArgon2PHC(inner)
		if err != nil {
			return Result{}, err
		}
		return p.compare(ctx, v, "django-"+p.variant, []byte(password))
	}
	d, err := parseDjangoDigest(h)
	if err != nil {
		return Result{}, err
	}
	dg := d.newHash()
	dg.Write([]byte(d.salt))
	dg.Write([]byte(password))
	return outcome(ctEqual(dg.Sum(nil), d.want), Info{Family: d.family, Weak: true}), nil
}
