package passhash

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// passlibBcryptSHA256Family verifies passlib's own bcrypt_sha256 (not
// Django's "bcrypt_sha256$", which is in django.go), used by Python
// applications through CryptContext:
//
//	v2: $bcrypt-sha256$v=2,t=2b,r=12$<22-char salt>$<31-char checksum>
//	    bcrypt of base64(HMAC-SHA256(key = the salt string, password))
//	v1: $bcrypt-sha256$2a,12$<salt>$<checksum>
//	    bcrypt of base64(SHA-256(password))
//
// Bounds and weakness are bcrypt's.
type passlibBcryptSHA256Family struct{}

func (passlibBcryptSHA256Family) name() string      { return "bcrypt-sha256" }
func (passlibBcryptSHA256Family) formats() []string { return []string{"bcrypt-sha256"} }

func (passlibBcryptSHA256Family) detect(s string) bool {
	return strings.HasPrefix(s, "$bcrypt-sha256$")
}

// parse returns the equivalent bcrypt string, the salt and the version.
func (f passlibBcryptSHA256Family) parse(s string) (enc, salt string, v2 bool, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != "bcrypt-sha256" {
		return "", "", false, malformed(f.name(), "want $bcrypt-sha256$<params>$<salt>$<checksum>")
	}
	var ident, rounds string
	if params, ok := strings.CutPrefix(parts[2], "v=2,"); ok {
		v2 = true
		kv := strings.Split(params, ",")
		if len(kv) != 2 || !strings.HasPrefix(kv[0], "t=") || !strings.HasPrefix(kv[1], "r=") {
			return "", "", false, malformed(f.name(), "want v=2,t=<ident>,r=<rounds>")
		}
		ident, rounds = kv[0][2:], kv[1][2:]
	} else {
		var ok bool
		if ident, rounds, ok = strings.Cut(parts[2], ","); !ok {
			return "", "", false, malformed(f.name(), "want <ident>,<rounds>")
		}
	}
	if ident != "2a" && ident != "2b" || len(rounds) > 2 || len(parts[3]) != 22 || len(parts[4]) != 31 {
		return "", "", false, malformed(f.name(), "bad ident, rounds or length")
	}
	if len(rounds) == 1 {
		rounds = "0" + rounds
	}
	return "$" + ident + "$" + rounds + "$" + parts[3] + parts[4], parts[3], v2, nil
}

func (f passlibBcryptSHA256Family) identify(_ *Verifier, h Hash) (Info, error) {
	enc, _, _, err := f.parse(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return bcryptInfo(f.name(), enc)
}

func (f passlibBcryptSHA256Family) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	enc, salt, v2, err := f.parse(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	info, err := bcryptInfo(f.name(), enc)
	if err != nil {
		return Result{}, err
	}
	var digest []byte
	if v2 {
		mac := hmac.New(sha256.New, []byte(salt))
		mac.Write([]byte(password))
		digest = mac.Sum(nil)
	} else {
		sum := sha256.Sum256([]byte(password))
		digest = sum[:]
	}
	return bcryptCompare(ctx, v, info, enc, []byte(base64.StdEncoding.EncodeToString(digest)))
}
