package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func attrValue(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
	}))
	s.CreateUser(t, "alice", "Passw0rd!", "email", "alice@example.com", "email_verified", "true")
	s.CreateUser(t, "bob", "Passw0rd!", "email", "bob@example.com", "email_verified", "true")
	ctx := t.Context()
	update := func(user string, kv ...string) error {
		var at []types.AttributeType
		for i := 0; i+1 < len(kv); i += 2 {
			at = append(at, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := s.API.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(s.PoolID),
			Username: aws.String(user), UserAttributes: at})
		return err
	}
	if err := update("alice", "email", "alice@new.example.com"); err != nil {
		t.Fatal(err)
	}
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if attrValue(u.UserAttributes, "email") != "alice@new.example.com" || attrValue(u.UserAttributes, "email_verified") != "false" {
		t.Errorf("a changed email stays verified: %+v", u.UserAttributes)
	}
	tests := []struct {
		name, user string
		kv         []string
		wantCode   string
	}{
		{name: "verified email taken by another user", user: "alice", kv: []string{"email", "bob@example.com", "email_verified", "true"}, wantCode: "AliasExistsException"},
		{name: "sub is immutable", user: "alice", kv: []string{"sub", "x"}, wantCode: "InvalidParameterException"},
		{name: "unknown attribute", user: "alice", kv: []string{"favourite", "x"}, wantCode: "InvalidParameterException"},
		{name: "unknown user", user: "zed", kv: []string{"name", "Zed"}, wantCode: "UserNotFoundException"},
		{name: "plain attribute", user: "bob", kv: []string{"name", "Bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiCode(t, update(tt.user, tt.kv...)); got != tt.wantCode {
				t.Fatalf("code = %q, want %q", got, tt.wantCode)
			}
		})
	}
}
