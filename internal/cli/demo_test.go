package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := Run(t.Context(), []string{"demo", "--verbose"}, Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	out := stdout.String()
	if err != nil {
		t.Fatalf("ferry demo: %v\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	for _, want := range []string{
		"[1/9] Create the legacy user directory",
		"[2/9] Start the local user pool",
		"[3/9] A legacy user signs in: migrated on the spot",
		"trigger UserMigration_Authentication → tokens",
		"tokens verified with the pool's JWKS",
		"[4/9] The same user signs in again and refreshes",
		"REFRESH_TOKEN_AUTH",
		"trigger invocations: 0",
		"[5/9] A wrong password is refused",
		"NotAuthorizedException",
		"[6/9] Users with phpass and bcrypt hashes sign in",
		"[7/9] A legacy user who forgot the password resets it",
		"trigger UserMigration_ForgotPassword",
		"RESET_REQUIRED",
		"[8/9] The migrated user signs in with SRP",
		"PASSWORD_VERIFIER",
		"[9/9] Check the bookkeeping",
		"pool users: 4; legacy rows marked ferry_migrated_at: 4",
		"Every step did what it said.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(out, "✓"); n != 9 {
		t.Errorf("%d steps reported success, want 9", n)
	}
	if strings.Contains(out, "✗") {
		t.Errorf("a step failed:\n%s", out)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
