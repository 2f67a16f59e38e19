package httpsource

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Signature errors of verifySignature.
var (
	errSignatureMissing  = errors.New("signature missing or malformed")
	errSignatureMismatch = errors.New("signature does not match")
	errSignatureExpired  = errors.New("signature timestamp outside the replay window")
)

// verifySignature is what a receiver does with a SignatureHeader value (the
// reference server in examples/http-source does the same): it checks it
// against the request parts at time now, allowing window either side of
// the signed timestamp.
func verifySignature(key []byte, header, method, path string, body []byte, now time.Time, window time.Duration) error {
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
		return errSignatureMissing
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errSignatureMissing
	}
	if !hmac.Equal(got, mac(key, method, path, ts, body)) {
		return errSignatureMismatch
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("%w: %v", errSignatureExpired, d.Round(time.Second))
	}
	return nil
}

func TestSignature(t *testing.T) {
	t.Parallel()
	key := []byte("shared-key")
	now := time.Unix(1_763_716_013, 0)
	body := []byte(`{"username":"alice","password":"x"}`)
	good := Sign(key, "POST", "/ferry/verify", now, body)
	tests := []struct {
		name                 string
		key                  []byte
		header, method, path string
		body                 []byte
		at                   time.Time
		want                 error
	}{
		{"valid", key, good, "POST", "/ferry/verify", body, now, nil},
		{"valid within window", key, good, "POST", "/ferry/verify", body, now.Add(4 * time.Minute), nil},
		{"valid with clock behind", key, good, "POST", "/ferry/verify", body, now.Add(-4 * time.Minute), nil},
		{"replayed late", key, good, "POST", "/ferry/verify", body, now.Add(6 * time.Minute), errSignatureExpired},
		{"from the future", key, good, "POST", "/ferry/verify", body, now.Add(-6 * time.Minute), errSignatureExpired},
		{"other key", []byte("other"), good, "POST", "/ferry/verify", body, now, errSignatureMismatch},
		{"other method", key, good, "GET", "/ferry/verify", body, now, errSignatureMismatch},
		{"other path", key, good, "POST", "/ferry/lookup", body, now, errSignatureMismatch},
		{"other body", key, good, "POST", "/ferry/verify", []byte(`{"username":"bob","password":"x"}`), now, errSignatureMismatch},
		{"missing", key, "", "POST", "/ferry/verify", body, now, errSignatureMissing},
		{"no v1", key, "t=1763716013", "POST", "/ferry/verify", body, now, errSignatureMissing},
		{"bad hex", key, "t=1763716013,v1=zz", "POST", "/ferry/verify", body, now, errSignatureMissing},
		{"timestamp moved", key, "t=1763716014" + good[len("t=1763716013"):], "POST", "/ferry/verify", body, now, errSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := verifySignature(tc.key, tc.header, tc.method, tc.path, tc.body, tc.at, DefaultHMACWindow)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("verifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignatureVector pins the string that is signed, so implementations
// in other languages can check themselves against it. Computed
// independently with:
//
//	printf 'POST\n/verify\n1700000000\n{"username":"alice"}' | openssl dgst -sha256 -hmac key
func TestSignatureVector(t *testing.T) {
	t.Parallel()
	got := Sign([]byte("key"), "POST", "/verify", time.Unix(1_700_000_000, 0), []byte(`{"username":"alice"}`))
	want := "t=1700000000,v1=" + signatureVector
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

const signatureVector = "230470b7948b39323620567b0fbc150fa7db0305bc00818a1bed75462a105c56"
