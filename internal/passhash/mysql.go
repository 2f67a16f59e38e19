package passhash

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// mysqlFamily verifies MySQL 4.1+ PASSWORD() values (mysql_native_password),
// "*" followed by 40 upper-case hex digits of SHA1(SHA1(password)), which
// legacy applications copied into their own user tables. Format
// "mysql41". Always weak: unsalted and fast.
type mysqlFamily struct{}

func (mysqlFamily) name() string      { return "mysql41" }
func (mysqlFamily) formats() []string { return []string{"mysql41"} }

func (mysqlFamily) detect(s string) bool { return len(s) == 41 && s[0] == '*' && isHex(s[1:]) }

func (f mysqlFamily) parse(s string) ([]byte, error) {
	if len(s) != 41 || s[0] != '*' {
		return nil, malformed(f.name(), "want * and 40 hex digits")
	}
	want, err := hex.DecodeString(strings.ToLower(s[1:]))
	if err != nil {
		return nil, malformed(f.name(), "want * and 40 hex digits")
	}
	return want, nil
}

func (f mysqlFamily) identify(_ *Verifier, h Hash) (Info, error) {
	if _, err := f.parse(h.Encoded); err != nil {
		return Info{}, err
	}
	return Info{Family: f.name(), Weak: true}, nil
}

func (f mysqlFamily) verify(_ context.Context, _ *Verifier, password string, h Hash) (Result, error) {
	want, err := f.parse(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	inner := sha1.Sum([]byte(password))
	outer := sha1.Sum(inner[:])
	return outcome(ctEqual(outer[:], want), Info{Family: f.name(), Weak: true}), nil
}
