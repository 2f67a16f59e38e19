package passhash

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"strings"
)

// wordpressKey is the fixed HMAC key WordPress 6.8 uses to pre-hash passwords
// before bcrypt, so that passwords longer than 72 bytes still count in full.
const wordpressKey = "wp-sha384"

// wordpressFamily verifies WordPress 6.8+ "$wp$2y$…" hashes: bcrypt of
// base64(HMAC-SHA384(key "wp-sha384", password)). Older WordPress phpass
// "$P$" hashes are phpassFamily's.
type wordpressFamily struct{}

func (wordpressFamily) name() string      { return "wordpress-bcrypt" }
func (wordpressFamily) formats() []string { return []string{"wordpress-bcrypt"} }

func (wordpressFamily) detect(s string) bool {
	return strings.HasPrefix(s, "$wp$2")
}

func (f wordpressFamily) identify(_ *Verifier, h Hash) (Info, error) {
	enc, ok := strings.CutPrefix(h.Encoded, "$wp")
	if !ok {
		return Info{}, malformed(f.name(), "missing $wp prefix")
	}
	return bcryptInfo(f.name(), enc)
}

func (f wordpressFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	info, err := f.identify(v, h)
	if err != nil {
		return Result{}, err
	}
	mac := hmac.New(sha512.New384, []byte(wordpressKey))
	mac.Write([]byte(password))
	pre := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return bcryptCompare(ctx, v, info, h.Encoded[3:], []byte(pre))
}
