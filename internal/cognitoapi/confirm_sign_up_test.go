package cognitoapi_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// clock is a settable clock for the service.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func withClock(c *clock) cognitotest.Option {
	return cognitotest.WithConfig(func(cfg *userpool.Config) { cfg.Now = c.now })
}

func TestConfirmSignUpCodeRules(t *testing.T) {
	t.Parallel()
	signUp := func(t *testing.T, s *cognitotest.Server, name string) {
		t.Helper()
		if _, err := s.API.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(name),
			Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}}); err != nil {
			t.Fatal(err)
		}
	}
	confirm := func(t *testing.T, s *cognitotest.Server, name, code string) error {
		_, err := s.API.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(name), ConfirmationCode: aws.String(code)})
		return err
	}
	autoVerify := cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	})

	t.Run("expired after 24 hours", func(t *testing.T) {
		t.Parallel()
		c := newClock()
		s := cognitotest.NewServer(t, autoVerify, withClock(c))
		signUp(t, s, "jane")
		c.advance(24*time.Hour + time.Second)
		if err := confirm(t, s, "jane", lastCode(t, s, "jane")); apiCode(t, err) != "ExpiredCodeException" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("too many failed attempts", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, autoVerify)
		signUp(t, s, "jane")
		for range 5 {
			if err := confirm(t, s, "jane", "bad"); apiCode(t, err) != "CodeMismatchException" {
				t.Fatalf("err = %v", err)
			}
		}
		if err := confirm(t, s, "jane", lastCode(t, s, "jane")); apiCode(t, err) != "TooManyFailedAttemptsException" {
			t.Fatalf("the right code after 5 failures: %v", err)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, autoVerify)
		if err := confirm(t, s, "ghost", "123456"); apiCode(t, err) != "UserNotFoundException" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("admin confirmation", func(t *testing.T) {
		t.Parallel()
		s := cognitotest.NewServer(t, autoVerify)
		signUp(t, s, "jane")
		if _, err := s.API.AdminConfirmSignUp(t.Context(), &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("jane")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignIn(t.Context(), "jane", "Passw0rd!"); err != nil {
			t.Fatalf("sign-in after admin confirmation: %v", err)
		}
	})
}

func TestConfirmSignUpAliasConflict(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	ctx := t.Context()
	s.CreateUser(t, "bob", "Passw0rd!", "email", "shared@example.com", "email_verified", "true")
	if _, err := s.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("shared@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	code := lastCode(t, s, "jane")
	confirm := func(force bool) error {
		_, err := s.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"),
			ConfirmationCode: aws.String(code), ForceAliasCreation: force})
		return err
	}
	if err := confirm(false); apiCode(t, err) != "AliasExistsException" {
		t.Fatalf("without ForceAliasCreation: %v", err)
	}
	if err := confirm(true); err != nil {
		t.Fatalf("with ForceAliasCreation: %v", err)
	}
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("shared@example.com")})
	if err != nil || aws.ToString(u.Username) != "jane" {
		t.Fatalf("the alias resolves to %v, %v; want jane", u, err)
	}
	bob, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String("bob")})
	if err != nil || attrValue(bob.UserAttributes, "email_verified") != "false" {
		t.Fatalf("bob keeps a verified alias: %v, %v", bob, err)
	}
}
