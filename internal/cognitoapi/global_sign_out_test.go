package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestGlobalSignOut(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	ctx := t.Context()
	a, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AuthenticationResult.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.AccessToken})
	if apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != "Access Token has been revoked" {
		t.Errorf("access token after sign-out: %v", err)
	}
	_, err = s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(a.AuthenticationResult.RefreshToken)}})
	if apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("refresh after sign-out: %v", err)
	}
	// A new sign-in right after works, even within the same second.
	b, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: b.AuthenticationResult.AccessToken}); err != nil {
		t.Errorf("new access token: %v", err)
	}
	_, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("not.a.token")})
	if apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != "Invalid Access Token" {
		t.Errorf("garbage token: %v", err)
	}
}
