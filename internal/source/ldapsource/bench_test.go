package ldapsource_test

import (
	"fmt"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
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

// BenchmarkList measures a paged listing of the ou=many users (650 by
// default, pages of 100 and of DefaultPageSize), the walk `ferry status`
// and `ferry export` make, and the attribute-free Count.
func BenchmarkList(b *testing.B) {
	cfg, want := manyConfig(b)
	for _, page := range []int{100, 500} {
		cfg.PageSize = page
		s := open(b, cfg, nil)
		b.Run(fmt.Sprintf("list/page=%d", page), func(b *testing.B) {
			for b.Loop() {
				n := 0
				if err := s.List(b.Context(), func(source.Entry) error { n++; return nil }); err != nil || n != want {
					b.Fatalf("listed %d, %v", n, err)
				}
			}
		})
		b.Run(fmt.Sprintf("count/page=%d", page), func(b *testing.B) {
			for b.Loop() {
				if c, err := s.Count(b.Context()); err != nil || c.Total != want {
					b.Fatalf("counted %+v, %v", c, err)
				}
			}
		})
	}
}
