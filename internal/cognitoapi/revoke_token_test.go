package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true }))
	noRevoke, err := s.API.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.PoolID),
		ClientName: aws.String("no-revoke"), EnableTokenRevocation: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.API.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID)})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(d.UserPoolClient.ClientSecret)
	tests := []struct {
		name, token, client, secret, wantCode string
	}{
		{name: "access token is not revocable", token: "a.b.c", client: s.ClientID, secret: secret, wantCode: "UnsupportedTokenTypeException"},
		{name: "wrong client secret", token: "opaque", client: s.ClientID, secret: "nope", wantCode: "UnauthorizedException"},
		{name: "revocation disabled", token: "opaque", client: aws.ToString(noRevoke.UserPoolClient.ClientId), wantCode: "UnsupportedOperationException"},
		{name: "unknown client", token: "opaque", client: "nosuchclient", wantCode: "UnauthorizedException"},
		{name: "unknown token succeeds", token: "opaque", client: s.ClientID, secret: secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &cip.RevokeTokenInput{Token: aws.String(tt.token), ClientId: aws.String(tt.client)}
			if tt.secret != "" {
				in.ClientSecret = aws.String(tt.secret)
			}
			_, err := s.API.RevokeToken(t.Context(), in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
		})
	}
}
