package passhash

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// joomlaFamily verifies the "hex:salt" MD5 values of PHP applications that
// kept the salt after the hash in one column:
//
//	Joomla 1.5–2.5  md5(password . salt) ":" salt   (32-character salt; Format "joomla")
//	osCommerce 2.x  md5(salt . password) ":" salt   (2-character salt; Format "oscommerce")
//
// Values are recognised by their salt length (32 → Joomla, 2 → osCommerce);
// other lengths need the Format. Always weak: one MD5.
type joomlaFamily struct{}

func (joomlaFamily) name() string      { return "joomla" }
func (joomlaFamily) formats() []string { return []string{"joomla", "oscommerce"} }

func (joomlaFamily) detect(s string) bool {
	sum, salt, ok := strings.Cut(s, ":")
	return ok && len(sum) == 32 && isHex(sum) && (len(salt) == 32 || len(salt) == 2) && !strings.Contains(salt, ":")
}

// parse returns the family ("joomla" or "oscommerce"), the digest and the salt.
func (f joomlaFamily) parse(h Hash) (string, []byte, string, error) {
	sum, salt, ok := strings.Cut(h.Encoded, ":")
	if !ok || len(sum) != 32 || salt == "" || len(salt) > 64 {
		return "", nil, "", malformed(f.name(), "want <32 hex>:<salt>")
	}
	want, err := hex.DecodeString(sum)
	if err != nil {
		return "", nil, "", malformed(f.name(), "hash is not hex")
	}
	name := strings.ToLower(strings.TrimSpace(h.Format))
	switch {
	case name == "joomla" || name == "oscommerce":
	case len(salt) == 32:
		name = "joomla"
	case len(salt) == 2:
		name = "oscommerce"
	default:
		return "", nil, "", malformed(f.name(), "salt length names neither Joomla (32) nor osCommerce (2); set the Format")
	}
	return name, want, salt, nil
}

func (f joomlaFamily) identify(_ *Verifier, h Hash) (Info, error) {
	name, _, _, err := f.parse(h)
	if err != nil {
		return Info{}, err
	}
	return Info{Family: name, Weak: true}, nil
}

func (f joomlaFamily) verify(_ context.Context, _ *Verifier, password string, h Hash) (Result, error) {
	name, want, salt, err := f.parse(h)
	if err != nil {
		return Result{}, err
	}
	var sum [md5.Size]byte
	if name == "joomla" {
		sum = md5.Sum([]byte(password + salt))
	} else {
		sum = md5.Sum([]byte(salt + password))
	}
	return outcome(ctEqual(sum[:], want), Info{Family: name, Weak: true}), nil
}
