package e2e

import (
	"testing"
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
	steps := runNodeSteps(t, "user-auth-sdk.mjs", "--endpoint", p.URL, "--pool", p.PoolID,
		"--client", p.ClientID, "--username", "sdk-otp-user", "--password", "Passw0rd!")
	if len(steps) != 6 {
		t.Errorf("user-auth-sdk.mjs ran %d steps, want 6: %v", len(steps), steps)
	}
}
