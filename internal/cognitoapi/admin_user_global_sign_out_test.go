package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestAdminUserGlobalSignOut(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	s.CreateUser(t, "bob", "Passw0rd!")
	ctx := t.Context()
	a, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignIn(ctx, "bob", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.AccessToken}); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("alice's token after sign-out: %v", err)
	}
	if _, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: b.AuthenticationResult.AccessToken}); err != nil {
		t.Errorf("bob's token: %v", err)
	}
	_, err = s.API.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("ghost")})
	if apiCode(t, err) != "UserNotFoundException" {
		t.Errorf("unknown user: %v", err)
	}
}
