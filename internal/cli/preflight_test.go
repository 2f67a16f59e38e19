package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/preflight"
)

const testFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate"

// preflightConfig is a configuration the readyPool satisfies: Django's
// email, names and ID (as custom:legacy_id), addresses taken as verified,
// failures answered empty.
const preflightConfig = `sources:
  - name: django
    type: sql
    config:
      preset: django
      driver: postgres
      dsn: "postgres://ferry@127.0.0.1:1/none"
      attributes: {id: "custom:legacy_id"}
migration:
  username_case: lower
  pool_case_sensitive: false
  lookup: username
  assume_email_verified: true
trigger:
  failure_style: empty
`

func readyPool(in *cip.CreateUserPoolInput) {
	in.LambdaConfig = &types.LambdaConfigType{UserMigration: aws.String(testFunctionARN)}
	in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
	in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
		{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}}
	in.Schema = []types.SchemaAttributeType{{Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString}}
}

func readyClient(in *cip.CreateUserPoolClientInput) {
	in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(cfg, []byte(preflightConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	ready := cognitotest.NewServer(t, cognitotest.WithPool(readyPool), cognitotest.WithClient(readyClient))
	bare := cognitotest.NewServer(t)
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr error
	}{
		{name: "ready pool", args: []string{"--user-pool-id", ready.PoolID, "--endpoint-url", ready.URL, "--config", cfg, "--function-arn", testFunctionARN},
			want: []string{"pool " + ready.PoolID + " (test-pool), 1 app client(s)",
				"NOTE     auth-flows [test-client (" + ready.ClientID + ")]: the client also allows ALLOW_USER_SRP_AUTH", "0 blocker(s), 0 warning(s), 1 note(s)"}},
		{name: "ready pool, another function", args: []string{"--user-pool-id", ready.PoolID, "--endpoint-url", ready.URL, "--config", cfg,
			"--function-arn", "arn:aws:lambda:us-east-1:000000000000:function:other"},
			want: []string{"BLOCKER  trigger: the UserMigration trigger is " + testFunctionARN, "1 blocker(s), 0 warning(s), 1 note(s)"}, wantErr: errBlockers},
		{name: "bare pool", args: []string{"--user-pool-id", bare.PoolID, "--endpoint-url", bare.URL, "--config", cfg},
			want: []string{"BLOCKER  trigger:", "BLOCKER  attributes: attribute \"custom:legacy_id\"", "WARNING  user-existence [test-client (",
				"BLOCKER  case-sensitivity:", "BLOCKER  one-user-per-account: migration.pool_case_sensitive is false but the pool is case-sensitive", "fix: ferry attach --user-pool-id " + bare.PoolID}, wantErr: errBlockers},
		{name: "bare pool without config", args: []string{"--user-pool-id", bare.PoolID, "--endpoint-url", bare.URL},
			want: []string{"BLOCKER  trigger:"}, wantErr: errBlockers},
		{name: "no pool ID", args: []string{"--endpoint-url", bare.URL}},
		{name: "unknown pool", args: []string{"--user-pool-id", "us-east-1_nothere", "--endpoint-url", bare.URL}, wantErr: preflight.ErrPool},
		{name: "bad config", args: []string{"--user-pool-id", bare.PoolID, "--endpoint-url", bare.URL, "--config", filepath.Join(t.TempDir(), "none.yaml")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", append([]string{"preflight"}, tc.args...)...)
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v, want %v\n%s", err, tc.wantErr, out)
			case tc.wantErr == nil && tc.want == nil && err == nil:
				t.Fatalf("no error\n%s", out)
			case tc.wantErr == nil && tc.want != nil && err != nil:
				t.Fatalf("err = %v\n%s", err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPreflightJSON(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(readyPool), cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}
	}))
	out, _, err := ferryRun(t, "", "preflight", "--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL, "--json")
	if !errors.Is(err, errBlockers) {
		t.Fatalf("err = %v, want blockers", err)
	}
	var r preflight.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a report: %v\n%s", err, out)
	}
	var flows *preflight.Finding
	for i, f := range r.Findings {
		if f.Check == preflight.CheckFlows {
			flows = &r.Findings[i]
		}
	}
	if r.PoolID != srv.PoolID || flows == nil || flows.Severity != preflight.Blocker || !strings.Contains(flows.Problem, "SRP-only") ||
		!strings.Contains(flows.Client, srv.ClientID) {
		t.Errorf("report = %+v", r)
	}
}
