package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
)

// ldapMaxSaltLen bounds the salt of a salted LDAP scheme (OpenLDAP writes 4
// or 8 bytes, 389-DS 8).
const ldapMaxSaltLen = 64

// ldapFamily verifies RFC 2307-style userPassword values: {SHA}, {SSHA},
// {SHA256}, {SSHA256}, {SHA384}, {SSHA384}, {SHA512}, {SSHA512}, {MD5},
// {SMD5} (base64 of digest || salt; scheme names are case-insensitive), and
// {CRYPT} wrapping a crypt(3) hash (DES, $1$, $apr1$, $5$, $6$, bcrypt). The
// digest schemes are a single fast digest: weak. {CRYPT} reports the wrapped
// family's weakness.
type ldapFamily struct{}

type ldapScheme struct {
	newHash func() hash.Hash
	salted  bool
}

var ldapSchemes = map[string]ldapScheme{
	"SHA":     {sha1.New, false},
	"SSHA":    {sha1.New, true},
	"SHA256":  {sha256.New, false},
	"SSHA256": {sha256.New, true},
	"SHA384":  {sha512.New384, false},
	"SSHA384": {sha512.New384, true},
	"SHA512":  {sha512.New, false},
	"SSHA512": {sha512.New, true},
	"MD5":     {md5.New, false},
	"SMD5":    {md5.New, true},
}

func (ldapFamily) formats() []string { return []string{"ldap"} }

// ldapSplit returns the upper-cased scheme and the value after it.
func ldapSplit(s string) (scheme, rest string, ok bool) {
	if len(s) < 3 || s[0] != '{' {
		return "", "", false
	}
	end := strings.IndexByte(s, '}')
	if end < 2 || end > 10 {
		return "", "", false
	}
	return strings.ToUpper(s[1:end]), s[end+1:], true
}

func (ldapFamily) detect(s string) bool {
	scheme, _, ok := ldapSplit(s)
	if !ok {
		return false
	}
	_, known := ldapSchemes[scheme]
	return known || scheme == "CRYPT"
}

// ldapParse decodes a digest scheme value.
func ldapParse(s string) (family string, sch ldapScheme, digest, salt []byte, err error) {
	scheme, rest, ok := ldapSplit(s)
	if !ok {
		return "", sch, nil, nil, malformed("ldap", "want {SCHEME}value")
	}
	sch, ok = ldapSchemes[scheme]
	if !ok {
		return "", sch, nil, nil, fmt.Errorf("%w: ldap scheme {%s}", ErrUnknownFormat, scheme)
	}
	family = "ldap-" + strings.ToLower(scheme)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", sch, nil, nil, malformed(family, "value is not base64")
	}
	size := sch.newHash().Size()
	switch {
	case !sch.salted && len(raw) != size:
		return "", sch, nil, nil, malformed(family, "value is not one digest")
	case sch.salted && (len(raw) <= size || len(raw) > size+ldapMaxSaltLen):
		return "", sch, nil, nil, malformed(family, "salt length out of range")
	}
	return family, sch, raw[:size], raw[size:], nil
}

// ldapCryptInner returns the family that verifies a {CRYPT} value.
func ldapCryptInner(inner string) (family, error) {
	for _, f := range []family{bcryptFamily{}, md5CryptFamily{}, shaCryptFamily{}} {
		if f.detect(inner) {
			return f, nil
		}
	}
	if isDESCrypt(inner) {
		return desCryptFamily{}, nil
	}
	return nil, fmt.Errorf("%w: crypt value is not DES, $1$, $apr1$, $5$, $6$ or bcrypt", ErrUnknownFormat)
}

func (f ldapFamily) identify(v *Verifier, h Hash) (Info, error) {
	if scheme, rest, ok := ldapSplit(h.Encoded); ok && scheme == "CRYPT" {
		inner, err := ldapCryptInner(rest)
		if err != nil {
			return Info{}, err
		}
		return inner.identify(v, Hash{Encoded: rest})
	}
	family, _, _, _, err := ldapParse(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: family, Weak: true}, nil
}

func (f ldapFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	if scheme, rest, ok := ldapSplit(h.Encoded); ok && scheme == "CRYPT" {
		inner, err := ldapCryptInner(rest)
		if err != nil {
			return Result{}, err
		}
		return inner.verify(ctx, v, password, Hash{Encoded: rest})
	}
	return ldapVerify(h.Encoded, password)
}

// ldapVerify checks a digest scheme value; shared with Spring's {ldap}.
func ldapVerify(encoded, password string) (Result, error) {
	family, sch, digest, salt, err := ldapParse(encoded)
	if err != nil {
		return Result{}, err
	}
	d := sch.newHash()
	d.Write([]byte(password))
	d.Write(salt)
	return outcome(ctEqual(d.Sum(nil), digest), Info{Family: family, Weak: true}), nil
}
