package httpsource_test

import (
	"testing"

	"github.com/ferry-migrate/ferry/examples/http-source/refserver"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/httpsource"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// TestConformance runs the source contract against the reference
// implementation over HTTP on 127.0.0.1, in both contracts, each with a
// different way of authenticating Ferry.
func TestConformance(t *testing.T) {
	t.Parallel()
	key := []byte("conformance-hmac-key")
	modes := []struct {
		name   string
		server refserver.Options
		config func(url string) httpsource.Config
	}{
		{"ferry hmac", refserver.Options{HMACKey: key}, func(url string) httpsource.Config {
			return httpsource.Config{URL: url, Auth: httpsource.Auth{Type: httpsource.AuthHMAC, HMACKey: string(key)}}
		}},
		{"keycloak bearer", refserver.Options{Token: "tok"}, func(url string) httpsource.Config {
			return httpsource.Config{
				URL: url + "/keycloak", Mode: httpsource.ModeKeycloak,
				Auth:       httpsource.Auth{Type: httpsource.AuthBearer, Token: "tok"},
				Attributes: map[string]string{"phone_number": "phone", "custom:plan": "custom:plan"},
			}
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
				srv := refServer(t, m.server)
				c := m.config(srv.URL)
				// Fifty concurrent bcrypt checks (two requests each in keycloak
				// mode) on two race-instrumented cores need the whole budget.
				c.Timeout = httpsource.MaxTimeout
				return sourcetest.Fixture{
					Source: open(t, c, nil),
					// The reference server verifies on the same two cores as
					// the test; a realistic Lambda runs one call at a time.
					Concurrency: 20,
					User:        sourcetest.Account{Name: "alice", Password: alicePassword, Want: wantAlice},
					ByEmail:     &sourcetest.Account{Name: "bob@example.com", Password: bobPassword, Want: wantBob},
					Disabled:    &sourcetest.Account{Name: "carol", Password: carolPassword, Want: &source.User{}},
					// The reference matches usernames exactly.
					CaseInsensitive: false,
				}
			})
		})
	}
}
