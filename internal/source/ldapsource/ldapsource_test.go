package ldapsource_test

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
)

// directory is one test's own corner of the server: an OU with three users
// (alice by uid, bob by mail, carol locked) and a group.
type directory struct {
	srv        server
	ou         string
	alice, bob *source.User
	carolDN    string
	aliceDN    string
	groupDN    string
}

const (
	alicePassword = "Alice-pa55 word"
	bobPassword   = "bob-password"
	carolPassword = "carol-password"
)

// seed creates the test's OU and its users; hash turns a password into the
// stored userPassword value.
func seed(t testing.TB, hash func(string) string) directory {
	t.Helper()
	srv := ldapServer(t)
	c := srv.admin(t)
	ou := srv.newOU(t, c)
	d := directory{srv: srv, ou: ou}
	d.aliceDN = "uid=alice," + ou
	add(t, c, d.aliceDN, map[string][]string{
		"objectClass":     {"inetOrgPerson"},
		"uid":             {"alice"},
		"cn":              {"Alice Liddell"},
		"sn":              {"Liddell"},
		"givenName":       {"Alice"},
		"displayName":     {"Alice L."},
		"mail":            {"alice@example.com"},
		"telephoneNumber": {"+15550100001"},
		"employeeNumber":  {"1001"},
		"userPassword":    {hash(alicePassword)},
	})
	add(t, c, "uid=bob,"+ou, map[string][]string{
		"objectClass":  {"inetOrgPerson"},
		"uid":          {"bob"},
		"cn":           {"Bob Builder"},
		"sn":           {"Builder"},
		"mail":         {"bob@example.com"},
		"userPassword": {hash(bobPassword)},
	})
	d.carolDN = "uid=carol," + ou
	add(t, c, d.carolDN, map[string][]string{
		"objectClass":          {"inetOrgPerson"},
		"uid":                  {"carol"},
		"cn":                   {"Carol Locked"},
		"sn":                   {"Locked"},
		"mail":                 {"carol@example.com"},
		"userPassword":         {hash(carolPassword)},
		"pwdAccountLockedTime": {"000001010000Z"},
	})
	d.groupDN = "cn=staff," + ou
	add(t, c, d.groupDN, map[string][]string{
		"objectClass": {"groupOfNames"},
		"cn":          {"staff"},
		"member":      {d.aliceDN, "uid=bob," + ou},
	})
	d.alice = &source.User{
		ID:            entryUUID(t, c, d.aliceDN),
		Username:      "alice",
		Email:         "alice@example.com",
		EmailVerified: true,
		Phone:         "+15550100001",
		Attributes: map[string]string{
			"given_name":       "Alice",
			"family_name":      "Liddell",
			"name":             "Alice L.",
			"custom:legacy_id": "1001",
		},
		Groups: []string{"staff"},
	}
	d.bob = &source.User{
		ID:            entryUUID(t, c, "uid=bob,"+ou),
		Username:      "bob",
		Email:         "bob@example.com",
		EmailVerified: true,
		Attributes:    map[string]string{"family_name": "Builder", "name": "Bob Builder"},
		Groups:        []string{"staff"},
	}
	return d
}

// config is a bind-mode configuration over StartTLS for d.
func (d directory) config() ldapsource.Config {
	return ldapsource.Config{
		URL:           d.srv.URL,
		StartTLS:      true,
		CAFile:        d.srv.CAFile,
		BindDN:        d.srv.BindDN,
		BindPassword:  d.srv.BindPassword,
		BaseDN:        d.ou,
		UserFilter:    "(&(objectClass=inetOrgPerson)(uid={username}))",
		EmailFilter:   "(&(objectClass=inetOrgPerson)(mail={email}))",
		EmailVerified: true,
		Attributes:    ldapsource.Attributes{Extra: map[string]string{"custom:legacy_id": "employeeNumber"}},
		Groups:        &ldapsource.GroupSearch{BaseDN: d.ou, Filter: "(&(objectClass=groupOfNames)(member={dn}))"},
	}
}

func open(t testing.TB, c ldapsource.Config, log *slog.Logger) *ldapsource.Source {
	t.Helper()
	s, err := c.Open(t.Context(), "ldap-test", log)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func diff(want, got *source.User) string {
	sortGroups := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	return cmp.Diff(want, got, cmpopts.EquateEmpty(), sortGroups)
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	tests := []struct {
		name, user, password string
		want                 *source.User
		wantErr              error
	}{
		{name: "right password", user: "alice", password: alicePassword, want: d.alice},
		{name: "by email", user: "bob@example.com", password: bobPassword, want: d.bob},
		{name: "uid is case-insensitive in LDAP", user: "ALICE", password: alicePassword, want: d.alice},
		{name: "wrong password", user: "alice", password: "Alice-pa55 wordx", wantErr: source.ErrInvalidPassword},
		{name: "another user's password", user: "alice", password: bobPassword, wantErr: source.ErrInvalidPassword},
		{name: "empty password", user: "alice", password: "", wantErr: source.ErrInvalidPassword},
		{name: "unknown user", user: "mallory", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "unknown email", user: "mallory@example.com", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "locked, right password", user: "carol", password: carolPassword, wantErr: source.ErrUserDisabled},
		{name: "locked, wrong password", user: "carol", password: "nope", wantErr: source.ErrUserDisabled},
		{name: "filter injection", user: "*", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "filter injection or", user: "alice)(|(uid=*", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "empty name", user: "", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "NUL in name", user: "alice\x00", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "invalid UTF-8", user: "\xffalice", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "oversized name", user: strings.Repeat("a", 2000), password: alicePassword, wantErr: source.ErrUserNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Authenticate(t.Context(), tc.user, tc.password)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Authenticate(%q) err = %v, want %v", tc.user, err, tc.wantErr)
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("Authenticate(%q) (-want +got):\n%s", tc.user, d)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	tests := []struct {
		name, user string
		want       *source.User
		wantErr    error
	}{
		{name: "by uid", user: "alice", want: d.alice},
		{name: "by email", user: "bob@example.com", want: d.bob},
		{name: "unknown", user: "mallory", wantErr: source.ErrUserNotFound},
		{name: "locked", user: "carol", wantErr: source.ErrUserDisabled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Lookup(t.Context(), tc.user)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Lookup(%q) err = %v, want %v", tc.user, err, tc.wantErr)
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("Lookup(%q) (-want +got):\n%s", tc.user, d)
			}
		})
	}
}

// TestAmbiguous: two entries answering one name are a fault, never a match.
func TestAmbiguous(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	c := d.srv.admin(t)
	add(t, c, "uid=alice2,"+d.ou, map[string][]string{
		"objectClass":  {"inetOrgPerson"},
		"uid":          {"alice2"},
		"cn":           {"Other Alice"},
		"sn":           {"Other"},
		"mail":         {"alice@example.com"},
		"userPassword": {ssha(alicePassword)},
	})
	s := open(t, d.config(), nil)
	u, err := s.Authenticate(t.Context(), "alice@example.com", alicePassword)
	var se *source.Error
	if u != nil || !errors.As(err, &se) || !errors.Is(err, ldapsource.ErrAmbiguous) || source.IsOutcome(err) {
		t.Fatalf("Authenticate(shared email) = %v, %v; want a *source.Error wrapping ErrAmbiguous", u, err)
	}
	if _, err := s.Lookup(t.Context(), "alice@example.com"); !errors.Is(err, ldapsource.ErrAmbiguous) {
		t.Errorf("Lookup(shared email) err = %v, want ErrAmbiguous", err)
	}
	// The unambiguous name still works.
	if _, err := s.Authenticate(t.Context(), "alice", alicePassword); err != nil {
		t.Errorf("Authenticate(alice): %v", err)
	}
}

// TestCompareHash reads userPassword with the service account and verifies
// it with passhash instead of binding.
func TestCompareHash(t *testing.T) {
	t.Parallel()
	hash := bcryptHash(t)
	d := seed(t, hash)
	c := d.config()
	c.URL, c.StartTLS = d.srv.LDAPSURL, false
	c.Mode = ldapsource.ModeCompareHash
	s := open(t, c, nil)
	want := *d.alice
	want.HashFamily, want.WeakHash = "bcrypt", true // cost 4 is below the weak bound
	tests := []struct {
		name, user, password string
		want                 *source.User
		wantErr              error
	}{
		{name: "right password", user: "alice", password: alicePassword, want: &want},
		{name: "wrong password", user: "alice", password: "wrong", wantErr: source.ErrInvalidPassword},
		{name: "unknown", user: "mallory", password: "wrong", wantErr: source.ErrUserNotFound},
		{name: "locked", user: "carol", password: carolPassword, wantErr: source.ErrUserDisabled},
	}
	t.Run("outcomes", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				got, err := s.Authenticate(t.Context(), tc.user, tc.password)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
					t.Fatalf("Authenticate(%q) err = %v, want %v", tc.user, err, tc.wantErr)
				}
				if d := diff(tc.want, got); d != "" {
					t.Errorf("Authenticate(%q) (-want +got):\n%s", tc.user, d)
				}
			})
		}
	})

	// A malformed stored value is that user's unusable record: neither a
	// wrong password nor a fault of the source.
	admin := d.srv.admin(t)
	mod := ldap.NewModifyRequest("uid=bob,"+d.ou, nil)
	mod.Replace("userPassword", []string{"$2y$99$not-a-real-bcrypt-hash-at-all-but-sixty-characters-long.."})
	if err := admin.Modify(mod); err != nil {
		t.Fatal(err)
	}
	_, err := s.Authenticate(t.Context(), "bob", bobPassword)
	var rec *source.RecordError
	if !errors.As(err, &rec) || rec.UserID != d.bob.ID ||
		(rec.Reason != source.RecordHashMalformed && rec.Reason != source.RecordHashOverBudget) {
		t.Errorf("Authenticate with a malformed stored hash: err = %v, want bob's RecordError (malformed or over budget)", err)
	}
	if errors.Is(err, source.ErrInvalidPassword) {
		t.Errorf("Authenticate with a malformed stored hash: err = %v reads as a wrong password", err)
	}
}

// TestCompareHashUnreadable: without read access to the password attribute
// compare mode is a fault (a configuration problem), not a wrong password.
func TestCompareHashUnreadable(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	c := d.config()
	c.Mode = ldapsource.ModeCompareHash
	c.PasswordAttribute = "description" // absent from the entries
	s := open(t, c, nil)
	_, err := s.Authenticate(t.Context(), "alice", alicePassword)
	if err == nil || source.IsOutcome(err) || !strings.Contains(err.Error(), "no readable description") {
		t.Errorf("err = %v, want a fault naming the missing attribute", err)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := ldapServer(t)
	base := ldapsource.Config{
		BindDN:       srv.BindDN,
		BindPassword: srv.BindPassword,
		BaseDN:       srv.BaseDN,
	}
	tests := []struct {
		name    string
		modify  func(c *ldapsource.Config)
		wantErr string
	}{
		{name: "ldaps with CA", modify: func(c *ldapsource.Config) { c.URL, c.CAFile = srv.LDAPSURL, srv.CAFile }},
		{name: "starttls with CA", modify: func(c *ldapsource.Config) { c.URL, c.StartTLS, c.CAFile = srv.URL, true, srv.CAFile }},
		{name: "plain ldap", modify: func(c *ldapsource.Config) { c.URL = srv.URL }},
		{name: "ldaps without CA", modify: func(c *ldapsource.Config) { c.URL = srv.LDAPSURL }, wantErr: "certificate"},
		{name: "starttls without CA", modify: func(c *ldapsource.Config) { c.URL, c.StartTLS = srv.URL, true }, wantErr: "certificate"},
		{name: "wrong server name", modify: func(c *ldapsource.Config) {
			c.URL, c.CAFile, c.ServerName = srv.LDAPSURL, srv.CAFile, "ldap.example.com"
		}, wantErr: "certificate"},
		{name: "wrong service password", modify: func(c *ldapsource.Config) {
			c.URL, c.BindPassword = srv.URL, "wrong"
		}, wantErr: "Invalid Credentials"},
		{name: "missing base", modify: func(c *ldapsource.Config) {
			c.URL, c.BaseDN = srv.URL, "ou=nowhere,"+srv.BaseDN
		}, wantErr: "No Such Object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base
			tc.modify(&c)
			s := open(t, c, nil)
			err := s.Check(t.Context())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var se *source.Error
			if !errors.As(err, &se) || se.Op != "check" || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Check = %v, want a *source.Error containing %q", err, tc.wantErr)
			}
			// Only a refused service account reads as a credentials fault.
			if wantAuth := tc.name == "wrong service password"; errors.Is(err, source.ErrBackendAuth) != wantAuth {
				t.Errorf("Check = %v: errors.Is(ErrBackendAuth) = %v, want %v", err, !wantAuth, wantAuth)
			}
		})
	}
}

// TestSeededDirectory runs against the entries services-ldap.sh loads, with
// the password file and domain forms as an operator would configure them.
func TestSeededDirectory(t *testing.T) {
	t.Parallel()
	srv := ldapServer(t)
	c := ldapsource.Config{
		URL:              srv.LDAPSURL,
		CAFile:           srv.CAFile,
		BindDN:           srv.BindDN,
		BindPasswordFile: writeFile(t, "bind", srv.BindPassword+"\n"),
		BaseDN:           "ou=people," + srv.BaseDN,
		EmailFilter:      "(&(objectClass=person)(mail={email}))",
		Domains:          []string{"FERRY", "ferry.test"},
		Groups:           &ldapsource.GroupSearch{BaseDN: "ou=groups," + srv.BaseDN, Filter: "(member={dn})"},
	}
	s := open(t, c, nil)
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, name := range []string{"alice", `FERRY\alice`, "alice@ferry.test", "alice@example.com"} {
		u, err := s.Authenticate(t.Context(), name, "alice-password")
		if err != nil {
			t.Fatalf("Authenticate(%q): %v", name, err)
		}
		groups := slices.Clone(u.Groups)
		sort.Strings(groups)
		if u.Username != "alice" || !slices.Equal(groups, []string{"admins", "staff"}) || u.Attributes["name"] != "Alice Liddell" {
			t.Errorf("Authenticate(%q) = %+v", name, u)
		}
	}
	if _, err := s.Authenticate(t.Context(), "carol", "carol-password"); !errors.Is(err, source.ErrUserDisabled) {
		t.Errorf("locked carol: err = %v, want ErrUserDisabled", err)
	}
	if _, err := s.Authenticate(t.Context(), "shared@example.com", "dave-password"); !errors.Is(err, ldapsource.ErrAmbiguous) {
		t.Errorf("shared@example.com: err = %v, want ErrAmbiguous", err)
	}
}

// TestReconnect cuts every connection, as a server restart or an idle
// timeout on a load balancer would, and expects the next calls to succeed
// on fresh connections.
func TestReconnect(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	p := newProxy(t, d.srv.URL)
	c := d.config()
	c.URL = "ldap://" + p.addr()
	s := open(t, c, nil)
	for round := range 3 {
		if _, err := s.Authenticate(t.Context(), "alice", alicePassword); err != nil {
			t.Fatalf("round %d: Authenticate: %v", round, err)
		}
		if _, err := s.Lookup(t.Context(), "bob@example.com"); err != nil {
			t.Fatalf("round %d: Lookup: %v", round, err)
		}
		p.dropAll()
	}
	// Each round needs a search and a bind connection; pooled ones were
	// reused within a round.
	if n := p.accepted.Load(); n < 6 || n > 12 {
		t.Errorf("proxy accepted %d connections over 3 rounds, want 6 to 12", n)
	}
	// Pooling: without drops, more calls open no more connections.
	before := p.accepted.Load()
	for range 5 {
		if _, err := s.Authenticate(t.Context(), "alice", alicePassword); err != nil {
			t.Fatal(err)
		}
	}
	if after := p.accepted.Load(); after-before > 2 {
		t.Errorf("5 sequential calls opened %d connections, want at most 2 (pooled)", after-before)
	}
}

// TestEmptyPasswordSendsNothing: an empty password is refused before any
// connection (an empty simple bind is an unauthenticated bind that succeeds).
func TestEmptyPasswordSendsNothing(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	p := newProxy(t, d.srv.URL)
	c := d.config()
	c.URL = "ldap://" + p.addr()
	s := open(t, c, nil)
	for _, name := range []string{"alice", "mallory"} {
		if _, err := s.Authenticate(t.Context(), name, ""); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("Authenticate(%q, \"\") = %v, want ErrInvalidPassword", name, err)
		}
	}
	if n := p.accepted.Load(); n != 0 {
		t.Errorf("%d connections opened for empty passwords, want 0", n)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		timeout time.Duration
	}{
		{"server down", closedPort(t), 0},
		{"server silent", silentServer(t), 500 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, ldapsource.Config{
				URL: tc.url, BindDN: "cn=svc,dc=x", BindPassword: "pw", BaseDN: "dc=x", Timeout: tc.timeout,
			}, nil)
			for _, call := range []func() (*source.User, error){
				func() (*source.User, error) { return s.Authenticate(t.Context(), "alice", "pw") },
				func() (*source.User, error) { return s.Lookup(t.Context(), "alice") },
			} {
				start := time.Now()
				u, err := call()
				var se *source.Error
				if u != nil || !errors.As(err, &se) || source.IsOutcome(err) {
					t.Errorf("= %v, %v; want a *source.Error fault", u, err)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v, want the timeout to bound it", d)
				}
			}
		})
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	if _, err := s.Authenticate(t.Context(), "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	u, err := s.Authenticate(t.Context(), "alice", alicePassword)
	var se *source.Error
	if u != nil || !errors.As(err, &se) {
		t.Errorf("Authenticate after Close = %v, %v; want a fault", u, err)
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Authenticate(ctx, "alice", alicePassword)
	if !errors.Is(err, context.Canceled) || source.IsOutcome(err) {
		t.Errorf("Authenticate(cancelled) = %v, want a fault wrapping context.Canceled", err)
	}
}

// TestPasswordNeverLogged logs every path at debug level and checks that
// neither the logs nor the error texts hold the password.
func TestPasswordNeverLogged(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secret := "Zebra-7391-secret"
	var texts []string
	for _, mode := range []string{ldapsource.ModeBind, ldapsource.ModeCompareHash} {
		c := d.config()
		c.Mode = mode
		s := open(t, c, log)
		for _, name := range []string{"alice", "mallory", "carol", "*"} {
			if _, err := s.Authenticate(t.Context(), name, secret); err != nil {
				texts = append(texts, err.Error())
			}
		}
	}
	s := open(t, ldapsource.Config{URL: closedPort(t), BindDN: "cn=x", BindPassword: "pw", BaseDN: "dc=x"}, log)
	if _, err := s.Authenticate(t.Context(), "alice", secret); err != nil {
		texts = append(texts, err.Error())
	}
	texts = append(texts, buf.String())
	for _, text := range texts {
		if strings.Contains(text, secret) {
			t.Errorf("password found in %q", text)
		}
	}
	if strings.Contains(buf.String(), d.srv.BindPassword) {
		t.Errorf("the service account password was logged: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "disabled account") {
		t.Errorf("expected debug logs, got %q", buf.String())
	}
}

// TestTiming compares an unknown user with a wrong password: both cost a
// search and a bind round trip. The bound is loose (a shared CI machine is
// noisy); the test logs the medians it measured.
func TestTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison skipped in -short mode")
	}
	d := seed(t, ssha)
	s := open(t, d.config(), nil)
	const rounds = 40
	var wrong, unknown []time.Duration
	for i := range rounds {
		for _, c := range []struct {
			name string
			dst  *[]time.Duration
		}{{"alice", &wrong}, {"mallory", &unknown}} {
			start := time.Now()
			_, err := s.Authenticate(t.Context(), c.name, "wrong-password")
			if !source.IsOutcome(err) {
				t.Fatalf("round %d %s: %v", i, c.name, err)
			}
			*c.dst = append(*c.dst, time.Since(start))
		}
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	mw, mu := median(wrong), median(unknown)
	t.Logf("median over %d calls: wrong password %v, unknown user %v", rounds, mw, mu)
	if mu < mw/4 || mu > mw*4 {
		t.Errorf("unknown user median %v is far from wrong password median %v", mu, mw)
	}
}

// TestCompareHashPadsToDearerFamily: in compare_hash mode a directory that
// mixes hash families (bcrypt cost 4 beside bob's PBKDF2-SHA256 at
// 100,000 iterations) does not tell, by time, a name nobody has from a
// user of the dearer family: once a wrong password was verified against
// bob's value, an unknown name and a wrong password on a bcrypt entry are
// padded to that cost (source.Pacer), as the SQL and file sources are.
// The padding guarantees the lower bound, so this holds on any load.
func TestCompareHashPadsToDearerFamily(t *testing.T) {
	t.Parallel()
	d := seed(t, bcryptHash(t))
	key, err := pbkdf2.Key(sha256.New, bobPassword, []byte("salt"), 100_000, 32)
	if err != nil {
		t.Fatal(err)
	}
	mod := ldap.NewModifyRequest("uid=bob,"+d.ou, nil)
	mod.Replace("userPassword", []string{"pbkdf2_sha256$100000$salt$" + base64.StdEncoding.EncodeToString(key)})
	if err := d.srv.admin(t).Modify(mod); err != nil {
		t.Fatal(err)
	}
	c := d.config()
	c.URL, c.StartTLS = d.srv.LDAPSURL, false
	c.Mode = ldapsource.ModeCompareHash
	s := open(t, c, nil)
	timed := func(user string) time.Duration {
		start := time.Now()
		if _, err := s.Authenticate(t.Context(), user, "wrong"); err == nil {
			t.Fatalf("%s signed in with a wrong password", user)
		}
		return time.Since(start)
	}
	timed("alice") // alice's value becomes the dummy; its cost is learnt
	timed("mallory")
	cheap := timed("mallory")
	dear := timed("bob")
	if dear < 4*cheap {
		t.Skipf("bob's PBKDF2 value (%s) is not dearer enough than the bcrypt dummy (%s) on this machine to tell", dear, cheap)
	}
	if unknown := timed("mallory"); unknown < dear*4/5 {
		t.Errorf("an unknown name took %s after a wrong password on bob's PBKDF2 value took %s: want the dearer family's floor", unknown, dear)
	}
	if wrong := timed("alice"); wrong < dear*4/5 {
		t.Errorf("a wrong password on a bcrypt entry took %s after one on bob's PBKDF2 value took %s: want the dearer family's floor", wrong, dear)
	}
}
