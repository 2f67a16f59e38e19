package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestSignInAfterSignUp: on a client that allows USER_AUTH, SignUp and
// ConfirmSignUp return a Session, and InitiateAuth USER_AUTH with the
// user's name and ConfirmSignUp's Session answers tokens at once. The
// session answers once, for its own user only; SignUp's is spent by the
// confirmation; a client without USER_AUTH gets no Session.
func TestSignInAfterSignUp(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, withUserAuth, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	ctx := t.Context()
	signUp := func(name string) *cip.SignUpOutput {
		t.Helper()
		out, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(name),
			Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	withSession := func(name string, session *string) (*cip.InitiateAuthOutput, error) {
		return s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID), AuthFlow: types.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": name}, Session: session})
	}

	up := signUp("sam")
	if aws.ToString(up.Session) == "" {
		t.Fatalf("SignUp on a USER_AUTH client: %+v, want a Session", up)
	}
	if _, err := withSession("sam", up.Session); apiCode(t, err) != "UserNotConfirmedException" {
		t.Errorf("SignUp's session before confirmation: %v, want UserNotConfirmedException", err)
	}
	conf, err := s.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("sam"),
		ConfirmationCode: aws.String(lastCode(t, s, "sam")), Session: up.Session})
	if err != nil || aws.ToString(conf.Session) == "" {
		t.Fatalf("ConfirmSignUp: %v %+v, want a Session", err, conf)
	}
	if _, err := withSession("sam", up.Session); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("SignUp's session after confirmation: %v, want NotAuthorizedException (spent)", err)
	}
	other := signUp("kim")
	if _, err := withSession("kim", conf.Session); apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != "Invalid session for the user." {
		t.Errorf("another user's session: %v, want Invalid session for the user.", err)
	}
	in, err := withSession("sam", conf.Session)
	if err != nil || in.AuthenticationResult == nil || aws.ToString(in.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("USER_AUTH with ConfirmSignUp's session: %v %+v, want tokens", err, in)
	}
	if _, err := withSession("sam", conf.Session); apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("the session again: %v, want NotAuthorizedException", err)
	}
	if aws.ToString(other.Session) == "" {
		t.Fatal("second SignUp: no Session")
	}

	plain := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	out, err := plain.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(plain.ClientID), Username: aws.String("lee"),
		Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("lee@example.com")}}})
	if err != nil || out.Session != nil {
		t.Fatalf("SignUp without USER_AUTH: %v %+v, want no Session", err, out)
	}
	c, err := plain.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(plain.ClientID), Username: aws.String("lee"),
		ConfirmationCode: aws.String(lastCode(t, plain, "lee"))})
	if err != nil || c.Session != nil {
		t.Fatalf("ConfirmSignUp without USER_AUTH: %v %+v, want no Session", err, c)
	}
}
