package cognitoapi_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
)

var clientIDRE = regexp.MustCompile(`^[a-z0-9]{26}$`)

func TestCreateUserPoolClient(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	tests := []struct {
		name     string
		in       cip.CreateUserPoolClientInput
		wantCode string
		check    func(t *testing.T, c *types.UserPoolClientType)
	}{
		{name: "defaults", check: func(t *testing.T, c *types.UserPoolClientType) {
			if !clientIDRE.MatchString(aws.ToString(c.ClientId)) || c.ClientSecret != nil {
				t.Errorf("id %q secret %v", aws.ToString(c.ClientId), c.ClientSecret)
			}
			if c.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy || !aws.ToBool(c.EnableTokenRevocation) {
				t.Errorf("PreventUserExistenceErrors %s, EnableTokenRevocation %v", c.PreventUserExistenceErrors, aws.ToBool(c.EnableTokenRevocation))
			}
			if c.RefreshTokenValidity != 30 || len(c.ExplicitAuthFlows) != 3 || aws.ToInt32(c.AuthSessionValidity) != 3 {
				t.Errorf("client = %+v", c)
			}
		}},
		{name: "secret generated", in: cip.CreateUserPoolClientInput{GenerateSecret: true}, check: func(t *testing.T, c *types.UserPoolClientType) {
			if len(aws.ToString(c.ClientSecret)) < 24 {
				t.Errorf("secret %q", aws.ToString(c.ClientSecret))
			}
		}},
		{name: "mixed flow styles", in: cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeUserPasswordAuth}}, wantCode: "InvalidParameterException"},
		{name: "token validity out of range", in: cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(48)}, wantCode: "InvalidParameterException"},
		{name: "unknown pool", in: cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_missing12")}, wantCode: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = aws.String(s.PoolID)
			}
			in.ClientName = aws.String("app")
			out, err := s.API.CreateUserPoolClient(t.Context(), &in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil {
				tt.check(t, out.UserPoolClient)
			}
		})
	}
}

func TestClientSecretHash(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true }))
	s.CreateUser(t, "alice", "Passw0rd!")
	d, err := s.API.DescribeUserPoolClient(t.Context(), &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID)})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(d.UserPoolClient.ClientSecret)
	tests := []struct {
		name, hash, wantMsg string
	}{
		{name: "right hash", hash: srp.SecretHash(s.ClientID, secret, "alice")},
		{name: "missing", wantMsg: "Client " + s.ClientID + " is configured with secret but SECRET_HASH was not received"},
		{name: "wrong", hash: srp.SecretHash(s.ClientID, "other", "alice"), wantMsg: "Unable to verify secret hash for client " + s.ClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params := map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}
			if tt.hash != "" {
				params["SECRET_HASH"] = tt.hash
			}
			_, err := s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
				AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
			if tt.wantMsg == "" && err != nil || tt.wantMsg != "" && (apiCode(t, err) != "NotAuthorizedException" || apiMessage(err) != tt.wantMsg) {
				t.Fatalf("err = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}
