package ldapsource_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// manyConfig lists the users services-ldap.sh loads under ou=many (more
// than slapd's default size limit of 500) as the service account, which
// may page through any number of entries.
func manyConfig(t testing.TB) (ldapsource.Config, int) {
	t.Helper()
	srv := ldapServer(t)
	n, err := strconv.Atoi(testenv.Env(t, "FERRY_TEST_LDAP_MANY_COUNT", "OpenLDAP"))
	if err != nil {
		t.Fatal(err)
	}
	return ldapsource.Config{
		URL:          srv.URL,
		BindDN:       srv.BindDN,
		BindPassword: srv.BindPassword,
		BaseDN:       testenv.Env(t, "FERRY_TEST_LDAP_MANY_DN", "OpenLDAP"),
		PageSize:     100,
	}, n
}

// TestListPaged lists more entries than one page and than the server's
// size limit, each exactly once, and counts them the same.
func TestListPaged(t *testing.T) {
	t.Parallel()
	cfg, want := manyConfig(t)
	if want <= 500 {
		t.Fatalf("only %d listing users: the test needs more than the size limit", want)
	}
	for _, page := range []int{100, 0} { // 0: DefaultPageSize
		t.Run(fmt.Sprintf("page %d", page), func(t *testing.T) {
			t.Parallel()
			cfg := cfg
			cfg.PageSize = page
			s := open(t, cfg, nil)
			seen := map[string]bool{}
			ids := map[string]bool{}
			err := s.List(t.Context(), func(e source.Entry) error {
				u := e.User
				if seen[u.Username] || ids[u.ID] {
					return fmt.Errorf("%s listed twice", u.Username)
				}
				seen[u.Username], ids[u.ID] = true, true
				if e.Disabled || e.Migrated || u.Email != u.Username+"@example.com" || u.ID == "" {
					return fmt.Errorf("entry %+v, user %+v", e, u)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(seen) != want || !seen["m0001"] || !seen[fmt.Sprintf("m%04d", want)] {
				t.Errorf("listed %d users, want m0001…m%04d (%d)", len(seen), want, want)
			}
			c, err := s.Count(t.Context())
			if err != nil || c.Total != want || c.Marked || c.MarksReason == "" {
				t.Errorf("Count = %+v, %v; want %d users, no marks (with a reason)", c, err, want)
			}
		})
	}

	// An error of fn stops the listing and comes back as is.
	stop := errors.New("stop")
	n := 0
	err := open(t, cfg, nil).List(t.Context(), func(source.Entry) error {
		n++
		if n == 150 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 150 {
		t.Errorf("List stopped by fn: %v after %d, want stop after 150", err, n)
	}
}

// TestListSizeLimit: a service account the server cuts off at its size
// limit gets an error saying so, never a short listing or count.
func TestListSizeLimit(t *testing.T) {
	t.Parallel()
	cfg, _ := manyConfig(t)
	cfg.BindDN = testenv.Env(t, "FERRY_TEST_LDAP_LIMITED_BIND_DN", "OpenLDAP")
	cfg.BindPassword = testenv.Env(t, "FERRY_TEST_LDAP_LIMITED_BIND_PASSWORD", "OpenLDAP")
	s := open(t, cfg, nil)
	listed := 0
	err := s.List(t.Context(), func(source.Entry) error { listed++; return nil })
	var se *source.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "size limit") || !strings.Contains(err.Error(), "size.prtotal=unlimited") {
		t.Errorf("List over the size limit: %v, want a source error naming the limit and its fix", err)
	}
	if _, err := s.Count(t.Context()); err == nil {
		t.Error("Count over the size limit succeeded")
	}
}

// TestListDisabled: a listing flags locked entries as the sign-in would.
func TestListDisabled(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	disabled := map[string]bool{}
	err := s.List(t.Context(), func(e source.Entry) error {
		disabled[e.User.Username] = e.Disabled
		if e.User.Username == "alice" && e.User.Attributes["custom:legacy_id"] != "1001" {
			return fmt.Errorf("alice listed as %+v", e.User)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"alice": false, "bob": false, "carol": true}
	if fmt.Sprint(disabled) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", disabled, want)
	}
}

// hashesConfig is a compare_hash configuration over ou=hashes, whose users
// services-ldap.sh wrote with slappasswd and ldappasswd.
func hashesConfig(t testing.TB) ldapsource.Config {
	t.Helper()
	srv := ldapServer(t)
	return ldapsource.Config{
		URL:          srv.URL,
		BindDN:       srv.BindDN,
		BindPassword: srv.BindPassword,
		BaseDN:       testenv.Env(t, "FERRY_TEST_LDAP_HASHES_DN", "OpenLDAP"),
		Mode:         ldapsource.ModeCompareHash,
	}
}

// TestCompareDirectoryHashes verifies the values OpenLDAP's own tools
// wrote, and a cleartext value only with allow_plaintext.
func TestCompareDirectoryHashes(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow_plaintext %v", allow), func(t *testing.T) {
			t.Parallel()
			cfg := hashesConfig(t)
			cfg.AllowPlaintext = allow
			s := open(t, cfg, nil)
			for _, scheme := range []string{"ssha", "smd5", "crypt", "ldappasswd"} {
				u, err := s.Authenticate(t.Context(), "h-"+scheme, scheme+"-Passw0rd")
				if err != nil || u.Username != "h-"+scheme || u.HashFamily == "" {
					t.Errorf("h-%s, right password: %+v, %v", scheme, u, err)
				}
				if _, err := s.Authenticate(t.Context(), "h-"+scheme, scheme+"-Passw0rd!"); !errors.Is(err, source.ErrInvalidPassword) {
					t.Errorf("h-%s, wrong password: %v", scheme, err)
				}
			}
			u, err := s.Authenticate(t.Context(), "h-clear", "clear-Passw0rd")
			if !allow {
				var rec *source.RecordError
				if !errors.As(err, &rec) || rec.Reason != source.RecordHashNotAllowed || rec.UserID == "" {
					t.Errorf("cleartext without allow_plaintext: %v, want a hash_not_allowed RecordError", err)
				}
				var se *source.Error
				if errors.As(err, &se) || errors.Is(err, source.ErrInvalidPassword) {
					t.Errorf("cleartext without allow_plaintext: %v reads as a fault or a wrong password", err)
				}
				return
			}
			if err != nil || u.HashFamily != "plaintext" || !u.WeakHash {
				t.Errorf("cleartext with allow_plaintext: %+v, %v; want the user, flagged weak", u, err)
			}
			if _, err := s.Authenticate(t.Context(), "h-clear", "clear-Passw0rd "); !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("cleartext, wrong password: %v", err)
			}
		})
	}
}

// TestSampleHashes streams the stored values in compare_hash mode, every
// one classified by passhash, cleartext masked; bind mode cannot sample.
func TestSampleHashes(t *testing.T) {
	t.Parallel()
	cfg := hashesConfig(t)
	s, err := cfg.OpenSource(t.Context(), "hashes", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.(interface{ Close() error }).Close() })
	hs, ok := s.(source.HashSampler)
	if !ok {
		t.Fatalf("compare_hash source %T is no HashSampler", s)
	}
	if _, ok := s.(source.Lister); !ok {
		t.Fatalf("compare_hash source %T is no Lister", s)
	}
	v, err := passhash.New(passhash.Options{AllowPlaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]int{}
	users := map[string]bool{}
	err = hs.SampleHashes(t.Context(), 0, func(h source.HashSample) error {
		users[h.UserID] = true
		if strings.Contains(h.Encoded, "clear-Passw0rd") {
			return fmt.Errorf("a cleartext password was sampled: %q", h.Encoded)
		}
		info, err := v.Identify(passhash.Hash{Encoded: h.Encoded, Format: h.Format})
		if err != nil {
			return fmt.Errorf("sample %+v: %w", h, err)
		}
		families[info.Family]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 5 || families["plaintext"] != 1 || len(families) < 3 {
		t.Errorf("sampled %d users, families %v; want 5 users, one plaintext among at least 3 families", len(users), families)
	}
	n := 0
	if err := hs.SampleHashes(t.Context(), 2, func(source.HashSample) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("SampleHashes limit 2: %d samples, %v", n, err)
	}

	// Bind mode never reads stored passwords: no sampler, but a lister.
	cfg.Mode = ""
	b, err := cfg.OpenSource(t.Context(), "bind", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.(interface{ Close() error }).Close() })
	if _, ok := b.(source.HashSampler); ok {
		t.Errorf("bind-mode source %T offers to sample hashes it never reads", b)
	}
	if _, ok := b.(source.Lister); !ok {
		t.Errorf("bind-mode source %T is no Lister", b)
	}
}

// TestSamplePaged samples more entries than one page.
func TestSamplePaged(t *testing.T) {
	t.Parallel()
	cfg, want := manyConfig(t)
	cfg.Mode = ldapsource.ModeCompareHash
	s, err := cfg.OpenSource(t.Context(), "many", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.(interface{ Close() error }).Close() })
	n := 0
	err = s.(source.HashSampler).SampleHashes(t.Context(), 0, func(h source.HashSample) error {
		if !strings.HasPrefix(h.Encoded, "{SSHA}") || h.UserID == "" {
			return fmt.Errorf("sample %+v", h)
		}
		n++
		return nil
	})
	if err != nil || n != want {
		t.Errorf("sampled %d, %v; want %d", n, err, want)
	}
}
