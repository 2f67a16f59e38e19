package ldapsource_test

import (
	"testing"
)

// BenchmarkAuthenticate measures a warm sign-in against the test OpenLDAP:
// a search on a pooled service connection and a bind on a pooled bind
// connection (StartTLS set up once per connection).
func BenchmarkAuthenticate(b *testing.B) {
	d := seed(b, ssha)
	s := open(b, d.config(), nil)
	for _, bc := range []struct {
		name, user, password string
	}{
		{"right", "alice", alicePassword},
		{"wrong", "alice", "wrong"},
		{"unknown", "mallory", "wrong"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_, _ = s.Authenticate(b.Context(), bc.user, bc.password)
			}
		})
	}
}
