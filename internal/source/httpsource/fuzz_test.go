package httpsource

import (
	"testing"
	"time"
)

// FuzzSignature: a signature made by Sign always verifies, and any header
// at all is parsed without panicking.
func FuzzSignature(f *testing.F) {
	f.Add([]byte("k"), "POST", "/verify", []byte(`{"username":"alice"}`), "t=1,v1=00")
	f.Add([]byte(""), "GET", "/a%2Fb", []byte{}, "v1=zz,t=x")
	f.Fuzz(func(t *testing.T, key []byte, method, path string, body []byte, header string) {
		now := time.Unix(1_700_000_000, 0)
		if err := verifySignature(key, Sign(key, method, path, now, body), method, path, body, now, DefaultHMACWindow); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		_ = verifySignature(key, header, method, path, body, now, DefaultHMACWindow)
	})
}
