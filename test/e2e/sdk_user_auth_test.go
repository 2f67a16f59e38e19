package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestJSSDKUserAuth runs test/clients/node/user-auth-sdk.mjs, choice-based
// sign-in with aws-sdk-js-v3 — SELECT_CHALLENGE, EMAIL_OTP with a wrong
// code and the outbox's, PREFERRED_CHALLENGE PASSWORD, WEB_AUTHN refused —
// and checks that every step went as Cognito answers (the script stops at
// the first that did not).
func TestJSSDKUserAuth(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	p := userAuthPool(t, ferryTrigger(t, legacyUsersFor("sdk-userauth")))
	p.CreateUser(t, "sdk-otp-user", "Passw0rd!", "email", "sdk-otp-user@example.com", "email_verified", "true")
	node, dir := requireNode(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "user-auth-sdk.mjs", "--endpoint", p.URL, "--pool", p.PoolID,
		"--client", p.ClientID, "--username", "sdk-otp-user", "--password", "Passw0rd!")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var steps []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var l amplifyLine
		if json.Unmarshal([]byte(line), &l) != nil {
			t.Fatalf("user-auth-sdk.mjs printed %q", line)
		}
		if !l.OK {
			t.Errorf("%s went wrong: %s", l.Step, line)
		}
		steps = append(steps, l.Step)
	}
	if err != nil {
		t.Fatalf("user-auth-sdk.mjs: %v after %v: %s", err, steps, stderr.String())
	}
	if len(steps) != 6 {
		t.Errorf("user-auth-sdk.mjs ran %d steps, want 6: %v", len(steps), steps)
	}
}
