package cognitotest_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestNewServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []cognitotest.Option
	}{
		{name: "memory"},
		{name: "sqlite", opts: []cognitotest.Option{cognitotest.WithSQLite()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := cognitotest.NewServer(t, tt.opts...)
			s.CreateUser(t, "alice", "Passw0rd!", "email", "alice@example.com")
			out, err := s.SignIn(t.Context(), "alice", "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.API.GetUser(t.Context(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
				t.Fatal(err)
			}
			list, err := s.API.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID), Filter: aws.String(`email = "alice@example.com"`)})
			if err != nil || len(list.Users) != 1 {
				t.Fatalf("ListUsers = %v, %v", list, err)
			}
		})
	}
}
