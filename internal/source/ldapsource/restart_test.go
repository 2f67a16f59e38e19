package ldapsource_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestServerRestart restarts a real slapd of the test's own between two
// sign-ins: the pooled connections die with it, and the second sign-in must
// succeed on fresh ones.
func TestServerRestart(t *testing.T) {
	t.Parallel()
	testenv.Env(t, "FERRY_TEST_LDAP_URL", "OpenLDAP") // an environment with slapd
	if _, err := os.Stat("/usr/sbin/slapd"); err != nil {
		testenv.Missing(t, "slapd (/usr/sbin/slapd)")
	}
	script, err := filepath.Abs("../../../scripts/services-ldap.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(cmd string) string {
		t.Helper()
		out, err := exec.CommandContext(t.Context(), script, cmd, dir).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("services-ldap.sh %s: %v\n%s", cmd, err, stderr)
		}
		return string(out)
	}
	env := map[string]string{}
	for line := range strings.SplitSeq(run("start"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
			env[k] = v
		}
	}
	t.Cleanup(func() { _ = exec.Command(script, "stop", dir).Run() })

	s := open(t, ldapsource.Config{
		URL:          env["FERRY_TEST_LDAP_URL"],
		StartTLS:     true,
		CAFile:       env["FERRY_TEST_LDAP_CA"],
		BindDN:       env["FERRY_TEST_LDAP_BIND_DN"],
		BindPassword: env["FERRY_TEST_LDAP_BIND_PASSWORD"],
		BaseDN:       "ou=people," + env["FERRY_TEST_LDAP_BASE_DN"],
	}, nil)
	for i := range 3 {
		if i > 0 {
			run("restart")
		}
		u, err := s.Authenticate(t.Context(), "alice", "alice-password")
		if err != nil {
			t.Fatalf("sign-in %d (after %d restarts): %v", i+1, i, err)
		}
		if u.Username != "alice" {
			t.Errorf("sign-in %d: %+v", i+1, u)
		}
	}
}
