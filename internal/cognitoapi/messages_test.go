package cognitoapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// lastMessage returns the newest outbox message of a user.
func lastMessage(t *testing.T, s *cognitotest.Server, username string) *userpool.Message {
	t.Helper()
	msgs, err := s.Service.Store().ListMessages(context.Background(), s.PoolID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Username == username {
			return msgs[i]
		}
	}
	t.Fatalf("no outbox message for %s", username)
	return nil
}

func TestMessageTemplates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	signUp := func(t *testing.T, s *cognitotest.Server, name string) *userpool.Message {
		t.Helper()
		if _, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(name), Password: aws.String("Passw0rd!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}}); err != nil {
			t.Fatal(err)
		}
		return lastMessage(t, s, name)
	}
	auto := func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}

	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, cognitotest.WithPool(auto))
		m := signUp(t, s, "dora")
		if want := "Your verification code is " + m.Code + "."; m.Body != want || m.Subject != "Your verification code" {
			t.Errorf("body %q subject %q, want %q", m.Body, m.Subject, want)
		}
		d, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
		if err != nil {
			t.Fatal(err)
		}
		vt := d.UserPool.VerificationMessageTemplate
		if vt == nil || vt.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode {
			t.Errorf("VerificationMessageTemplate = %+v", vt)
		}
		if ec := d.UserPool.EmailConfiguration; ec == nil || ec.EmailSendingAccount != types.EmailSendingAccountTypeCognitoDefault {
			t.Errorf("EmailConfiguration = %+v", ec)
		}
	})
	t.Run("VerificationMessageTemplate", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, cognitotest.WithPool(auto), cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.VerificationMessageTemplate = &types.VerificationMessageTemplateType{
				EmailSubject: aws.String("Welcome to Acme"), EmailMessage: aws.String("Hi {username}, your Acme code: {####}")}
		}))
		m := signUp(t, s, "ella")
		if want := "Hi ella, your Acme code: " + m.Code; m.Body != want || m.Subject != "Welcome to Acme" {
			t.Errorf("body %q subject %q, want %q", m.Body, m.Subject, want)
		}
		d, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.UserPool.EmailVerificationSubject) != "Welcome to Acme" {
			t.Errorf("EmailVerificationSubject = %q", aws.ToString(d.UserPool.EmailVerificationSubject))
		}
	})
	t.Run("EmailVerificationMessage", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, cognitotest.WithPool(auto), cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.EmailVerificationMessage = aws.String("Code {####}")
			in.EmailVerificationSubject = aws.String("Your Acme code")
		}))
		m := signUp(t, s, "fay")
		if m.Body != "Code "+m.Code || m.Subject != "Your Acme code" {
			t.Errorf("body %q subject %q", m.Body, m.Subject)
		}
	})
	t.Run("InviteMessageTemplate", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.AdminCreateUserConfig = &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
				EmailSubject: aws.String("Join Acme"), EmailMessage: aws.String("Sign in as {username} with {####}")}}
		}))
		if _, err := s.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("gus"),
			UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("gus@example.com")}},
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}}); err != nil {
			t.Fatal(err)
		}
		m := lastMessage(t, s, "gus")
		if m.Body != "Sign in as gus with "+m.Code || m.Subject != "Join Acme" {
			t.Errorf("body %q subject %q", m.Body, m.Subject)
		}
	})
	t.Run("template without the code", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t)
		_, err := s.API.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad"),
			VerificationMessageTemplate: &types.VerificationMessageTemplateType{EmailMessage: aws.String("no code here")}})
		if code := apiCode(t, err); code != "InvalidParameterException" {
			t.Errorf("code = %s (%v)", code, err)
		}
	})
}
