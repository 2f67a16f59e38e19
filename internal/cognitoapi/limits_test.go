package cognitoapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestModelLimits: members longer than the cognito-idp service model
// allows are InvalidParameterException in Cognito's words, through
// aws-sdk-go-v2 (which checks only required members itself), naming the
// member but never echoing its value; at the limit they pass.
func TestModelLimits(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	long := func(n int) *string { return aws.String(strings.Repeat("ä", n)) }
	tests := []struct {
		name string
		call func() error
		want string // the message, "" for success
	}{
		{"password at 256", func() error {
			_, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("at-limit"), Password: aws.String("Aa1!" + strings.Repeat("x", 252))})
			return err
		}, ""},
		{"password of 257", func() error {
			_, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("over"), Password: long(257)})
			return err
		}, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"username of 129 characters, 258 bytes", func() error {
			_, err := s.API.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: long(129)})
			return err
		}, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"two members at once", func() error {
			_, err := s.API.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: long(56), Username: aws.String("x"), Password: long(300)})
			return err
		}, "2 validation errors detected: "},
		{"attribute value of 2049", func() error {
			_, err := s.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("attr"),
				UserAttributes: []types.AttributeType{{Name: aws.String("given_name"), Value: long(2049)}}})
			return err
		}, "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("at the limit: %v", err)
				}
				return
			}
			if apiCode(t, err) != "InvalidParameterException" || !strings.HasPrefix(apiMessage(err), tt.want) {
				t.Fatalf("got %v\nwant InvalidParameterException: %s", err, tt.want)
			}
			if strings.Contains(apiMessage(err), "ää") {
				t.Errorf("the message echoes the value: %s", apiMessage(err))
			}
		})
	}
}
