package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestAdminInitiateAuth(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	s.CreateUser(t, "alice", "Passw0rd!")
	other, err := s.API.CreateUserPool(t.Context(), &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pool     string
		flow     types.AuthFlowType
		wantCode string
	}{
		{name: "admin password flow", pool: s.PoolID, flow: types.AuthFlowTypeAdminUserPasswordAuth},
		{name: "legacy admin flow name", pool: s.PoolID, flow: types.AuthFlowTypeAdminNoSrpAuth},
		{name: "user flow is not an admin flow", pool: s.PoolID, flow: types.AuthFlowTypeUserPasswordAuth, wantCode: "InvalidParameterException"},
		{name: "client of another pool", pool: aws.ToString(other.UserPool.Id), flow: types.AuthFlowTypeAdminUserPasswordAuth, wantCode: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := s.API.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(tt.pool),
				ClientId: aws.String(s.ClientID), AuthFlow: tt.flow,
				AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil && aws.ToString(out.AuthenticationResult.AccessToken) == "" {
				t.Fatal("no tokens")
			}
		})
	}
	_, err = s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("admin flow on InitiateAuth: %v", err)
	}
}
