package sqlsource

import (
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// BenchmarkAuthenticate measures one sign-in through the source — lookup
// query, column mapping and a bcrypt cost-4 verification (the cheapest, so
// the query and mapping show) — and the unknown-user path, on each driver.
// Run with -benchtime=200x: the loop count is bounded.
func BenchmarkAuthenticate(b *testing.B) {
	for _, driver := range testDrivers {
		b.Run(driver, func(b *testing.B) {
			tdb := newTestDB(b, driver)
			seedMembers(b, tdb, testCost)
			s := tdb.open(b, membersConfig(tdb.d))
			b.Run("right", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Authenticate(b.Context(), "alice", members[0].password); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("unknown", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Authenticate(b.Context(), "nobody", "pw"); !errors.Is(err, source.ErrUserNotFound) {
						b.Fatal(err)
					}
				}
			})
			b.Run("lookup", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Lookup(b.Context(), "alice"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
