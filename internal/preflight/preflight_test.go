package preflight_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/preflight"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate"

// cleanPool is a pool with nothing to report for cleanExpect.
func cleanPool(in *cip.CreateUserPoolInput) {
	in.LambdaConfig = &types.LambdaConfigType{UserMigration: aws.String(fnARN)}
	in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
	in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
		{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}}
	in.Schema = []types.SchemaAttributeType{{Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString}}
}

// cleanClient allows the password flows only: every sign-in through it runs
// the trigger.
func cleanClient(in *cip.CreateUserPoolClientInput) {
	in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
		types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
}

func cleanExpect() preflight.Expectations {
	return preflight.Expectations{Known: true,
		Mapped:        []string{"custom:legacy_id", "email", "email_verified", "given_name"},
		Allowed:       migration.StandardAttributes,
		EmailVerified: true, UsernameCase: migration.FoldLower, FailureStyle: trigger.FailEmpty, PoolMode: migration.PoolUsername}
}

type found struct {
	Check    string
	Severity preflight.Severity
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pool     func(*cip.CreateUserPoolInput)
		client   func(*cip.CreateUserPoolClientInput)
		expect   func(*preflight.Expectations)
		function string
		want     []found
	}{
		{name: "clean pool", function: fnARN},
		{name: "clean pool, function named without ARN", function: "ferry-migrate"},
		{name: "no trigger", pool: func(in *cip.CreateUserPoolInput) { in.LambdaConfig = nil },
			want: []found{{preflight.CheckTrigger, preflight.Blocker}}},
		{name: "trigger names another function", function: "arn:aws:lambda:us-east-1:000000000000:function:other",
			want: []found{{preflight.CheckTrigger, preflight.Blocker}}},
		{name: "SRP-only client", client: func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		}, want: []found{{preflight.CheckFlows, preflight.Blocker}}},
		{name: "password and SRP flows", client: func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserSrpAuth)
		}, want: []found{{preflight.CheckFlows, preflight.Note}}},
		{name: "admin password flow is enough", client: func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		}},
		{name: "failure style error", expect: func(e *preflight.Expectations) { e.FailureStyle = trigger.FailError },
			want: []found{{preflight.CheckExistence, preflight.Warning}}},
		{name: "user existence errors shown", client: func(in *cip.CreateUserPoolClientInput) {
			in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesLegacy
		}, want: []found{{preflight.CheckExistence, preflight.Warning}, {preflight.CheckForgotOracle, preflight.Blocker}}},
		{name: "custom attribute missing from schema", pool: func(in *cip.CreateUserPoolInput) { in.Schema = nil },
			want: []found{{preflight.CheckAttributes, preflight.Blocker}}},
		{name: "attribute without custom prefix", expect: func(e *preflight.Expectations) {
			e.Mapped = append(e.Mapped, "department")
			e.Allowed = append(slices.Clone(e.Allowed), "department")
		}, want: []found{{preflight.CheckAttributes, preflight.Blocker}}},
		{name: "mapped attribute dropped by the allow-list", expect: func(e *preflight.Expectations) {
			e.Allowed = []string{"email", "email_verified"}
		}, want: []found{{preflight.CheckAttributes, preflight.Warning}}},
		{name: "required attribute not mapped", pool: func(in *cip.CreateUserPoolInput) {
			in.Schema = append(in.Schema, types.SchemaAttributeType{Name: aws.String("family_name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)})
		}, want: []found{{preflight.CheckRequired, preflight.Blocker}}},
		{name: "case-sensitive pool with lower-case lookup", pool: func(in *cip.CreateUserPoolInput) { in.UsernameConfiguration = nil },
			expect: func(e *preflight.Expectations) { e.PoolCaseSensitive = true },
			want:   []found{{preflight.CheckCase, preflight.Blocker}}},
		{name: "case-sensitive pool, a source folds case", pool: func(in *cip.CreateUserPoolInput) { in.UsernameConfiguration = nil },
			expect: func(e *preflight.Expectations) {
				e.PoolCaseSensitive, e.UsernameCase, e.SomeSourceFoldsCase = true, migration.FoldNone, true
			}, want: []found{{preflight.CheckCase, preflight.Blocker}}},
		{name: "case-sensitive pool, exact lookup", pool: func(in *cip.CreateUserPoolInput) { in.UsernameConfiguration = nil },
			expect: func(e *preflight.Expectations) { e.PoolCaseSensitive, e.UsernameCase = true, migration.FoldNone }},
		{name: "pool_case_sensitive left true for a case-insensitive pool", expect: func(e *preflight.Expectations) { e.PoolCaseSensitive = true },
			want: []found{{preflight.CheckIdentity, preflight.Blocker}}},
		{name: "pool_case_sensitive false for a case-sensitive pool", pool: func(in *cip.CreateUserPoolInput) { in.UsernameConfiguration = nil },
			want: []found{{preflight.CheckIdentity, preflight.Blocker}, {preflight.CheckCase, preflight.Blocker}}},
		{name: "username pool with email lookups", expect: func(e *preflight.Expectations) { e.EmailLookup = true },
			want: []found{{preflight.CheckIdentity, preflight.Blocker}}},
		{name: "alias pool with email lookups", pool: func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		}, expect: func(e *preflight.Expectations) { e.EmailLookup, e.PoolMode = true, migration.PoolAlias }},
		{name: "case-insensitive pool with exact lookup", expect: func(e *preflight.Expectations) { e.UsernameCase = migration.FoldNone },
			want: []found{{preflight.CheckCase, preflight.Warning}}},
		{name: "case-insensitive pool, sources fold case", expect: func(e *preflight.Expectations) {
			e.UsernameCase = migration.FoldNone
			e.SourcesFoldCase = true
		}},
		{name: "alias pool, username mode", pool: func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		}, want: []found{{preflight.CheckPoolMode, preflight.Blocker}}},
		{name: "alias pool, alias mode", pool: func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		}, expect: func(e *preflight.Expectations) { e.PoolMode = migration.PoolAlias }},
		{name: "email-as-username pool, alias mode", pool: func(in *cip.CreateUserPoolInput) {
			in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
		}, expect: func(e *preflight.Expectations) { e.PoolMode = migration.PoolAlias },
			want: []found{{preflight.CheckPoolMode, preflight.Blocker}}},
		{name: "no verified channel", expect: func(e *preflight.Expectations) { e.EmailVerified = false },
			want: []found{{preflight.CheckRecovery, preflight.Warning}}},
		{name: "no auto-verified attributes", pool: func(in *cip.CreateUserPoolInput) { in.AutoVerifiedAttributes = nil },
			want: []found{{preflight.CheckRecovery, preflight.Warning}}},
		{name: "admin-only recovery", pool: func(in *cip.CreateUserPoolInput) {
			in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
				{Name: types.RecoveryOptionNameTypeAdminOnly, Priority: aws.Int32(1)}}}
		}, want: []found{{preflight.CheckRecovery, preflight.Warning}}},
		{name: "recovery by phone only", pool: func(in *cip.CreateUserPoolInput) {
			in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
				{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(1)}}}
		}, want: []found{{preflight.CheckRecovery, preflight.Warning}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
				cleanPool(in)
				if tc.pool != nil {
					tc.pool(in)
				}
			}), cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
				cleanClient(in)
				if tc.client != nil {
					tc.client(in)
				}
			}))
			e := cleanExpect()
			if tc.expect != nil {
				tc.expect(&e)
			}
			r, err := preflight.Run(t.Context(), srv.API, srv.PoolID, preflight.Options{Expect: e, FunctionARN: tc.function})
			if err != nil {
				t.Fatal(err)
			}
			var got []found
			for _, f := range r.Findings {
				got = append(got, found{f.Check, f.Severity})
				if f.Problem == "" || f.Fix == "" {
					t.Errorf("finding without problem or fix: %+v", f)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%+v", diff, r.Findings)
			}
			wantBlockers := 0
			for _, w := range tc.want {
				if w.Severity == preflight.Blocker {
					wantBlockers++
				}
			}
			if r.Blockers() != wantBlockers {
				t.Errorf("Blockers() = %d, want %d", r.Blockers(), wantBlockers)
			}
			if r.PoolID != srv.PoolID || r.Clients != 1 || !strings.HasSuffix(r.PoolARN, "userpool/"+srv.PoolID) {
				t.Errorf("report header = %+v", r)
			}
		})
	}
}

func TestRunFlowsWithoutTrigger(t *testing.T) {
	t.Parallel()
	const (
		userPassword  = types.ExplicitAuthFlowsTypeAllowUserPasswordAuth
		adminPassword = types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth
		srp           = types.ExplicitAuthFlowsTypeAllowUserSrpAuth
		custom        = types.ExplicitAuthFlowsTypeAllowCustomAuth
		userAuth      = types.ExplicitAuthFlowsTypeAllowUserAuth
		refresh       = types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth
	)
	tests := []struct {
		name     string
		flows    []types.ExplicitAuthFlowsType
		severity preflight.Severity // of the one auth-flows finding; "" for none
		problem  []string           // in its Problem
	}{
		{name: "password flow only", flows: []types.ExplicitAuthFlowsType{userPassword, refresh}},
		{name: "admin password flow only", flows: []types.ExplicitAuthFlowsType{adminPassword}},
		{name: "password and SRP", flows: []types.ExplicitAuthFlowsType{userPassword, srp, refresh}, severity: preflight.Note,
			problem: []string{"also allows ALLOW_USER_SRP_AUTH:", "a sign-in with USER_SRP_AUTH never runs the UserMigration trigger"}},
		{name: "admin password with custom and choice-based", flows: []types.ExplicitAuthFlowsType{adminPassword, custom, userAuth}, severity: preflight.Note,
			problem: []string{"also allows ALLOW_CUSTOM_AUTH, ALLOW_USER_AUTH:", "CUSTOM_AUTH or USER_AUTH never runs"}},
		{name: "choice-based only", flows: []types.ExplicitAuthFlowsType{userAuth, refresh}, severity: preflight.Blocker,
			problem: []string{"neither ALLOW_USER_PASSWORD_AUTH nor ALLOW_ADMIN_USER_PASSWORD_AUTH", "(its USER_AUTH sign-ins never run it)", "only through forgot-password"}},
		{name: "custom only", flows: []types.ExplicitAuthFlowsType{custom}, severity: preflight.Blocker,
			problem: []string{"(its CUSTOM_AUTH sign-ins never run it)", "only through forgot-password"}},
		{name: "SRP and choice-based", flows: []types.ExplicitAuthFlowsType{srp, userAuth}, severity: preflight.Blocker,
			problem: []string{"SRP-only", "only through forgot-password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := cognitotest.NewServer(t, cognitotest.WithPool(cleanPool), cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
				cleanClient(in)
				in.ExplicitAuthFlows = tc.flows
			}))
			r, err := preflight.Run(t.Context(), srv.API, srv.PoolID, preflight.Options{Expect: cleanExpect(), FunctionARN: fnARN})
			if err != nil {
				t.Fatal(err)
			}
			var flows []preflight.Finding
			for _, f := range r.Findings {
				if f.Check == preflight.CheckFlows {
					flows = append(flows, f)
				} else {
					t.Errorf("unexpected finding %+v", f)
				}
			}
			if tc.severity == "" {
				if len(flows) != 0 {
					t.Errorf("auth-flows findings = %+v, want none", flows)
				}
				return
			}
			if len(flows) != 1 || flows[0].Severity != tc.severity || !strings.Contains(flows[0].Client, srv.ClientID) || flows[0].Fix == "" {
				t.Fatalf("auth-flows findings = %+v, want one %s for client %s", flows, tc.severity, srv.ClientID)
			}
			for _, w := range tc.problem {
				if !strings.Contains(flows[0].Problem, w) {
					t.Errorf("problem %q lacks %q", flows[0].Problem, w)
				}
			}
		})
	}
}

// TestCheckLegacyFlowNames checks Cognito's legacy flow names, which
// DescribeUserPoolClient still returns for clients made with them.
func TestCheckLegacyFlowNames(t *testing.T) {
	t.Parallel()
	pool := &types.UserPoolType{Id: aws.String("us-east-1_legacy")}
	client := func(flows ...types.ExplicitAuthFlowsType) []types.UserPoolClientType {
		return []types.UserPoolClientType{{ClientId: aws.String("c1"), ClientName: aws.String("legacy"), ExplicitAuthFlows: flows}}
	}
	flowFindings := func(fs []preflight.Finding) []found {
		var got []found
		for _, f := range fs {
			if f.Check == preflight.CheckFlows {
				got = append(got, found{f.Check, f.Severity})
			}
		}
		return got
	}
	if got := flowFindings(preflight.Check(pool, client(types.ExplicitAuthFlowsTypeAdminNoSrpAuth), preflight.Options{})); got != nil {
		t.Errorf("ADMIN_NO_SRP_AUTH: %+v, want none", got)
	}
	got := flowFindings(preflight.Check(pool, client(types.ExplicitAuthFlowsTypeUserPasswordAuth, types.ExplicitAuthFlowsTypeCustomAuthFlowOnly), preflight.Options{}))
	if diff := cmp.Diff([]found{{preflight.CheckFlows, preflight.Note}}, got); diff != "" {
		t.Errorf("USER_PASSWORD_AUTH + CUSTOM_AUTH_FLOW_ONLY (-want +got):\n%s", diff)
	}
	got = flowFindings(preflight.Check(pool, client(), preflight.Options{}))
	if diff := cmp.Diff([]found{{preflight.CheckFlows, preflight.Blocker}}, got); diff != "" {
		t.Errorf("no flows named (Cognito's defaults: SRP, custom, refresh) (-want +got):\n%s", diff)
	}
}

func TestRunSeveralClients(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(cleanPool), cognitotest.WithClient(cleanClient))
	if _, err := srv.API.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(srv.PoolID),
		ClientName: aws.String("mobile"), PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled}); err != nil {
		t.Fatal(err)
	}
	r, err := preflight.Run(t.Context(), srv.API, srv.PoolID, preflight.Options{Expect: cleanExpect()})
	if err != nil {
		t.Fatal(err)
	}
	// The default client (SRP, refresh, custom) is SRP-only, but another
	// client allows the password flow: a warning naming it, not a blocker.
	if r.Clients != 2 || len(r.Findings) != 1 || r.Findings[0].Severity != preflight.Warning ||
		!strings.HasPrefix(r.Findings[0].Client, "mobile (") || !strings.Contains(r.Findings[0].Problem, "SRP-only") {
		t.Errorf("report = %+v", r)
	}
}

func TestRunWithoutConfig(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(cleanPool), cognitotest.WithClient(cleanClient))
	r, err := preflight.Run(t.Context(), srv.API, srv.PoolID, preflight.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Without a configuration the failure style is Ferry's default, error.
	if len(r.Findings) != 1 || r.Findings[0].Check != preflight.CheckExistence {
		t.Errorf("findings = %+v", r.Findings)
	}
}

func TestRunUnknownPool(t *testing.T) {
	t.Parallel()
	srv := cognitotest.NewServer(t)
	_, err := preflight.Run(t.Context(), srv.API, "us-east-1_nothere", preflight.Options{})
	var nf *types.ResourceNotFoundException
	if !errors.Is(err, preflight.ErrPool) || !errors.As(err, &nf) {
		t.Errorf("err = %v, want ErrPool wrapping ResourceNotFoundException", err)
	}
}
