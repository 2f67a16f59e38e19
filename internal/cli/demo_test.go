package cli

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
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

// TestDemoFailingStep makes the legacy directory store another password for
// alice: her sign-in must fail, and the demo must stop there and say so.
func TestDemoFailingStep(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runDemo(t.Context(), demoOptions{
		out: &out, logger: slog.New(slog.NewTextHandler(io.Discard, nil)), users: demoUsers(),
		legacyPassword: map[string]string{"alice": "something-else"},
	})
	var stepErr *DemoStepError
	if !errors.As(err, &stepErr) || stepErr.Step != 3 {
		t.Fatalf("runDemo = %v, want a failure at step 3\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "✗") || !strings.Contains(out.String(), "The demo stopped at step 3.") {
		t.Errorf("output does not name the failing step:\n%s", out.String())
	}
	if strings.Contains(out.String(), "[4/9]") {
		t.Errorf("the demo went on after a failed step:\n%s", out.String())
	}
}
