package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	for _, prevent := range []bool{false, true} {
		t.Run(map[bool]string{false: "legacy", true: "existence errors prevented"}[prevent], func(t *testing.T) {
			t.Parallel()
			s := cognitotest.NewServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
				if prevent {
					in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
				}
			}))
			s.CreateUser(t, "alice", "Passw0rd!", "email", "alice@example.com", "email_verified", "true")
			s.CreateUser(t, "bob", "Passw0rd!", "email", "bob@example.com")
			ctx := t.Context()
			forgot := func(u string) (*cip.ForgotPasswordOutput, error) {
				return s.API.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String(u)})
			}
			out, err := forgot("alice")
			if err != nil || aws.ToString(out.CodeDeliveryDetails.Destination) != "a***@e***" {
				t.Fatalf("ForgotPassword = %+v, %v", out, err)
			}
			_, err = forgot("ghost")
			if prevent && err != nil || !prevent && apiMessage(err) != "Username/client id combination not found." {
				t.Errorf("unknown user: %v", err)
			}
			_, err = forgot("bob")
			if prevent && err != nil || !prevent && apiCode(t, err) != "InvalidParameterException" {
				t.Errorf("user without a verified channel: %v", err)
			}
			confirm := func(code, pw string) error {
				_, err := s.API.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.ClientID),
					Username: aws.String("alice"), ConfirmationCode: aws.String(code), Password: aws.String(pw)})
				return err
			}
			if err := confirm("999999x", "N3w-Password!"); apiCode(t, err) != "CodeMismatchException" {
				t.Errorf("wrong code: %v", err)
			}
			if err := confirm(lastCode(t, s, "alice"), "N3w-Password!"); err != nil {
				t.Fatal(err)
			}
			if err := confirm(lastCode(t, s, "alice"), "Other-Passw0rd!"); apiCode(t, err) != "ExpiredCodeException" {
				t.Errorf("code used twice: %v", err)
			}
			if _, err := s.SignIn(ctx, "alice", "N3w-Password!"); err != nil {
				t.Errorf("sign-in with the new password: %v", err)
			}
		})
	}
}
