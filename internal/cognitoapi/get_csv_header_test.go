package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestGetCSVHeader(t *testing.T) {
	t.Parallel()
	standard := []string{"name", "given_name", "family_name", "middle_name", "nickname",
		"preferred_username", "profile", "picture", "website", "email", "email_verified", "gender",
		"birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at"}
	plain := cognitotest.NewServer(t)
	custom := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.Schema = append(in.Schema, types.SchemaAttributeType{
			Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
		})
	}))
	tests := []struct {
		name     string
		server   *cognitotest.Server
		poolID   string
		want     []string
		wantCode string
	}{
		{name: "standard attributes", server: plain, poolID: plain.PoolID,
			want: append(append([]string{}, standard...), "cognito:mfa_enabled", "cognito:username")},
		{name: "with a custom attribute", server: custom, poolID: custom.PoolID,
			want: append(append([]string{}, standard...), "custom:legacy_id", "cognito:mfa_enabled", "cognito:username")},
		{name: "unknown pool", server: plain, poolID: "us-east-1_nope", wantCode: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.server.API.GetCSVHeader(t.Context(), &cip.GetCSVHeaderInput{UserPoolId: aws.String(tt.poolID)})
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			if aws.ToString(out.UserPoolId) != tt.poolID {
				t.Errorf("UserPoolId = %q, want %q", aws.ToString(out.UserPoolId), tt.poolID)
			}
			if diff := cmp.Diff(tt.want, out.CSVHeader); diff != "" {
				t.Errorf("CSVHeader (-want +got):\n%s", diff)
			}
		})
	}
}
