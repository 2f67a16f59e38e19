package cognitoapi_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

var poolIDRE = regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`)

func TestCreateUserPool(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	tests := []struct {
		name     string
		in       *cip.CreateUserPoolInput
		wantCode string
		check    func(t *testing.T, p *types.UserPoolType)
	}{
		{name: "defaults", in: &cip.CreateUserPoolInput{PoolName: aws.String("plain")}, check: func(t *testing.T, p *types.UserPoolType) {
			pp := p.Policies.PasswordPolicy
			if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireSymbols || !pp.RequireUppercase || pp.TemporaryPasswordValidityDays != 7 {
				t.Errorf("password policy = %+v", pp)
			}
			if p.MfaConfiguration != types.UserPoolMfaTypeOff || p.UsernameConfiguration != nil {
				t.Errorf("mfa %s, username configuration %+v", p.MfaConfiguration, p.UsernameConfiguration)
			}
			if !poolIDRE.MatchString(aws.ToString(p.Id)) {
				t.Errorf("pool id %q", aws.ToString(p.Id))
			}
			if aws.ToString(p.Arn) != "arn:aws:cognito-idp:us-east-1:000000000000:userpool/"+aws.ToString(p.Id) {
				t.Errorf("arn %q", aws.ToString(p.Arn))
			}
			if len(p.SchemaAttributes) < 20 || aws.ToString(p.SchemaAttributes[0].Name) != "sub" {
				t.Errorf("schema has %d attributes", len(p.SchemaAttributes))
			}
		}},
		{name: "custom attribute gets its prefix", in: &cip.CreateUserPoolInput{PoolName: aws.String("custom"),
			Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}},
			check: func(t *testing.T, p *types.UserPoolType) {
				last := p.SchemaAttributes[len(p.SchemaAttributes)-1]
				if aws.ToString(last.Name) != "custom:tenant" || !aws.ToBool(last.Mutable) {
					t.Errorf("last schema attribute = %s mutable %v", aws.ToString(last.Name), aws.ToBool(last.Mutable))
				}
			}},
		{name: "settings echoed", in: &cip.CreateUserPoolInput{PoolName: aws.String("full"),
			AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
			LambdaConfig:           &types.LambdaConfigType{UserMigration: aws.String("arn:aws:lambda:us-east-1:1:function:m")},
			UserPoolTags:           map[string]string{"team": "identity"}},
			check: func(t *testing.T, p *types.UserPoolType) {
				if len(p.AliasAttributes) != 1 || aws.ToBool(p.UsernameConfiguration.CaseSensitive) ||
					aws.ToString(p.LambdaConfig.UserMigration) == "" || p.UserPoolTags["team"] != "identity" {
					t.Errorf("pool = %+v", p)
				}
			}},
		{name: "both alias and username attributes", in: &cip.CreateUserPoolInput{PoolName: aws.String("both"),
			AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}}, wantCode: "InvalidParameterException"},
		{name: "bad name", in: &cip.CreateUserPoolInput{PoolName: aws.String("no/slashes")}, wantCode: "InvalidParameterException"},
		{name: "short minimum length", in: &cip.CreateUserPoolInput{PoolName: aws.String("weak"),
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(4)}}}, wantCode: "InvalidParameterException"},
		{name: "missing name", in: &cip.CreateUserPoolInput{}, wantCode: "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := s.API.CreateUserPool(t.Context(), tt.in)
			if tt.name == "missing name" {
				// The SDK validates required members itself; send it raw.
				_, raw := post(t, s.URL, "AWSCognitoIdentityProviderService.CreateUserPool", `{}`, nil)
				if raw["__type"] != tt.wantCode {
					t.Fatalf("raw: %v", raw)
				}
				return
			}
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, out.UserPool)
			}
		})
	}
}
