package setup

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestLDAPSignInsNeverLockTheDirectory signs in through the migrator a
// built App runs, guard included, with many more wrong passwords than the
// directory's pwdMaxFailure under the user's names: slapd never locks the
// entry. The per-user throttle is capped one short of the policy's count
// (the third attempt is throttled, not the sixth), and where the throttle
// is off, the source's check before each bind holds the line alone.
func TestLDAPSignInsNeverLockTheDirectory(t *testing.T) {
	t.Parallel()
	env := func(name string) string { return testenv.Env(t, name, "OpenLDAP") }
	url, base := env("FERRY_TEST_LDAP_URL"), env("FERRY_TEST_LDAP_BASE_DN")
	lockout := env("FERRY_TEST_LDAP_LOCKOUT_POLICY_DN")
	admin, err := ldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.Bind(env("FERRY_TEST_LDAP_ADMIN_DN"), env("FERRY_TEST_LDAP_ADMIN_PASSWORD")); err != nil {
		t.Fatal(err)
	}
	mustAdd := func(dn string, attrs map[string][]string) {
		t.Helper()
		req := ldap.NewAddRequest(dn, nil)
		for k, v := range attrs {
			req.Attribute(k, v)
		}
		if err := admin.Add(req); err != nil {
			t.Fatalf("add %s: %v", dn, err)
		}
	}
	ou := "ou=lock-" + strings.ToLower(rand.Text()[:8]) + "," + base
	mustAdd(ou, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {strings.TrimPrefix(strings.Split(ou, ",")[0], "ou=")}})
	const password = "Right-Passw0rd"
	users := []string{"throttled", "unthrottled"}
	for _, uid := range users {
		// userPassword set by the server (password modify), as ppolicy
		// accounts are.
		mustAdd("uid="+uid+","+ou, map[string][]string{
			"objectClass": {"inetOrgPerson"}, "uid": {uid}, "cn": {uid}, "sn": {uid},
			"mail": {uid + "@example.com"}, "pwdPolicySubentry": {lockout},
		})
		if _, err := admin.PasswordModify(ldap.NewPasswordModifyRequest("uid="+uid+","+ou, "", password)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, uid := range users {
			_ = admin.Del(ldap.NewDelRequest("uid="+uid+","+ou, nil))
		}
		_ = admin.Del(ldap.NewDelRequest(ou, nil))
	})
	state := func(uid string) (string, int) {
		t.Helper()
		res, err := admin.Search(ldap.NewSearchRequest("uid="+uid+","+ou, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
			"(objectClass=*)", []string{"pwdAccountLockedTime", "pwdFailureTime"}, nil))
		if err != nil || len(res.Entries) != 1 {
			t.Fatalf("read %s: %v", uid, err)
		}
		e := res.Entries[0]
		return e.GetAttributeValue("pwdAccountLockedTime"), len(e.GetAttributeValues("pwdFailureTime"))
	}

	for _, tc := range []struct {
		uid, guard string
		// capped: the throttle is on, and lowered from its default of 5
		// failures to 2, so the third failure under one name (attempt 3,
		// after "uid", "UID" and the email) is refused by the throttle.
		capped bool
	}{
		{uid: "throttled", guard: "", capped: true},
		{uid: "unthrottled", guard: "guard: {throttle: {disabled: true}}\n"},
	} {
		t.Run(tc.uid, func(t *testing.T) {
			doc := fmt.Sprintf(`sources:
  - name: directory
    type: ldap
    config:
      url: %q
      bind_dn: %q
      bind_password: %q
      base_dn: %q
      email_filter: (&(objectClass=person)(mail={email}))
      password_policy:
        default_dn: %q
migration:
  attributes: [email, email_verified]
  assume_email_verified: true
%s`, url, env("FERRY_TEST_LDAP_BIND_DN"), env("FERRY_TEST_LDAP_BIND_PASSWORD"), ou, lockout, tc.guard)
			cfg, err := Load([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			app, err := Build(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { app.Close() })
			names := []string{tc.uid, strings.ToUpper(tc.uid), tc.uid + "@example.com"}
			for i := range 10 {
				_, err := app.Migrator.Migrate(t.Context(), migration.Request{
					Kind: migration.Authentication, Username: names[i%len(names)], Password: fmt.Sprintf("wrong-%d", i), ClientID: "web"})
				throttled := errors.Is(err, migration.ErrThrottled)
				if !errors.Is(err, migration.ErrNotMigrated) || (throttled && !tc.capped) || (i == 3 && throttled != tc.capped) {
					t.Errorf("wrong password %d (%s): %v (throttle capped: %v)", i, names[i%len(names)], err, tc.capped)
				}
			}
			locked, failures := state(tc.uid)
			if locked != "" || failures >= 3 {
				t.Fatalf("after 10 wrong passwords: pwdAccountLockedTime %q, %d failures; want no lock, under 3", locked, failures)
			}
			if strings.Contains(logs.String(), password) || strings.Contains(logs.String(), "wrong-1") {
				t.Error("a password reached the log")
			}
		})
	}
}
