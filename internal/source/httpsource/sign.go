package httpsource

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the HMAC signature of a request:
//
//	X-Ferry-Signature: t=1763716013,v1=5f0c…(64 hex digits)
//
// v1 is hex(HMAC-SHA256(key, method + "\n" + path + "\n" + t + "\n" + body)),
// where path is the request's escaped path as sent (no query) and t the Unix
// time in seconds. A receiver recomputes it, compares in constant time, and
// refuses a t outside its replay window (DefaultHMACWindow either side).
const SignatureHeader = "X-Ferry-Signature"

// Signature errors, for receivers that use VerifySignature.
var (
	ErrSignatureMissing  = errors.New("signature missing or malformed")
	ErrSignatureMismatch = errors.New("signature does not match")
	ErrSignatureExpired  = errors.New("signature timestamp outside the replay window")
)

// Sign returns the SignatureHeader value for a request.
func Sign(key []byte, method, path string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(key, method, path, ts, body))
}

func mac(key []byte, method, path, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(method + "\n" + path + "\n" + ts + "\n"))
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks a SignatureHeader value against the request parts,
// at time now, allowing window either side of the signed timestamp.
func VerifySignature(key []byte, header, method, path string, body []byte, now time.Time, window time.Duration) error {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrSignatureMissing
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return ErrSignatureMissing
	}
	if !hmac.Equal(got, mac(key, method, path, ts, body)) {
		return ErrSignatureMismatch
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("%w: %v", ErrSignatureExpired, d.Round(time.Second))
	}
	return nil
}
