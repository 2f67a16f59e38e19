package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestAmplifyCustomAuth is an app's custom challenge with Amplify JS v6:
// signIn with CUSTOM_WITHOUT_SRP stops at
// CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE with the challenge's public
// parameters, confirmSignIn answers round after round (a wrong code is
// asked again), and the last right code signs the app in; with
// CUSTOM_WITH_SRP Amplify proves the password by SRP first (SRP_A, then
// PASSWORD_VERIFIER with the sequence's Session) and the same rounds
// follow. The three triggers are the pool's two-round secret-code
// challenge, run in-process.
func TestAmplifyCustomAuth(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	sc := cognitotest.NewSecretCode()
	p := newPool(t, nil, cognitotest.WithSecretCode(sc))
	const user, password = "cam", "Cam#Passw0rd"
	ctx := t.Context()
	if _, err := p.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(user),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.API.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(p.PoolID),
		Username: aws.String(user), Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	a := startAmplify(t, p, p.legacyClient)
	type signInOut struct {
		IsSignedIn     bool              `json:"isSignedIn"`
		NextStep       string            `json:"nextStep"`
		AdditionalInfo map[string]string `json:"additionalInfo"`
	}
	for _, op := range []string{"signInCustom", "signInCustomSRP"} {
		var in signInOut
		step := map[string]any{"step": op, "op": op, "username": user}
		if op == "signInCustomSRP" {
			step["password"] = password // CUSTOM_WITHOUT_SRP refuses one
		}
		a.must(&in, step)
		if in.IsSignedIn || in.NextStep != "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE" || in.AdditionalInfo["round"] != "1" {
			t.Fatalf("%s: %+v, want CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE round 1", op, in)
		}
		a.must(&in, map[string]any{"step": op + ": a wrong code", "op": "confirmSignIn", "code": "000000x"})
		if in.IsSignedIn || in.NextStep != "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE" || in.AdditionalInfo["round"] != "1" {
			t.Fatalf("%s, wrong code: %+v, want round 1 again", op, in)
		}
		for round := 1; round <= cognitotest.SecretCodeRounds; round++ {
			a.must(&in, map[string]any{"step": op + ": the code", "op": "confirmSignIn", "code": sc.Code(user)})
			if last := round == cognitotest.SecretCodeRounds; in.IsSignedIn != last {
				t.Fatalf("%s, round %d: %+v", op, round, in)
			}
		}
		var s amplifySession
		a.must(&s, map[string]any{"step": op + ": session", "op": "session"})
		if s.Claims.Access["username"] != user || s.Claims.ID["cognito:username"] != user {
			t.Fatalf("%s: session claims %+v", op, s.Claims)
		}
		a.must(nil, map[string]any{"step": op + ": signOut", "op": "signOut"})
	}
	if got := len(sc.Sessions); got == 0 || len(sc.Sessions[len(sc.Sessions)-1]) < 2 ||
		sc.Sessions[len(sc.Sessions)-1][1].ChallengeName != "PASSWORD_VERIFIER" {
		t.Errorf("CUSTOM_WITH_SRP: DefineAuthChallenge never saw the proven password")
	}
}
