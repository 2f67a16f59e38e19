package realapps

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// The OpenLDAP tools the directory is built and administered with.
const (
	slappasswd = "/usr/sbin/slappasswd"
	ldapadd    = "/usr/bin/ldapadd"
	ldapmodify = "/usr/bin/ldapmodify"
	ldappasswd = "/usr/bin/ldappasswd"
	ldapwhoami = "/usr/bin/ldapwhoami"
	ldapsearch = "/usr/bin/ldapsearch"
	ldapdelete = "/usr/bin/ldapdelete"
)

// ldapUser is one entry of the directory. scheme is the slappasswd scheme
// that hashed userPassword; empty means the password was set over the wire
// by ldappasswd (the password-modify extended operation, hashed by slapd
// with its password-hash, {SSHA}).
type ldapUser struct {
	uid, password, scheme string
	given, sn             string
	// lockout puts the entry under the lockout policy (pwdMaxFailure 3),
	// and slapd itself locks it with wrong binds before the scenarios.
	lockout bool
}

func ldapAccounts() []ldapUser {
	return []ldapUser{
		{uid: "ssha", password: "Ssha-pw-1", scheme: "{SSHA}", given: "Lena", sn: "Dap"},
		{uid: "smd5", password: "Smd5-pw-1", scheme: "{SMD5}"},
		{uid: "modified", password: "Modified-pw-1"},
		{uid: "mistyped", password: "Mistyped-pw-1", scheme: "{SSHA}"},
		{uid: "locked", password: "Locked-pw-1", scheme: "{SSHA}", lockout: true},
		{uid: "forgetful", password: "Forgetful-pw-1", scheme: "{SSHA}"},
	}
}

// ldapScenarios is the table every directory mode runs, per runner.
func ldapScenarios() []scenario {
	return []scenario{
		{name: "right password, {SSHA} by slappasswd", user: "ssha", password: "Ssha-pw-1", want: "migrated"},
		{name: "right password, {SMD5} by slappasswd", user: "smd5", password: "Smd5-pw-1", want: "migrated"},
		{name: "right password set by ldappasswd (hashed by slapd)", user: "modified", password: "Modified-pw-1", want: "migrated"},
		{name: "wrong password", user: "mistyped", password: "Mistyped-pw-2", want: "wrong_password"},
		{name: "right password after a wrong one", user: "mistyped", password: "Mistyped-pw-1", want: "migrated"},
		{name: "unknown user", user: "nobody", password: "Nobody-pw-1", want: "unknown"},
		{name: "locked by slapd after pwdMaxFailure wrong binds", user: "locked", password: "Locked-pw-1", want: "disabled"},
		{name: "locked: forgot-password refused too", op: opForgot, user: "locked", want: "disabled"},
		{name: "unlocked by the administrator: migrates", user: "locked", password: "Locked-pw-1", want: "migrated", enableFirst: true},
		{name: "forgot-password", op: opForgot, user: "forgetful", want: "migrated", reset: true},
		{name: "ferry status", op: opStatus},
		{name: "ferry export", op: opExport},
		{name: "ferry audit", op: opAudit},
	}
}

// TestOpenLDAP fills an OpenLDAP directory (scripts/services-ldap.sh's
// slapd, with the ppolicy overlay) with OpenLDAP's own tools, has slapd
// lock an entry itself, and runs the scenario table through `ferry
// invoke` and through a `ferry serve` pool with the AWS CLI, once binding
// as the user and once comparing the stored hash.
func TestOpenLDAP(t *testing.T) {
	t.Parallel()
	requireFiles(t, "OpenLDAP's tools (slapd, ldap-utils)", slappasswd, ldapadd, ldapmodify, ldappasswd, ldapwhoami, ldapsearch, ldapdelete)
	for _, mode := range []string{"bind", "compare_hash"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			a := newLDAPApp(t, mode)
			total := runAll(t, a, ldapScenarios(), invokeRunner{config: a.config}, startPool(t, a.config))
			t.Logf("OpenLDAP, %s mode: %d scenarios", mode, total)
		})
	}
}

// directory is how the tests reach slapd as its administrator.
type directory struct {
	url, adminDN, adminPassword string
}

// tool runs one of OpenLDAP's client tools as the administrator.
func (d directory) tool(t *testing.T, stdin, name string, args ...string) string {
	t.Helper()
	return mustRun(t, os.Environ(), stdin, name, append([]string{"-x", "-H", d.url, "-D", d.adminDN, "-w", d.adminPassword}, args...)...)
}

func newLDAPApp(t *testing.T, mode string) *app {
	t.Helper()
	d := directory{
		url:           testenv.Env(t, "FERRY_TEST_LDAP_URL", "OpenLDAP"),
		adminDN:       testenv.Env(t, "FERRY_TEST_LDAP_ADMIN_DN", "OpenLDAP"),
		adminPassword: testenv.Env(t, "FERRY_TEST_LDAP_ADMIN_PASSWORD", "OpenLDAP"),
	}
	base := testenv.Env(t, "FERRY_TEST_LDAP_BASE_DN", "OpenLDAP")
	lockout := testenv.Env(t, "FERRY_TEST_LDAP_LOCKOUT_POLICY_DN", "OpenLDAP")
	ou := "ou=" + scratchName() + "," + base

	a := &app{name: "OpenLDAP " + mode, users: map[string]*legacyUser{}, migrated: map[string]bool{},
		noMarks: true, noHashes: mode == "bind"}
	var ldif strings.Builder
	fmt.Fprintf(&ldif, "dn: %s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, strings.TrimPrefix(strings.SplitN(ou, ",", 2)[0], "ou="))
	var viaExtop, toLock []string
	for _, prefix := range []string{invokeRunner{}.prefix(), (*poolRunner)(nil).prefix()} {
		for _, u := range ldapAccounts() {
			uid := prefix + u.uid
			dn := "uid=" + uid + "," + ou
			email := uid + "@legacy.example.test"
			fmt.Fprintf(&ldif, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s\n", dn, uid, uid, or(u.sn, uid), email)
			if u.given != "" {
				fmt.Fprintf(&ldif, "givenName: %s\n", u.given)
			}
			if u.scheme != "" {
				hash := strings.TrimSpace(mustRun(t, os.Environ(), "", slappasswd, "-h", u.scheme, "-s", u.password))
				fmt.Fprintf(&ldif, "userPassword: %s\n", hash)
			} else {
				viaExtop = append(viaExtop, dn, u.password)
			}
			if u.lockout {
				fmt.Fprintf(&ldif, "pwdPolicySubentry: %s\n", lockout)
				toLock = append(toLock, dn)
			}
			ldif.WriteString("\n")
			lu := &legacyUser{login: uid, email: email, disabled: u.lockout,
				// Every scheme slapd writes is a salted digest (SHA-1, MD5).
				weakHash: mode == "compare_hash"}
			if u.given != "" {
				lu.attrs = map[string]string{"given_name": u.given, "family_name": u.sn}
			}
			a.users[uid] = lu
		}
	}
	d.tool(t, ldif.String(), ldapadd)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, ldapdelete, "-x", "-H", d.url, "-D", d.adminDN, "-w", d.adminPassword, "-r", ou).CombinedOutput()
		if err != nil {
			t.Errorf("ldapdelete -r %s: %v\n%s", ou, err, out)
		}
	})
	for i := 0; i < len(viaExtop); i += 2 {
		d.tool(t, "", ldappasswd, "-s", viaExtop[i+1], viaExtop[i])
	}
	// slapd locks the entry itself: pwdMaxFailure (3) wrong binds.
	for _, dn := range toLock {
		for range 3 {
			if _, _, err := runCmd(t, os.Environ(), "", ldapwhoami, "-x", "-H", d.url, "-D", dn, "-w", "not-the-password"); err == nil {
				t.Fatalf("ldapwhoami as %s with a wrong password succeeded", dn)
			}
		}
		if out := d.tool(t, "", ldapsearch, "-LLL", "-b", dn, "-s", "base", "pwdAccountLockedTime"); !strings.Contains(out, "pwdAccountLockedTime:") {
			t.Fatalf("slapd did not lock %s after 3 wrong binds (is the ppolicy overlay loaded?):\n%s", dn, out)
		}
	}
	// The administrator unlocks an account as slapo-ppolicy(5) documents:
	// deleting pwdAccountLockedTime, which also clears the failure count.
	a.enable = func(t *testing.T, login string) {
		dn := "uid=" + login + "," + ou
		d.tool(t, "dn: "+dn+"\nchangetype: modify\ndelete: pwdAccountLockedTime\n", ldapmodify)
	}
	a.config = writeConfig(t, `sources:
  - name: directory
    type: ldap
    config:
      url: `+d.url+`
      bind_dn: "`+testenv.Env(t, "FERRY_TEST_LDAP_BIND_DN", "OpenLDAP")+`"
      bind_password: "`+testenv.Env(t, "FERRY_TEST_LDAP_BIND_PASSWORD", "OpenLDAP")+`"
      base_dn: "`+ou+`"
      user_filter: (&(objectClass=inetOrgPerson)(uid={username}))
      mode: `+mode+`
      email_verified: true
      password_policy:
        default_dn: "`+testenv.Env(t, "FERRY_TEST_LDAP_DEFAULT_POLICY_DN", "OpenLDAP")+`"
`)
	return a
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
