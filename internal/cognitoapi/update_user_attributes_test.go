package cognitoapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestUpdateUserAttributesVerification(t *testing.T) {
	t.Parallel()
	for _, keepOld := range []bool{false, true} {
		name := map[bool]string{false: "new value in force", true: "old value kept until verified"}[keepOld]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
				in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
				if keepOld {
					in.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{
						AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
				}
			}))
			ctx := t.Context()
			s.CreateUser(t, "ursula", "Passw0rd!", "email", "old@example.com", "email_verified", "true")
			a, err := s.SignIn(ctx, "ursula", "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			tok := a.AuthenticationResult.AccessToken
			out, err := s.API.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok,
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("new@example.com")},
					{Name: aws.String("name"), Value: aws.String("Ursula")}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.CodeDeliveryDetailsList) != 1 || aws.ToString(out.CodeDeliveryDetailsList[0].AttributeName) != "email" ||
				out.CodeDeliveryDetailsList[0].DeliveryMedium != types.DeliveryMediumTypeEmail {
				t.Fatalf("CodeDeliveryDetailsList = %+v", out.CodeDeliveryDetailsList)
			}
			got, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			wantEmail, wantVerified := "new@example.com", "false"
			if keepOld {
				wantEmail, wantVerified = "old@example.com", "true"
			}
			if e, v := attrValue(got.UserAttributes, "email"), attrValue(got.UserAttributes, "email_verified"); e != wantEmail || v != wantVerified {
				t.Errorf("before verifying: email=%q verified=%q, want %q %q", e, v, wantEmail, wantVerified)
			}
			if n := attrValue(got.UserAttributes, "name"); n != "Ursula" {
				t.Errorf("name = %q", n)
			}
			_, err = s.API.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tok, AttributeName: aws.String("email"), Code: aws.String("000000x")})
			if code := apiCode(t, err); code != "CodeMismatchException" {
				t.Errorf("wrong code: %s (%v)", code, err)
			}
			if _, err := s.API.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tok,
				AttributeName: aws.String("email"), Code: aws.String(lastCode(t, s, "ursula"))}); err != nil {
				t.Fatal(err)
			}
			got, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			if e, v := attrValue(got.UserAttributes, "email"), attrValue(got.UserAttributes, "email_verified"); e != "new@example.com" || v != "true" {
				t.Errorf("after verifying: email=%q verified=%q", e, v)
			}
		})
	}
}

func TestProfileOperations(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	ctx := t.Context()
	pool := aws.String(s.PoolID)
	s.CreateUser(t, "paula", "Passw0rd!", "email", "paula@example.com", "email_verified", "true", "name", "Paula", "nickname", "P")
	a, err := s.SignIn(ctx, "paula", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	tok := a.AuthenticationResult.AccessToken

	t.Run("verified flags are not the user's to write", func(t *testing.T) {
		_, err := s.API.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok,
			UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}}})
		if code := apiCode(t, err); code != "NotAuthorizedException" {
			t.Errorf("code = %s (%v)", code, err)
		}
	})
	t.Run("GetUserAttributeVerificationCode", func(t *testing.T) {
		out, err := s.API.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: tok, AttributeName: aws.String("email")})
		if err != nil {
			t.Fatal(err)
		}
		if d := out.CodeDeliveryDetails; d == nil || !strings.Contains(aws.ToString(d.Destination), "***") {
			t.Errorf("CodeDeliveryDetails = %+v", d)
		}
		_, err = s.API.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: tok, AttributeName: aws.String("name")})
		if code := apiCode(t, err); code != "InvalidParameterException" {
			t.Errorf("name: code = %s", code)
		}
	})
	t.Run("DeleteUserAttributes", func(t *testing.T) {
		if _, err := s.API.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: tok, UserAttributeNames: []string{"nickname"}}); err != nil {
			t.Fatal(err)
		}
		_, err := s.API.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: tok, UserAttributeNames: []string{"custom:nope"}})
		if code := apiCode(t, err); code != "InvalidParameterException" {
			t.Errorf("unknown attribute: code = %s", code)
		}
		if _, err := s.API.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool,
			Username: aws.String("paula"), UserAttributeNames: []string{"name"}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("paula")})
		if err != nil {
			t.Fatal(err)
		}
		if attrValue(got.UserAttributes, "nickname") != "" || attrValue(got.UserAttributes, "name") != "" {
			t.Errorf("attributes still there: %+v", got.UserAttributes)
		}
	})
	t.Run("AdminResetUserPassword", func(t *testing.T) {
		if _, err := s.API.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: pool, Username: aws.String("paula")}); err != nil {
			t.Fatal(err)
		}
		_, err := s.SignIn(ctx, "paula", "Passw0rd!")
		if code := apiCode(t, err); code != "PasswordResetRequiredException" {
			t.Errorf("sign-in after reset: %s (%v)", code, err)
		}
		if _, err := s.API.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.ClientID),
			Username: aws.String("paula"), ConfirmationCode: aws.String(lastCode(t, s, "paula")), Password: aws.String("N3w-Passw0rd!")}); err != nil {
			t.Fatal(err)
		}
		a, err := s.SignIn(ctx, "paula", "N3w-Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		tok = a.AuthenticationResult.AccessToken
	})
	t.Run("DeleteUser", func(t *testing.T) {
		if _, err := s.API.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tok}); err != nil {
			t.Fatal(err)
		}
		_, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("paula")})
		if code := apiCode(t, err); code != "UserNotFoundException" {
			t.Errorf("after DeleteUser: %s", code)
		}
		_, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
		if code := apiCode(t, err); code != "NotAuthorizedException" && code != "UserNotFoundException" {
			t.Errorf("token after DeleteUser: %s", code)
		}
	})
}

func TestAddCustomAttributes(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	pool := aws.String(s.PoolID)
	if _, err := s.API.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: pool,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	_, err := s.API.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: pool,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString}}})
	if code := apiCode(t, err); code != "InvalidParameterException" {
		t.Errorf("again: %s (%v)", code, err)
	}
	s.CreateUser(t, "lee", "Passw0rd!", "custom:legacy_id", "42")
	got, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("lee")})
	if err != nil {
		t.Fatal(err)
	}
	if v := attrValue(got.UserAttributes, "custom:legacy_id"); v != "42" {
		t.Errorf("custom:legacy_id = %q", v)
	}
	d, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range d.UserPool.SchemaAttributes {
		found = found || aws.ToString(a.Name) == "custom:legacy_id"
	}
	if !found {
		t.Error("DescribeUserPool lacks custom:legacy_id")
	}
}
