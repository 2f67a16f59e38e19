package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// lastCode returns the code of the newest outbox message of a user.
func lastCode(t *testing.T, s *cognitotest.Server, username string) string {
	t.Helper()
	return outboxCode(t, s, s.PoolID, username)
}

func TestSignUpAndConfirm(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	ctx := t.Context()
	attrs := []types.AttributeType{{Name: aws.String("email"), Value: aws.String("jane@example.com")}}
	out, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"),
		Password: aws.String("Passw0rd!"), UserAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserConfirmed || aws.ToString(out.UserSub) == "" || out.CodeDeliveryDetails == nil ||
		aws.ToString(out.CodeDeliveryDetails.Destination) != "j***@e***" || out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("SignUp = %+v %+v", out, out.CodeDeliveryDetails)
	}
	_, err = s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"), Password: aws.String("Passw0rd!")})
	if apiCode(t, err) != "UsernameExistsException" {
		t.Errorf("duplicate: %v", err)
	}
	_, err = s.SignIn(ctx, "jane", "Passw0rd!")
	if apiCode(t, err) != "UserNotConfirmedException" {
		t.Errorf("unconfirmed sign-in: %v", err)
	}
	_, err = s.SignIn(ctx, "jane", "wrong")
	if apiCode(t, err) != "UserNotConfirmedException" {
		t.Errorf("unconfirmed sign-in with a wrong password: %v (Cognito checks confirmation first)", err)
	}
	if _, err := s.API.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"), ConfirmationCode: aws.String("000000x")})
	if apiCode(t, err) != "CodeMismatchException" {
		t.Errorf("wrong code: %v", err)
	}
	code := lastCode(t, s, "jane")
	if _, err := s.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("jane")})
	if err != nil {
		t.Fatal(err)
	}
	verified := ""
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "email_verified" {
			verified = aws.ToString(a.Value)
		}
	}
	if u.UserStatus != types.UserStatusTypeConfirmed || verified != "true" {
		t.Errorf("after confirmation: %s, email_verified %q", u.UserStatus, verified)
	}
	if _, err := s.SignIn(ctx, "jane", "Passw0rd!"); err != nil {
		t.Errorf("sign-in after confirmation: %v", err)
	}
}

func TestSignUpPasswordPolicy(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	tests := []struct {
		name, password, wantMsg string
	}{
		{name: "too short", password: "Ab1!", wantMsg: "Password did not conform with password policy: Password not long enough"},
		{name: "no upper case", password: "passw0rd!", wantMsg: "Password did not conform with password policy: Password must have uppercase characters"},
		{name: "no lower case", password: "PASSW0RD!", wantMsg: "Password did not conform with password policy: Password must have lowercase characters"},
		{name: "no number", password: "Password!", wantMsg: "Password did not conform with password policy: Password must have numeric characters"},
		{name: "no symbol", password: "Passw0rdd", wantMsg: "Password did not conform with password policy: Password must have symbol characters"},
		{name: "fine", password: "Passw0rd!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.API.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.ClientID),
				Username: aws.String("u-" + tt.name[:3] + tt.password), Password: aws.String(tt.password)})
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if apiCode(t, err) != "InvalidPasswordException" || apiMessage(err) != tt.wantMsg {
				t.Fatalf("err = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

func TestSignUpSchema(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}
		in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
	}))
	tests := []struct {
		name     string
		username string
		attrs    map[string]string
		wantCode string
	}{
		{name: "custom attribute", username: "a@example.com", attrs: map[string]string{"custom:tenant": "acme"}},
		{name: "custom attribute without prefix", username: "b@example.com", attrs: map[string]string{"tenant": "acme"}, wantCode: "InvalidParameterException"},
		{name: "unknown attribute", username: "c@example.com", attrs: map[string]string{"shoe_size": "9"}, wantCode: "InvalidParameterException"},
		{name: "username must be an email", username: "dave", wantCode: "InvalidParameterException"},
		{name: "bad phone", username: "e@example.com", attrs: map[string]string{"phone_number": "555-1234"}, wantCode: "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var attrs []types.AttributeType
			for k, v := range tt.attrs {
				attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
			}
			out, err := s.API.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(tt.username),
				Password: aws.String("Passw0rd!"), UserAttributes: attrs})
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			// Email-as-username: the username is the sub, the email still finds the user.
			u, err := s.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String(tt.username)})
			if err != nil || aws.ToString(u.Username) != aws.ToString(out.UserSub) {
				t.Fatalf("AdminGetUser by email = %v, %v; want username = sub %s", u, err, aws.ToString(out.UserSub))
			}
		})
	}
}
