package cognitoapi_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
)

// apiCode returns the Cognito exception name of err ("" for nil).
func apiCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.ErrorCode()
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestInitiateAuthUserPassword(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!", "email", "alice@example.com", "email_verified", "true")
	s.API.AdminDisableUser(t.Context(), &cip.AdminDisableUserInput{}) // missing members: refused, nothing changes

	tests := []struct {
		name     string
		username string
		password string
		wantCode string
		wantMsg  string
	}{
		{name: "right password", username: "alice", password: "Passw0rd!"},
		{name: "wrong password", username: "alice", password: "nope", wantCode: "NotAuthorizedException", wantMsg: "Incorrect username or password."},
		{name: "unknown user", username: "bob", password: "Passw0rd!", wantCode: "UserNotFoundException", wantMsg: "User does not exist."},
		{name: "case-sensitive by default", username: "Alice", password: "Passw0rd!", wantCode: "UserNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := s.SignIn(t.Context(), tt.username, tt.password)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if tt.wantMsg != "" && apiMessage(err) != tt.wantMsg {
				t.Errorf("message = %q, want %q", apiMessage(err), tt.wantMsg)
			}
			if err != nil {
				return
			}
			r := out.AuthenticationResult
			if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || aws.ToString(r.RefreshToken) == "" {
				t.Fatalf("AuthenticationResult = %+v, want three tokens", r)
			}
			if r.ExpiresIn != 3600 || aws.ToString(r.TokenType) != "Bearer" {
				t.Errorf("ExpiresIn, TokenType = %d, %q; want 3600, Bearer", r.ExpiresIn, aws.ToString(r.TokenType))
			}
			u, err := s.API.GetUser(t.Context(), &cip.GetUserInput{AccessToken: r.AccessToken})
			if err != nil {
				t.Fatalf("GetUser: %v", err)
			}
			if aws.ToString(u.Username) != "alice" {
				t.Errorf("GetUser Username = %q", aws.ToString(u.Username))
			}
		})
	}
}

func TestInitiateAuthFlowNotEnabled(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = nil // defaults: SRP, refresh, custom
	}))
	s.CreateUser(t, "alice", "Passw0rd!")
	_, err := s.SignIn(t.Context(), "alice", "Passw0rd!")
	if apiCode(t, err) != "InvalidParameterException" || apiMessage(err) != "USER_PASSWORD_AUTH flow not enabled for this client" {
		t.Fatalf("err = %v", err)
	}
}

func TestInitiateAuthSRP(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")

	tests := []struct {
		name     string
		password string
		wantCode string
	}{
		{name: "right password", password: "Passw0rd!"},
		{name: "wrong password", password: "Wr0ng!pass", wantCode: "NotAuthorizedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := srp.NewClient(srp.PoolName(s.PoolID), tt.password)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
				AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": c.SRPA()}})
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			if ch.ChallengeName != types.ChallengeNameTypePasswordVerifier {
				t.Fatalf("ChallengeName = %q", ch.ChallengeName)
			}
			p := ch.ChallengeParameters
			ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(s.ClientID), ChallengeName: types.ChallengeNameTypePasswordVerifier,
				ChallengeResponses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
					"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}})
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil && aws.ToString(out.AuthenticationResult.AccessToken) == "" {
				t.Fatal("no access token")
			}
		})
	}
}

func TestInitiateAuthRefresh(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	first, err := s.SignIn(t.Context(), "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	rt := aws.ToString(first.AuthenticationResult.RefreshToken)
	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeRefreshTokenAuth, types.AuthFlowTypeRefreshToken} {
		out, err := s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
			AuthFlow: flow, AuthParameters: map[string]string{"REFRESH_TOKEN": rt}})
		if err != nil {
			t.Fatalf("%s: %v", flow, err)
		}
		if out.AuthenticationResult.RefreshToken != nil {
			t.Errorf("%s returned a refresh token", flow)
		}
	}
	if _, err := s.API.RevokeToken(t.Context(), &cip.RevokeTokenInput{ClientId: aws.String(s.ClientID), Token: aws.String(rt)}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": rt}})
	if apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("refresh after revoke: %v", err)
	}
	_, err = s.API.GetUser(t.Context(), &cip.GetUserInput{AccessToken: first.AuthenticationResult.AccessToken})
	if apiCode(t, err) != "NotAuthorizedException" || !strings.Contains(apiMessage(err), "revoked") {
		t.Fatalf("GetUser after revoke: %v", err)
	}
}
