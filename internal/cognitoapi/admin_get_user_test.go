package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestAdminGetUserLookups(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername}
		in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
	}))
	s.CreateUser(t, "Alice", "Passw0rd!", "email", "Alice@Example.com", "email_verified", "true", "preferred_username", "ally")
	s.CreateUser(t, "bob", "Passw0rd!", "email", "bob@example.com") // unverified: no alias
	tests := []struct {
		name, lookup, want string
	}{
		{name: "username", lookup: "Alice", want: "Alice"},
		{name: "username, other case", lookup: "ALICE", want: "Alice"},
		{name: "verified email alias", lookup: "alice@example.com", want: "Alice"},
		{name: "preferred_username alias", lookup: "Ally", want: "Alice"},
		{name: "unverified email is no alias", lookup: "bob@example.com"},
		{name: "nobody", lookup: "carol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := s.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String(tt.lookup)})
			if tt.want == "" {
				if apiCode(t, err) != "UserNotFoundException" || apiMessage(err) != "User does not exist." {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(u.Username) != tt.want || u.UserCreateDate == nil || !u.Enabled {
				t.Errorf("user = %+v", u)
			}
		})
	}
	if _, err := s.SignIn(t.Context(), "alice@example.com", "Passw0rd!"); err != nil {
		t.Errorf("sign-in by alias: %v", err)
	}
}
