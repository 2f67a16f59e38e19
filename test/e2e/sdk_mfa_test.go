package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
)

// TestJSSDKSoftwareTokenMFA runs test/clients/node/mfa-sdk.mjs, the
// software-token MFA life cycle with aws-sdk-js-v3, and checks that every
// step went as Cognito answers (the script stops at the first that did
// not).
func TestJSSDKSoftwareTokenMFA(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	p := newPool(t, lambdainvoke.InProcess(ferryTrigger(t, legacyUsersFor("sdk-totp")).Handler))
	if _, err := p.API.SetUserPoolMfaConfig(t.Context(), &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(p.PoolID),
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	p.CreateUser(t, "sdk-totp-user", "Passw0rd!")
	steps := runNodeSteps(t, "mfa-sdk.mjs", "--endpoint", p.URL, "--pool", p.PoolID,
		"--client", p.ClientID, "--username", "sdk-totp-user", "--password", "Passw0rd!")
	if len(steps) != 11 {
		t.Errorf("mfa-sdk.mjs ran %d steps, want 11: %v", len(steps), steps)
	}
}

// runNodeSteps runs a test/clients/node script that prints one JSON line
// per step ({"step", "ok", "detail"}), fails the test on every step that
// went wrong or a script that failed, and returns the steps it ran.
func runNodeSteps(t *testing.T, script string, args ...string) []string {
	t.Helper()
	node, dir := requireNode(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var steps []string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var l amplifyLine
		if json.Unmarshal([]byte(line), &l) != nil {
			t.Fatalf("%s printed %q", script, line)
		}
		if !l.OK {
			t.Errorf("%s: got %s: %s (%s)", l.Step, l.Detail.Got, l.Detail.Message, line)
		}
		steps = append(steps, l.Step)
	}
	if err != nil {
		t.Fatalf("%s: %v after %v: %s", script, err, steps, stderr.String())
	}
	return steps
}
