package cognitoapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestCognitoAnswers(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	t.Run("malformed pool id", func(t *testing.T) {
		_, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("not-a-pool-id")})
		if code := apiCode(t, err); code != "InvalidParameterException" {
			t.Errorf("code = %s (%v)", code, err)
		}
		_, err = s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_missing12")})
		if code := apiCode(t, err); code != "ResourceNotFoundException" {
			t.Errorf("well-formed unknown id: %s", code)
		}
	})
	t.Run("unknown user confirming a code", func(t *testing.T) {
		_, err := s.API.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("ghost"), ConfirmationCode: aws.String("123456")})
		if code, msg := apiCode(t, err), apiMessage(err); code != "UserNotFoundException" || msg != "Username/client id combination not found." {
			t.Errorf("ConfirmSignUp: %s %q", code, msg)
		}
		_, err = s.API.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String("ghost"),
			ConfirmationCode: aws.String("123456"), Password: aws.String("Passw0rd!")})
		if code, msg := apiCode(t, err), apiMessage(err); code != "UserNotFoundException" || msg != "Username/client id combination not found." {
			t.Errorf("ConfirmForgotPassword: %s %q", code, msg)
		}
	})
	t.Run("unimplemented and misspelt operations", func(t *testing.T) {
		resp, body := post(t, s.URL, "AWSCognitoIdentityProviderService.AdminLinkProviderForUser", "{}", nil)
		if resp.StatusCode != 400 || body["__type"] != "UnsupportedOperationException" ||
			body["message"] != "AdminLinkProviderForUser is a Cognito operation that this local pool does not implement." {
			t.Errorf("unimplemented: %d %v", resp.StatusCode, body)
		}
		_, body = post(t, s.URL, "AWSCognitoIdentityProviderService.AdminLinkProviderForUsr", "{}", nil)
		if body["__type"] != "UnknownOperationException" {
			t.Errorf("misspelt: %v", body)
		}
	})
	t.Run("unknown paths and discovery", func(t *testing.T) {
		for _, path := range []string{"/nowhere", "/" + s.PoolID + "/oauth2/token"} {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				req, _ := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: %d, want 404", method, path, resp.StatusCode)
				}
			}
		}
		resp, err := http.Get(s.URL + "/" + s.PoolID + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint"} {
			if _, ok := doc[k]; ok {
				t.Errorf("discovery advertises %s, which this server does not serve", k)
			}
		}
		if doc["jwks_uri"] == nil || doc["issuer"] == nil {
			t.Errorf("discovery document = %s", raw)
		}
	})
}
