package cognitoapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
)

func TestRespondToPasswordVerifier(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	start := func(t *testing.T) (*srp.Client, map[string]string) {
		c, err := srp.NewClient(srp.PoolName(s.PoolID), "Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		ch, err := s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
			AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": c.SRPA()}})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Session != nil {
			t.Errorf("PASSWORD_VERIFIER came with a Session; Cognito sends none")
		}
		return c, ch.ChallengeParameters
	}
	respond := func(t *testing.T, r map[string]string) error {
		_, err := s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
			ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: r})
		return err
	}
	claim := func(t *testing.T, c *srp.Client, p map[string]string, now time.Time) map[string]string {
		ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], now)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}
	}
	tests := []struct {
		name     string
		mutate   func(r map[string]string)
		twice    bool
		wantCode string
	}{
		{name: "valid claim"},
		{name: "replayed secret block", twice: true, wantCode: "NotAuthorizedException"},
		{name: "unparsable timestamp", mutate: func(r map[string]string) { r["TIMESTAMP"] = "Tue Jul 10 24:01:00 UTC 2018" }, wantCode: "InvalidParameterException"},
		{name: "zero-padded day fails the signature", mutate: func(r map[string]string) {
			r["TIMESTAMP"] = time.Date(2024, 2, 3, 9, 5, 7, 0, time.UTC).Format("Mon Jan 02 15:04:05 MST 2006")
		}, wantCode: "NotAuthorizedException"},
		{name: "unknown secret block", mutate: func(r map[string]string) { r["PASSWORD_CLAIM_SECRET_BLOCK"] = "c2VjcmV0" }, wantCode: "NotAuthorizedException"},
		{name: "other user", mutate: func(r map[string]string) { r["USERNAME"] = "bob" }, wantCode: "NotAuthorizedException"},
		{name: "missing signature", mutate: func(r map[string]string) { delete(r, "PASSWORD_CLAIM_SIGNATURE") }, wantCode: "InvalidParameterException"},
	}
	s.CreateUser(t, "bob", "Passw0rd!")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, p := start(t)
			r := claim(t, c, p, time.Now())
			if tt.mutate != nil {
				tt.mutate(r)
			}
			err := respond(t, r)
			if tt.twice {
				if err != nil {
					t.Fatal(err)
				}
				err = respond(t, r)
			}
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
		})
	}
}

func TestRespondToNewPasswordRequiredSession(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	if _, err := s.API.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String("kim"), TemporaryPassword: aws.String("Temp-pass1"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	_, err := s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aws.String("forged-session-value-0123456789"),
		ChallengeResponses: map[string]string{"USERNAME": "kim", "NEW_PASSWORD": "N3w-Password!"}})
	if apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("forged session: %v", err)
	}
	_, err = s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
		ChallengeName: types.ChallengeNameTypeDeviceSrpAuth, ChallengeResponses: map[string]string{"USERNAME": "kim"}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Fatalf("unsupported challenge: %v", err)
	}
}
