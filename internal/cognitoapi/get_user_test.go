package cognitoapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestGetUserTokenRules(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := cognitotest.NewServer(t, withClock(c))
	s.CreateUser(t, "alice", "Passw0rd!", "email", "alice@example.com")
	other := cognitotest.NewServer(t)
	ctx := t.Context()
	a, err := s.SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.Username) != "alice" || attrValue(u.UserAttributes, "email") != "alice@example.com" || attrValue(u.UserAttributes, "sub") == "" {
		t.Errorf("GetUser = %+v", u)
	}
	// Another server's token (another key, another issuer) is refused.
	_, err = other.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.AccessToken})
	if apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("foreign token: %v", err)
	}
	// An id token is not an access token.
	_, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.IdToken})
	if apiCode(t, err) != "NotAuthorizedException" {
		t.Errorf("id token as access token: %v", err)
	}
	c.advance(time.Hour + time.Second)
	_, err = s.API.GetUser(ctx, &cip.GetUserInput{AccessToken: a.AuthenticationResult.AccessToken})
	if apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != "Access Token has expired" {
		t.Errorf("expired token: %v", err)
	}
}
