package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

const preSignUpARN = "arn:aws:lambda:us-east-1:000000000000:function:screen-sign-up"

// customisedPool sets many settings away from their defaults, so that an
// attach that reset any of them would show.
func customisedPool(in *cip.CreateUserPoolInput) {
	in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(12),
		RequireLowercase: true, RequireNumbers: true, TemporaryPasswordValidityDays: 3}}
	in.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String(preSignUpARN)}
	in.MfaConfiguration = types.UserPoolMfaTypeOff
	in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	in.DeletionProtection = types.DeletionProtectionTypeActive
	in.UserPoolTags = map[string]string{"team": "identity", "cost-centre": "42"}
	in.AdminCreateUserConfig = &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}
	in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
		{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}}
	in.VerificationMessageTemplate = &types.VerificationMessageTemplateType{DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithCode,
		EmailMessage: aws.String("Your code is {####}"), EmailSubject: aws.String("Your code")}
	in.DeviceConfiguration = &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}
	in.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{
		AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
}

func TestAttach(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(customisedPool))
	describe := func() *types.UserPoolType {
		t.Helper()
		out, err := srv.API.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(srv.PoolID)})
		if err != nil {
			t.Fatal(err)
		}
		return out.UserPool
	}
	run := func(args ...string) string {
		t.Helper()
		out, _, err := ferryRun(t, "", append([]string{"attach", "--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL}, args...)...)
		if err != nil {
			t.Fatalf("attach %v: %v\n%s", args, err, out)
		}
		return out
	}
	// settings is what attach must leave alone.
	settings := func(p *types.UserPoolType) types.UserPoolType {
		c := *p
		c.LastModifiedDate = nil
		lc := *c.LambdaConfig
		lc.UserMigration = nil
		c.LambdaConfig = &lc
		return c
	}
	before := describe()
	steps := []struct {
		name    string
		args    []string
		want    string
		trigger string
	}{
		{name: "attach", args: []string{"--function-arn", testFunctionARN + ":live"},
			want: "LambdaConfig.UserMigration: (none) -> " + testFunctionARN + ":live", trigger: testFunctionARN + ":live"},
		{name: "attach again", args: []string{"--function-arn", testFunctionARN + ":live"},
			want: "UserMigration already " + testFunctionARN + ":live; nothing changed", trigger: testFunctionARN + ":live"},
		{name: "move to another function", args: []string{"--function-arn", testFunctionARN},
			want: "LambdaConfig.UserMigration: " + testFunctionARN + ":live -> " + testFunctionARN, trigger: testFunctionARN},
		{name: "detach", args: []string{"--detach"}, want: "LambdaConfig.UserMigration: " + testFunctionARN + " -> (none)"},
		{name: "detach again", args: []string{"--detach"}, want: "UserMigration already (none); nothing changed"},
	}
	for _, st := range steps {
		out := run(st.args...)
		if !strings.Contains(out, st.want) {
			t.Errorf("%s: output lacks %q:\n%s", st.name, st.want, out)
		}
		after := describe()
		if got := aws.ToString(after.LambdaConfig.UserMigration); got != st.trigger {
			t.Errorf("%s: UserMigration = %q, want %q", st.name, got, st.trigger)
		}
		if diff := cmp.Diff(settings(before), settings(after), ignoreUnexported); diff != "" {
			t.Errorf("%s: other settings changed (-before +after):\n%s", st.name, diff)
		}
	}
	// Spot checks that the settings compared above are the customised ones.
	final := describe()
	if aws.ToInt32(final.Policies.PasswordPolicy.MinimumLength) != 12 || aws.ToString(final.LambdaConfig.PreSignUp) != preSignUpARN ||
		final.UserPoolTags["team"] != "identity" || final.DeletionProtection != types.DeletionProtectionTypeActive ||
		!final.AdminCreateUserConfig.AllowAdminCreateUserOnly || final.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Errorf("customised settings lost: %+v", final)
	}
}

func TestAttachFlags(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "neither ARN nor detach", args: []string{"--user-pool-id", srv.PoolID}, want: "--function-arn is required"},
		{name: "both", args: []string{"--user-pool-id", srv.PoolID, "--function-arn", testFunctionARN, "--detach"}, want: "not both"},
		{name: "not an ARN", args: []string{"--user-pool-id", srv.PoolID, "--function-arn", "ferry-migrate"}, want: "is not a Lambda function ARN"},
		{name: "no pool", args: []string{"--function-arn", testFunctionARN}, want: "--user-pool-id is required"},
		{name: "unknown pool", args: []string{"--user-pool-id", "us-east-1_nothere", "--function-arn", testFunctionARN}, want: "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", append([]string{"attach", "--endpoint-url", srv.URL}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q\n%s", err, tc.want, out)
			}
		})
	}
}

func TestUpdateInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pool  types.UserPoolType
		check func(*cip.UpdateUserPoolInput) bool
	}{
		{name: "template wins over the older message fields",
			pool: types.UserPoolType{EmailVerificationMessage: aws.String("old {####}"),
				VerificationMessageTemplate: &types.VerificationMessageTemplateType{EmailMessage: aws.String("new {####}")}},
			check: func(in *cip.UpdateUserPoolInput) bool {
				return in.EmailVerificationMessage == nil && aws.ToString(in.VerificationMessageTemplate.EmailMessage) == "new {####}"
			}},
		{name: "older message fields kept without a template",
			pool:  types.UserPoolType{EmailVerificationMessage: aws.String("old {####}"), SmsVerificationMessage: aws.String("sms {####}")},
			check: func(in *cip.UpdateUserPoolInput) bool { return aws.ToString(in.SmsVerificationMessage) == "sms {####}" }},
		{name: "deprecated validity days dropped next to the policy's",
			pool: types.UserPoolType{AdminCreateUserConfig: &types.AdminCreateUserConfigType{UnusedAccountValidityDays: 7, AllowAdminCreateUserOnly: true},
				Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{TemporaryPasswordValidityDays: 7}}},
			check: func(in *cip.UpdateUserPoolInput) bool {
				return in.AdminCreateUserConfig.UnusedAccountValidityDays == 0 && in.AdminCreateUserConfig.AllowAdminCreateUserOnly
			}},
		{name: "every trigger slot copied",
			pool: types.UserPoolType{LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String("a"), PostConfirmation: aws.String("b"),
				CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String("c")}, KMSKeyID: aws.String("k")}},
			check: func(in *cip.UpdateUserPoolInput) bool {
				lc := in.LambdaConfig
				return aws.ToString(lc.PreSignUp) == "a" && aws.ToString(lc.PostConfirmation) == "b" &&
					aws.ToString(lc.CustomEmailSender.LambdaArn) == "c" && aws.ToString(lc.KMSKeyID) == "k"
			}},
		{name: "no trigger config", pool: types.UserPoolType{},
			check: func(in *cip.UpdateUserPoolInput) bool { return in.LambdaConfig != nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if in := updateInput(&tc.pool); !tc.check(in) {
				t.Errorf("update input = %+v", in)
			}
		})
	}
}

// lossyAPI forwards to a real pool but sends UpdateUserPool without the
// password policy, as a careless update would.
type lossyAPI struct{ *cip.Client }

func (l lossyAPI) UpdateUserPool(ctx context.Context, in *cip.UpdateUserPoolInput, opts ...func(*cip.Options)) (*cip.UpdateUserPoolOutput, error) {
	c := *in
	c.Policies = nil
	return l.Client.UpdateUserPool(ctx, &c, opts...)
}

func TestAttachReportsDrift(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(customisedPool))
	var out strings.Builder
	err := attach(t.Context(), &out, lossyAPI{srv.API}, srv.PoolID, testFunctionARN)
	if !errors.Is(err, errPoolDrift) {
		t.Fatalf("err = %v, want errPoolDrift\n%s", err, out.String())
	}
	// The update reset the policy to Cognito's default; the report shows it.
	if !strings.Contains(out.String(), "MinimumLength") || !strings.Contains(out.String(), "further changes") {
		t.Errorf("output does not show the reset policy:\n%s", out.String())
	}
}
