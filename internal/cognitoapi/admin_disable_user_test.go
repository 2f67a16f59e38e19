package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestAdminDisableEnableDeleteUser(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	ctx := t.Context()
	pool, user := aws.String(s.PoolID), aws.String("alice")
	first, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: user}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SignIn(ctx, "alice", "Passw0rd!")
	if apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != "User is disabled." {
		t.Errorf("disabled sign-in: %v", err)
	}
	if _, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: first.AuthenticationResult.AccessToken}); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("access token of a disabled user: %v", err)
	}
	list, err := s.API.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`status = "Disabled"`)})
	if err != nil || len(list.Users) != 1 {
		t.Errorf("disabled users: %v, %v", list, err)
	}
	if _, err := s.API.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: pool, Username: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "alice", "Passw0rd!"); err != nil {
		t.Errorf("enabled sign-in: %v", err)
	}
	if _, err := s.API.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: pool, Username: user}); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("confirming a confirmed user: %v", err)
	}
	if _, err := s.API.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: user}); apiCode(t, err) != "UserNotFoundException" {
		t.Errorf("second delete: %v", err)
	}
}

func TestAdminSetUserPassword(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	ctx := t.Context()
	set := func(pw string, permanent bool) error {
		_, err := s.API.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(s.PoolID),
			Username: aws.String("alice"), Password: aws.String(pw), Permanent: permanent})
		return err
	}
	if err := set("short", true); apiCode(t, err) != "InvalidPasswordException" {
		t.Errorf("weak: %v", err)
	}
	if err := set("Temp0rary!", false); err != nil {
		t.Fatal(err)
	}
	out, err := s.SignIn(ctx, "alice", "Temp0rary!")
	if err != nil || out.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Errorf("temporary password: %v, %v", out, err)
	}
	if _, err := s.SignIn(ctx, "alice", "Passw0rd!"); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("old password: %v", err)
	}
}
