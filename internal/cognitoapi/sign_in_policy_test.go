package cognitoapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// TestSignInPolicy: CreateUserPool and UpdateUserPool check
// Policies.SignInPolicy.AllowedFirstAuthFactors, and DescribeUserPool
// shows what was stored (here through the SQLite store).
func TestSignInPolicy(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithSQLite())
	f := func(v ...types.AuthFactorType) *types.UserPoolPolicyType {
		return &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: v}}
	}
	for _, tt := range []struct {
		name     string
		in       cip.CreateUserPoolInput
		wantCode string
		wantMsg  string
	}{
		{name: "password and codes", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"), EmailConfiguration: sesEmail}},
		{name: "password only on LITE", in: cip.CreateUserPoolInput{Policies: f("PASSWORD"), UserPoolTier: types.UserPoolTierTypeLite}},
		{name: "passwordless", in: cip.CreateUserPoolInput{Policies: f("EMAIL_OTP"), EmailConfiguration: sesEmail}},
		{name: "empty", in: cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{}}}},
			wantCode: "InvalidParameterException", wantMsg: "length greater than or equal to 1"},
		{name: "five factors", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "PASSWORD"), EmailConfiguration: sesEmail},
			wantCode: "InvalidParameterException", wantMsg: "length less than or equal to 4"},
		{name: "twice", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "SMS_OTP", "SMS_OTP")},
			wantCode: "InvalidParameterException", wantMsg: "SMS_OTP twice"},
		{name: "not a factor", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "SOFTWARE_TOKEN")},
			wantCode: "InvalidParameterException", wantMsg: "enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]"},
		{name: "EMAIL_OTP with Cognito default email", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "EMAIL_OTP")},
			wantCode: "InvalidParameterException", wantMsg: "EmailSendingAccount to DEVELOPER"},
		{name: "passwordless on LITE", in: cip.CreateUserPoolInput{Policies: f("PASSWORD", "SMS_OTP"), UserPoolTier: types.UserPoolTierTypeLite},
			wantCode: "FeatureUnavailableInTierException", wantMsg: "LITE feature plan"},
		{name: "unknown tier", in: cip.CreateUserPoolInput{UserPoolTier: "GOLD"},
			wantCode: "InvalidParameterException", wantMsg: "userPoolTier"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.PoolName = aws.String("policy-" + strings.ReplaceAll(tt.name, " ", "-"))
			out, err := s.API.CreateUserPool(t.Context(), &in)
			if got := apiCode(t, err); got != tt.wantCode || tt.wantCode != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("CreateUserPool: %v, want %q containing %q", err, tt.wantCode, tt.wantMsg)
			}
			if err != nil {
				return
			}
			d, err := s.API.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: out.UserPool.Id})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.in.Policies.SignInPolicy.AllowedFirstAuthFactors
			if got := d.UserPool.Policies.SignInPolicy; got == nil || !slices.Equal(got.AllowedFirstAuthFactors, want) {
				t.Errorf("DescribeUserPool SignInPolicy = %+v, want %v", got, want)
			}
		})
	}
	// UpdateUserPool checks the same rules.
	_, err := s.API.UpdateUserPool(t.Context(), &cip.UpdateUserPoolInput{UserPoolId: aws.String(s.PoolID), Policies: f("SMS_OTP", "SMS_OTP")})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("UpdateUserPool naming SMS_OTP twice: %v", err)
	}
	if _, err := s.API.UpdateUserPool(t.Context(), &cip.UpdateUserPoolInput{UserPoolId: aws.String(s.PoolID),
		Policies: f("PASSWORD", "EMAIL_OTP"), EmailConfiguration: sesEmail}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	d, err := s.API.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil || !slices.Equal(d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors, []types.AuthFactorType{"PASSWORD", "EMAIL_OTP"}) {
		t.Fatalf("after UpdateUserPool: %v %+v", err, d.UserPool.Policies)
	}
}
