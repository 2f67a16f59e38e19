package httpsource_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ferry-migrate/ferry/examples/http-source/refserver"
	"github.com/ferry-migrate/ferry/internal/source/httpsource"
)

// BenchmarkAuthenticate measures a warm sign-in over loopback HTTP: against
// an endpoint that answers at once (the client's own cost: JSON, HMAC
// signing, a kept-alive connection), and against the reference server
// (which adds a bcrypt verification at cost 4).
func BenchmarkAuthenticate(b *testing.B) {
	key := "bench-key"
	instant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"id":"1001","username":"alice","email":"alice@example.com","email_verified":true}`)
	}))
	b.Cleanup(instant.Close)
	ref := refServer(b, refserver.Options{HMACKey: []byte(key)})
	for _, bc := range []struct {
		name, url string
	}{
		{"instant", instant.URL},
		{"reference", ref.URL},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := open(b, httpsource.Config{URL: bc.url, Auth: httpsource.Auth{Type: httpsource.AuthHMAC, HMACKey: key}}, nil)
			for b.Loop() {
				if _, err := s.Authenticate(b.Context(), "alice", alicePassword); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
