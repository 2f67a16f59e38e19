package ldapsource_test

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// TestConformance runs the source contract against the real OpenLDAP, in
// both verification modes: binding as the user over StartTLS, and reading
// {SSHA} userPassword values over LDAPS to verify them with passhash.
func TestConformance(t *testing.T) {
	t.Parallel()
	modes := []struct {
		name   string
		modify func(c *ldapsource.Config, d directory)
	}{
		{"bind", func(*ldapsource.Config, directory) {}},
		{"compare_hash", func(c *ldapsource.Config, d directory) {
			c.URL, c.StartTLS = d.srv.LDAPSURL, false
			c.Mode = ldapsource.ModeCompareHash
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
				d := seed(t, ssha)
				c := d.config()
				m.modify(&c, d)
				alice, bob := *d.alice, *d.bob
				if c.Mode == ldapsource.ModeCompareHash {
					info, err := passhash.Identify(passhash.Hash{Encoded: ssha("x")})
					if err != nil {
						t.Fatalf("passhash does not know {SSHA}: %v", err)
					}
					alice.HashFamily, alice.WeakHash = info.Family, info.Weak
					bob.HashFamily, bob.WeakHash = info.Family, info.Weak
				}
				return sourcetest.Fixture{
					Source:   open(t, c, nil),
					User:     sourcetest.Account{Name: "alice", Password: alicePassword, Want: &alice},
					ByEmail:  &sourcetest.Account{Name: "bob@example.com", Password: bobPassword, Want: &bob},
					Disabled: &sourcetest.Account{Name: "carol", Password: carolPassword, Want: &source.User{}},
					// uid and mail use caseIgnoreMatch in the standard schema.
					CaseInsensitive: true,
				}
			})
		})
	}
}
