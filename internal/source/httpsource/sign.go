package httpsource

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
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
