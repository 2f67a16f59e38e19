package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	ctx := t.Context()
	a, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tok := a.AuthenticationResult.AccessToken
	tests := []struct {
		name, prev, next, wantCode string
	}{
		{name: "wrong previous password", prev: "nope", next: "N3w-Password!", wantCode: "NotAuthorizedException"},
		{name: "weak new password", prev: "Passw0rd!", next: "weak", wantCode: "InvalidPasswordException"},
		{name: "changed", prev: "Passw0rd!", next: "N3w-Password!"},
	}
	for _, tt := range tests {
		_, err := s.API.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok, PreviousPassword: aws.String(tt.prev), ProposedPassword: aws.String(tt.next)})
		if got := apiCode(t, err); got != tt.wantCode {
			t.Fatalf("%s: code = %q, want %q (%v)", tt.name, got, tt.wantCode, err)
		}
	}
	if _, err := s.SignIn(ctx, "alice", "N3w-Password!"); err != nil {
		t.Errorf("new password: %v", err)
	}
}
