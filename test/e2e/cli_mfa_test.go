package e2e

import (
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestCLISoftwareTokenMFA runs the TOTP life cycle with the AWS CLI, as
// an operator scripts it: the pool's MFA configuration, a user's token
// set up and preferred, a sign-in answered with SOFTWARE_TOKEN_MFA, and an
// admin turning the factor off.
func TestCLISoftwareTokenMFA(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	p := newPool(t, lambdainvoke.InProcess(ferryTrigger(t, legacyUsersFor("cli-totp")).Handler))
	c := &cliClient{p: p, aws: testenv.Tool(t, "aws"), sessions: map[string]*tokenSet{}}
	ctx := t.Context()
	must := func(what string, o outcome) {
		t.Helper()
		if o.got != "ok" {
			t.Fatalf("%s: %s: %s", what, o.got, o.message)
		}
	}
	var cfg struct {
		MfaConfiguration              string
		SoftwareTokenMfaConfiguration struct{ Enabled bool }
	}
	must("set-user-pool-mfa-config", c.cli(ctx, &cfg, "set-user-pool-mfa-config", "--user-pool-id", p.PoolID,
		"--mfa-configuration", "OPTIONAL", "--software-token-mfa-configuration", "Enabled=true"))
	must("get-user-pool-mfa-config", c.cli(ctx, &cfg, "get-user-pool-mfa-config", "--user-pool-id", p.PoolID))
	if cfg.MfaConfiguration != "OPTIONAL" || !cfg.SoftwareTokenMfaConfiguration.Enabled {
		t.Fatalf("get-user-pool-mfa-config: %+v", cfg)
	}

	p.CreateUser(t, "cli-totp-user", "Passw0rd!")
	signIn := func(out any) outcome {
		return c.cli(ctx, out, "initiate-auth", "--client-id", p.ClientID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME=cli-totp-user,PASSWORD=Passw0rd!")
	}
	var auth cliAuth
	must("initiate-auth", signIn(&auth))
	tok := auth.AuthenticationResult.AccessToken
	var assoc struct{ SecretCode string }
	must("associate-software-token", c.cli(ctx, &assoc, "associate-software-token", "--access-token", tok))
	var verified struct{ Status string }
	must("verify-software-token", c.cli(ctx, &verified, "verify-software-token", "--access-token", tok,
		"--user-code", cognitotest.AuthenticatorCode(t, assoc.SecretCode, time.Now()), "--friendly-device-name", "cli"))
	if verified.Status != "SUCCESS" {
		t.Fatalf("verify-software-token: status %q", verified.Status)
	}
	must("set-user-mfa-preference", c.cli(ctx, nil, "set-user-mfa-preference", "--access-token", tok,
		"--software-token-mfa-settings", "Enabled=true,PreferredMfa=true"))
	var user struct {
		PreferredMfaSetting string
		UserMFASettingList  []string
	}
	must("admin-get-user", c.cli(ctx, &user, "admin-get-user", "--user-pool-id", p.PoolID, "--username", "cli-totp-user"))
	if user.PreferredMfaSetting != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("admin-get-user: %+v", user)
	}

	var challenge struct {
		ChallengeName, Session string
	}
	must("initiate-auth with MFA", signIn(&challenge))
	if challenge.ChallengeName != "SOFTWARE_TOKEN_MFA" || challenge.Session == "" {
		t.Fatalf("initiate-auth with MFA: %+v", challenge)
	}
	// The next step's code: the current one verified the token already.
	code := cognitotest.AuthenticatorCode(t, assoc.SecretCode, time.Now().Add(30*time.Second))
	must("respond-to-auth-challenge", c.cli(ctx, &auth, "respond-to-auth-challenge", "--client-id", p.ClientID,
		"--challenge-name", "SOFTWARE_TOKEN_MFA", "--session", challenge.Session,
		"--challenge-responses", "USERNAME=cli-totp-user,SOFTWARE_TOKEN_MFA_CODE="+code))
	if auth.AuthenticationResult == nil || auth.AuthenticationResult.AccessToken == "" {
		t.Fatalf("respond-to-auth-challenge: no tokens")
	}
	must("admin-set-user-mfa-preference", c.cli(ctx, nil, "admin-set-user-mfa-preference", "--user-pool-id", p.PoolID,
		"--username", "cli-totp-user", "--software-token-mfa-settings", "Enabled=false"))
}
