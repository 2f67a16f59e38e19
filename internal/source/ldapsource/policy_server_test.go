package ldapsource_test

import (
	"errors"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// policyDNs are the password policies services-ldap.sh loads: lockout
// (pwdMaxFailure 3, pwdLockoutDuration 300 s) and the overlay's default
// (no lockout, no duration).
func policyDNs(t testing.TB) (lockout, def string) {
	t.Helper()
	return testenv.Env(t, "FERRY_TEST_LDAP_LOCKOUT_POLICY_DN", "OpenLDAP"),
		testenv.Env(t, "FERRY_TEST_LDAP_DEFAULT_POLICY_DN", "OpenLDAP")
}

func genTime(t time.Time) string { return t.UTC().Format("20060102150405Z") }

// lockState reads the ppolicy state slapd keeps on dn.
func lockState(t testing.TB, c *ldap.Conn, dn string) (lockedTime string, failures int) {
	t.Helper()
	res, err := c.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"pwdAccountLockedTime", "pwdFailureTime"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read lock state of %s: %v", dn, err)
	}
	e := res.Entries[0]
	return e.GetAttributeValue("pwdAccountLockedTime"), len(e.GetAttributeValues("pwdFailureTime"))
}

// TestPolicyLocks decides locks by the entry's password policy against
// slapd's ppolicy overlay, and checks each "not locked" against slapd's own
// answer: a bind with the right password succeeds exactly when the source
// says the lock has run out.
func TestPolicyLocks(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	lockout, def := policyDNs(t)
	c := d.srv.admin(t)
	const pw = "Temp-locked-1"
	user := func(uid string, extra map[string][]string) string {
		dn := "uid=" + uid + "," + d.ou
		attrs := map[string][]string{
			"objectClass": {"inetOrgPerson"}, "uid": {uid}, "cn": {uid}, "sn": {uid},
			"userPassword": {ssha(pw)},
		}
		for k, v := range extra {
			attrs[k] = v
		}
		add(t, c, dn, attrs)
		return dn
	}
	now := time.Now()
	user("expired", map[string][]string{"pwdPolicySubentry": {lockout}, "pwdAccountLockedTime": {genTime(now.Add(-10 * time.Minute))}})
	user("running", map[string][]string{"pwdPolicySubentry": {lockout}, "pwdAccountLockedTime": {genTime(now.Add(-time.Minute))}})
	user("permanent", map[string][]string{"pwdPolicySubentry": {lockout}, "pwdAccountLockedTime": {"000001010000Z"}})
	user("noduration", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-10 * time.Minute))}})
	user("badpolicy", map[string][]string{"pwdPolicySubentry": {"cn=absent,ou=policies," + d.srv.BaseDN}})
	lockedBySlapd := user("tripped", map[string][]string{"pwdPolicySubentry": {lockout}})

	// slapd itself locks "tripped" after pwdMaxFailure wrong binds.
	raw, err := ldap.DialURL(d.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for range 3 {
		if err := raw.Bind(lockedBySlapd, "wrong"); !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			t.Fatalf("wrong bind as %s: %v", lockedBySlapd, err)
		}
	}
	if lt, _ := lockState(t, c, lockedBySlapd); lt == "" {
		t.Fatal("slapd did not lock the entry after 3 wrong binds: is the ppolicy overlay loaded?")
	}

	cfg := d.config()
	cfg.PasswordPolicy.DefaultDN = def
	s := open(t, cfg, nil)
	tests := []struct {
		user    string
		wantErr error
		reason  string // RecordError reason, when the record is unusable
	}{
		{user: "expired"},
		{user: "running", wantErr: source.ErrUserDisabled},
		{user: "permanent", wantErr: source.ErrUserDisabled},
		{user: "noduration", wantErr: source.ErrUserDisabled},
		{user: "tripped", wantErr: source.ErrUserDisabled},
		{user: "badpolicy", reason: source.RecordUnreadable},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			u, err := s.Authenticate(t.Context(), tc.user, pw)
			var rec *source.RecordError
			switch {
			case tc.reason != "":
				if !errors.As(err, &rec) || rec.Reason != tc.reason {
					t.Errorf("Authenticate = %v, want a RecordError %s", err, tc.reason)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("Authenticate = %v, want %v", err, tc.wantErr)
				}
			case err != nil || u.Username != tc.user:
				t.Errorf("Authenticate = %+v, %v, want the user", u, err)
			}
		})
	}

	// Lookup decides as Authenticate does.
	if _, err := s.Lookup(t.Context(), "running"); !errors.Is(err, source.ErrUserDisabled) {
		t.Errorf("Lookup of a running lock: %v, want ErrUserDisabled", err)
	}
	if u, err := s.Lookup(t.Context(), "expired"); err != nil || u.Username != "expired" {
		t.Errorf("Lookup of a lock that ran out: %+v, %v, want the user", u, err)
	}
}

// TestBindNeverLocks sends far more wrong passwords than the policy's
// pwdMaxFailure straight to the source, under every name the user has:
// the directory never locks the entry, and the right password still
// works once the legacy system has cleared the count.
func TestBindNeverLocks(t *testing.T) {
	t.Parallel()
	d := seed(t, ssha)
	lockout, def := policyDNs(t)
	c := d.srv.admin(t)
	mod := ldap.NewModifyRequest(d.aliceDN, nil)
	mod.Add("pwdPolicySubentry", []string{lockout})
	if err := c.Modify(mod); err != nil {
		t.Fatal(err)
	}
	cfg := d.config()
	cfg.PasswordPolicy.DefaultDN = def
	s := open(t, cfg, nil)
	// The default policy has no lockout: the throttle is not capped, the
	// check before each bind alone protects alice.
	if n, err := s.FailureCap(t.Context()); err != nil || n != 0 {
		t.Errorf("FailureCap under the default policy = %d, %v; want 0", n, err)
	}
	names := []string{"alice", "ALICE", "alice@example.com"}
	for i := range 12 {
		_, err := s.Authenticate(t.Context(), names[i%len(names)], "wrong-"+names[i%len(names)])
		if !errors.Is(err, source.ErrInvalidPassword) && !errors.Is(err, source.ErrUserDisabled) {
			t.Fatalf("wrong password %d: %v, want a wrong password or a refusal", i, err)
		}
	}
	locked, failures := lockState(t, c, d.aliceDN)
	if locked != "" || failures != 2 {
		t.Fatalf("after 12 wrong passwords: pwdAccountLockedTime %q, %d failures; want no lock, 2 failures", locked, failures)
	}
	// One more failure would lock: even the right password is refused
	// without a bind, which would reach the directory and clear nothing.
	if _, err := s.Authenticate(t.Context(), "alice", alicePassword); !errors.Is(err, source.ErrUserDisabled) {
		t.Errorf("right password one failure short of the lock: %v, want ErrUserDisabled", err)
	}
	// A successful bind to the directory (the legacy system's own sign-in)
	// clears the count; then alice migrates.
	raw, err := ldap.DialURL(d.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.Bind(d.aliceDN, alicePassword); err != nil {
		t.Fatalf("alice's own bind: %v", err)
	}
	if u, err := s.Authenticate(t.Context(), "alice", alicePassword); err != nil || u.Username != "alice" {
		t.Errorf("after the legacy sign-in: %+v, %v; want alice", u, err)
	}

	// With the lockout policy as default, the cap is one short of it.
	cfg.PasswordPolicy.DefaultDN = lockout
	if n, err := open(t, cfg, nil).FailureCap(t.Context()); err != nil || n != 2 {
		t.Errorf("FailureCap under pwdMaxFailure 3 = %d, %v; want 2", n, err)
	}
	cfg.PasswordPolicy = ldapsource.PasswordPolicy{MaxFailure: 5}
	if n, _ := open(t, cfg, nil).FailureCap(t.Context()); n != 4 {
		t.Errorf("FailureCap with max_failure 5 = %d, want 4", n)
	}
}
