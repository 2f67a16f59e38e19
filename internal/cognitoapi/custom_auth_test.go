package cognitoapi_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestCustomAuthSecretCodeSDK drives CUSTOM_AUTH through aws-sdk-go-v2:
// InitiateAuth and AdminInitiateAuth, each answered round by round with
// RespondToAuthChallenge / AdminRespondToAuthChallenge until the tokens
// come, against a two-round secret-code challenge whose three triggers run
// in-process as Go functions of aws-lambda-go's event types.
func TestCustomAuthSecretCodeSDK(t *testing.T) {
	t.Parallel()
	sc := cognitotest.NewSecretCode()
	s := cognitotest.NewServer(t, cognitotest.WithSecretCode(sc))
	s.CreateUser(t, "alice", "Passw0rd!")
	ctx := t.Context()

	d, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if lc := d.UserPool.LambdaConfig; lc == nil || aws.ToString(lc.DefineAuthChallenge) != cognitotest.DefineAuthChallengeARN ||
		aws.ToString(lc.CreateAuthChallenge) != cognitotest.CreateAuthChallengeARN ||
		aws.ToString(lc.VerifyAuthChallengeResponse) != cognitotest.VerifyAuthChallengeARN {
		t.Errorf("DescribeUserPool LambdaConfig: %+v", d.UserPool.LambdaConfig)
	}

	out, err := s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "alice"}})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	name, session, params := out.ChallengeName, out.Session, out.ChallengeParameters
	for round := 1; name == types.ChallengeNameTypeCustomChallenge; round++ {
		if params["USERNAME"] != "alice" || params["round"] == "" || params["code"] != "" {
			t.Errorf("round %d challenge parameters: %v", round, params)
		}
		r, err := s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: name, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": sc.Code("alice")}})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if r.AuthenticationResult != nil {
			if round != cognitotest.SecretCodeRounds || r.AuthenticationResult.RefreshToken == nil {
				t.Errorf("tokens after round %d: %+v", round, r.AuthenticationResult)
			}
			if claims := cognitotest.Claims(t, aws.ToString(r.AuthenticationResult.IdToken)); claims["cognito:username"] != "alice" {
				t.Errorf("id token: %v", claims)
			}
		}
		name, session, params = r.ChallengeName, r.Session, r.ChallengeParameters
	}
	if name != "" {
		t.Errorf("sequence ended on %q", name)
	}

	// The same through the admin operations; a wrong code twice fails.
	admin, err := s.API.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(s.PoolID),
		ClientId: aws.String(s.ClientID), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "alice"}, ClientMetadata: map[string]string{"app": "admin"}})
	if err != nil || admin.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("AdminInitiateAuth: %+v, %v", admin, err)
	}
	session = admin.Session
	var code string
	for _, answer := range []string{"000000x", "111111x"} {
		r, err := s.API.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(s.PoolID),
			ClientId: aws.String(s.ClientID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": answer}})
		if err != nil {
			code = apiCode(t, err)
			break
		}
		session = r.Session
	}
	if code != "NotAuthorizedException" {
		t.Errorf("two wrong codes: %q, want NotAuthorizedException", code)
	}
}

// TestCustomAuthRefusedSDK: the exceptions a refused CUSTOM_AUTH answers.
func TestCustomAuthRefusedSDK(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	plain := cognitotest.NewServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
	}))
	plain.CreateUser(t, "alice", "Passw0rd!")
	sc := cognitotest.NewSecretCode()
	custom := cognitotest.NewServer(t, cognitotest.WithSecretCode(sc))
	custom.CreateUser(t, "alice", "Passw0rd!")
	noFlow := cognitotest.NewServer(t, cognitotest.WithSecretCode(cognitotest.NewSecretCode()), cognitotest.WithClient(
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH"}
		}))
	start := func(s *cognitotest.Server, user string) error {
		_, err := s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
			AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": user}})
		return err
	}
	for _, tc := range []struct {
		name, code, msg string
		err             error
	}{
		{"no trigger", "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool.", start(plain, "alice")},
		{"flow not allowed", "InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client", start(noFlow, "alice")},
		{"unknown user", "UserNotFoundException", "User does not exist.", start(custom, "nobody")},
		{"unknown session", "NotAuthorizedException", "Invalid session for the user.", func() error {
			_, err := custom.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(custom.ClientID),
				ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: aws.String("bm90LWEtc2Vzc2lvbg=="),
				ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": "123456"}})
			return err
		}()},
	} {
		var ae smithy.APIError
		if !errors.As(tc.err, &ae) || ae.ErrorCode() != tc.code || ae.ErrorMessage() != tc.msg {
			t.Errorf("%s: got %v, want %s %q", tc.name, tc.err, tc.code, tc.msg)
		}
	}
}
