package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// ---- step 8: SRP -----------------------------------------------------------

func (d *demo) srpSignIn(ctx context.Context) error {
	u := d.user("alice")
	before := d.invocations.Load()
	x, err := d.srpExchange(ctx, u.username, u.password)
	if err != nil {
		return err
	}
	d.say("InitiateAuth USER_SRP_AUTH %s → PASSWORD_VERIFIER (USER_ID_FOR_SRP %s, SALT %s…)", u.username, x.userID, short(x.salt))
	if x.err != nil {
		return fmt.Errorf("RespondToAuthChallenge PASSWORD_VERIFIER: %w", x.err)
	}
	if x.resp.AuthenticationResult == nil || aws.ToString(x.resp.AuthenticationResult.AccessToken) == "" {
		return fmt.Errorf("RespondToAuthChallenge answered %q instead of tokens", x.resp.ChallengeName)
	}
	d.say("RespondToAuthChallenge (TIMESTAMP %q, PASSWORD_CLAIM_SIGNATURE %s…) → tokens", x.timestamp, short(x.signature))

	// The same exchange with a wrong password must fail.
	if x, err = d.srpExchange(ctx, u.username, u.password+"!"); err != nil {
		return err
	}
	if !isAPIError[*ciptypes.NotAuthorizedException](x.err) {
		return fmt.Errorf("SRP with a wrong password = %v, want NotAuthorizedException", x.err)
	}
	if n := d.invocations.Load() - before; n != 0 {
		return fmt.Errorf("the trigger ran %d times, want 0", n)
	}
	d.say("the same exchange with a wrong password → NotAuthorizedException")
	d.ok("the password migrated in step 3 also serves Cognito's SRP protocol; the password never crossed the wire")
	return nil
}

// srpResult is one USER_SRP_AUTH sign-in: InitiateAuth, then the
// PASSWORD_VERIFIER answer computed from password.
type srpResult struct {
	userID, salt         string
	timestamp, signature string
	// resp and err are RespondToAuthChallenge's answer.
	resp *cip.RespondToAuthChallengeOutput
	err  error
}

// srpExchange signs username in with SRP. Its error is a failure before
// the answer; the answer's own error is in the result.
func (d *demo) srpExchange(ctx context.Context, username, password string) (srpResult, error) {
	var x srpResult
	client, err := srp.NewClient(srp.PoolName(d.poolID), password)
	if err != nil {
		return x, err
	}
	init, err := d.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserSrpAuth, ClientId: aws.String(d.clientID),
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": client.SRPA()},
	})
	if err != nil {
		return x, fmt.Errorf("InitiateAuth USER_SRP_AUTH: %w", err)
	}
	if init.ChallengeName != ciptypes.ChallengeNameTypePasswordVerifier {
		return x, fmt.Errorf("InitiateAuth USER_SRP_AUTH answered %q, want PASSWORD_VERIFIER", init.ChallengeName)
	}
	p := init.ChallengeParameters
	x.userID, x.salt = p["USER_ID_FOR_SRP"], p["SALT"]
	x.timestamp, x.signature, err = client.Respond(x.userID, x.salt, p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		return x, fmt.Errorf("compute the password claim: %w", err)
	}
	x.resp, x.err = d.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(d.clientID), ChallengeName: ciptypes.ChallengeNameTypePasswordVerifier, Session: init.Session,
		ChallengeResponses: map[string]string{
			"USERNAME": x.userID, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"TIMESTAMP": x.timestamp, "PASSWORD_CLAIM_SIGNATURE": x.signature,
		},
	})
	return x, nil
}

// short abbreviates a long protocol value for printing.
func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
