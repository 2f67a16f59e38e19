package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
)

func TestGetTokensFromRefreshToken(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "mia", "Passw0rd!x", "email", "mia@example.com")
	signIn, err := s.SignIn(t.Context(), "mia", "Passw0rd!x")
	if err != nil {
		t.Fatal(err)
	}
	refresh := aws.ToString(signIn.AuthenticationResult.RefreshToken)

	out, err := s.API.GetTokensFromRefreshToken(t.Context(), &cip.GetTokensFromRefreshTokenInput{
		ClientId: aws.String(s.ClientID), RefreshToken: aws.String(refresh)})
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	r := out.AuthenticationResult
	if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || r.ExpiresIn != 3600 || aws.ToString(r.TokenType) != "Bearer" {
		t.Fatalf("AuthenticationResult = %+v", r)
	}
	if r.RefreshToken != nil {
		t.Errorf("RefreshToken = %q, want none without rotation", aws.ToString(r.RefreshToken))
	}
	if u, err := s.API.GetUser(t.Context(), &cip.GetUserInput{AccessToken: r.AccessToken}); err != nil || aws.ToString(u.Username) != "mia" {
		t.Fatalf("GetUser with the refreshed token: %v", err)
	}

	secretClient, err := s.API.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.PoolID),
		ClientName: aws.String("secret"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	sc := secretClient.UserPoolClient
	hash := srp.SecretHash(aws.ToString(sc.ClientId), aws.ToString(sc.ClientSecret), "mia")
	adm, err := s.API.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(s.PoolID), ClientId: sc.ClientId,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "mia", "PASSWORD": "Passw0rd!x", "SECRET_HASH": hash}})
	if err != nil {
		t.Fatal(err)
	}
	secretRefresh := aws.ToString(adm.AuthenticationResult.RefreshToken)
	if _, err := s.API.GetTokensFromRefreshToken(t.Context(), &cip.GetTokensFromRefreshTokenInput{ClientId: sc.ClientId,
		ClientSecret: sc.ClientSecret, RefreshToken: aws.String(secretRefresh)}); err != nil {
		t.Fatalf("with the client secret: %v", err)
	}

	tests := []struct {
		name, client, secret, token, wantCode string
	}{
		{name: "missing token", client: s.ClientID, wantCode: "InvalidParameterException"},
		{name: "unknown token", client: s.ClientID, token: "opaque", wantCode: "NotAuthorizedException"},
		{name: "token of another client", client: aws.ToString(sc.ClientId), secret: aws.ToString(sc.ClientSecret), token: refresh, wantCode: "NotAuthorizedException"},
		{name: "missing client secret", client: aws.ToString(sc.ClientId), token: secretRefresh, wantCode: "NotAuthorizedException"},
		{name: "wrong client secret", client: aws.ToString(sc.ClientId), secret: "wrong", token: secretRefresh, wantCode: "NotAuthorizedException"},
		{name: "unknown client", client: "nosuchclient", token: refresh, wantCode: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(tt.client), RefreshToken: aws.String(tt.token)}
			if tt.secret != "" {
				in.ClientSecret = aws.String(tt.secret)
			}
			_, err := s.API.GetTokensFromRefreshToken(t.Context(), in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
		})
	}

	// A global sign-out revokes the refresh token.
	if _, err := s.API.GlobalSignOut(t.Context(), &cip.GlobalSignOutInput{AccessToken: r.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.GetTokensFromRefreshToken(t.Context(), &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(s.ClientID), RefreshToken: aws.String(refresh)})
	if got := apiCode(t, err); got != "NotAuthorizedException" {
		t.Fatalf("after GlobalSignOut: code = %q, want NotAuthorizedException", got)
	}
}
