package cognitoapi_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestAdminCreateUserNewPasswordRequired(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	out, err := s.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("kim"),
		TemporaryPassword: aws.String("Temp-pass1"), DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("kim@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.User.UserStatus != types.UserStatusTypeForceChangePassword || !out.User.Enabled || aws.ToString(out.User.Attributes[0].Name) != "sub" {
		t.Fatalf("User = %+v", out.User)
	}
	if code := lastCode(t, s, "kim"); code != "Temp-pass1" {
		t.Errorf("invitation carries %q", code)
	}
	_, err = s.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("kim")})
	if apiCode(t, err) != "UsernameExistsException" || apiMessage(err) != "User account already exists" {
		t.Errorf("duplicate: %v", err)
	}

	ch, err := s.SignIn(ctx, "kim", "Temp-pass1")
	if err != nil {
		t.Fatal(err)
	}
	if ch.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || len(aws.ToString(ch.Session)) < 20 {
		t.Fatalf("challenge = %s session %q", ch.ChallengeName, aws.ToString(ch.Session))
	}
	var required []string
	if err := json.Unmarshal([]byte(ch.ChallengeParameters["requiredAttributes"]), &required); err != nil {
		t.Errorf("requiredAttributes %q: %v", ch.ChallengeParameters["requiredAttributes"], err)
	}
	var attrs map[string]string
	if err := json.Unmarshal([]byte(ch.ChallengeParameters["userAttributes"]), &attrs); err != nil || attrs["email"] != "kim@example.com" {
		t.Errorf("userAttributes %q: %v", ch.ChallengeParameters["userAttributes"], err)
	}
	_, err = s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "kim", "NEW_PASSWORD": "weak"}})
	if apiCode(t, err) != "InvalidPasswordException" {
		t.Errorf("weak new password: %v", err)
	}
	res, err := s.API.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(s.PoolID),
		ClientId: aws.String(s.ClientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "kim", "NEW_PASSWORD": "N3w-Password!", "userAttributes.name": "Kim"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthenticationResult == nil || aws.ToString(res.AuthenticationResult.IdToken) == "" {
		t.Fatalf("no tokens: %+v", res)
	}
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("kim")})
	if err != nil || u.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("after new password: %v %v", u, err)
	}
	if _, err := s.SignIn(ctx, "kim", "N3w-Password!"); err != nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
}

func TestAdminCreateUserValidation(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
	}))
	tests := []struct {
		name     string
		in       cip.AdminCreateUserInput
		wantCode string
	}{
		{name: "email-shaped username in an email-alias pool", in: cip.AdminCreateUserInput{Username: aws.String("x@example.com")}, wantCode: "InvalidParameterException"},
		{name: "weak temporary password", in: cip.AdminCreateUserInput{Username: aws.String("weak"), TemporaryPassword: aws.String("abc")}, wantCode: "InvalidPasswordException"},
		{name: "unknown attribute", in: cip.AdminCreateUserInput{Username: aws.String("odd"),
			UserAttributes: []types.AttributeType{{Name: aws.String("nickname2"), Value: aws.String("x")}}}, wantCode: "InvalidParameterException"},
		{name: "resend for a missing user", in: cip.AdminCreateUserInput{Username: aws.String("ghost"), MessageAction: types.MessageActionTypeResend}, wantCode: "UserNotFoundException"},
		{name: "generated temporary password", in: cip.AdminCreateUserInput{Username: aws.String("gen")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.UserPoolId = aws.String(s.PoolID)
			_, err := s.API.AdminCreateUser(t.Context(), &in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
		})
	}
}
