package preflight

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// Check names.
const (
	CheckTrigger    = "trigger"
	CheckFlows      = "auth-flows"
	CheckExistence  = "user-existence"
	CheckAttributes = "attributes"
	CheckRequired   = "required-attributes"
	CheckCase       = "case-sensitivity"
	CheckPoolMode   = "pool-mode"
	CheckRecovery   = "forgot-password"
)

func clientLabel(c types.UserPoolClientType) string {
	return fmt.Sprintf("%s (%s)", aws.ToString(c.ClientName), aws.ToString(c.ClientId))
}

// functionName reduces a Lambda ARN (function or alias) or a bare name to
// "name" or "name:qualifier", so an ARN and a name compare equal.
func functionName(arn string) string {
	if i := strings.Index(arn, ":function:"); i >= 0 {
		return arn[i+len(":function:"):]
	}
	return arn
}

func checkTrigger(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	got := ""
	if pool.LambdaConfig != nil {
		got = aws.ToString(pool.LambdaConfig.UserMigration)
	}
	attach := "ferry attach --user-pool-id " + aws.ToString(pool.Id) + " --function-arn <trigger ARN>"
	if o.FunctionARN != "" {
		attach = "ferry attach --user-pool-id " + aws.ToString(pool.Id) + " --function-arn " + o.FunctionARN
	}
	switch {
	case got == "":
		return []Finding{{Severity: Blocker, Check: CheckTrigger,
			Problem: "the pool has no UserMigration trigger: Cognito never asks Ferry about unknown users",
			Fix:     attach + " (and allow cognito-idp.amazonaws.com to invoke the function, as the SAM and Terraform templates do)"}}
	case o.FunctionARN != "" && functionName(got) != functionName(o.FunctionARN):
		return []Finding{{Severity: Blocker, Check: CheckTrigger,
			Problem: fmt.Sprintf("the UserMigration trigger is %s, not the Ferry function %s", got, o.FunctionARN),
			Fix:     attach}}
	}
	return nil
}

func checkExistence(_ *types.UserPoolType, clients []types.UserPoolClientType, o Options) []Finding {
	style := o.Expect.FailureStyle
	if style == "" {
		style = trigger.FailError
	}
	var fs []Finding
	for _, c := range clients {
		enabled := c.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled
		switch {
		case style == trigger.FailError:
			problem := "with failure_style error, a user Ferry does not migrate sees UserLambdaValidationException \"UserMigration failed with error User migration failed.\", unlike a wrong password in the pool"
			if !o.Expect.Known {
				problem = "no configuration given; with the default failure_style error, a user Ferry does not migrate sees UserLambdaValidationException \"UserMigration failed with error User migration failed.\", unlike a wrong password in the pool"
			}
			fs = append(fs, Finding{Severity: Warning, Check: CheckExistence, Client: clientLabel(c), Problem: problem,
				Fix: "set trigger.failure_style: empty in the Ferry configuration and PreventUserExistenceErrors ENABLED on the client: every failed sign-in then reads \"Incorrect username or password.\""})
		case !enabled:
			fs = append(fs, Finding{Severity: Warning, Check: CheckExistence, Client: clientLabel(c),
				Problem: "PreventUserExistenceErrors is not ENABLED: a user Ferry does not migrate sees UserNotFoundException, which tells an attacker who is not a legacy user",
				Fix:     "set PreventUserExistenceErrors ENABLED on the client"})
		}
	}
	return fs
}

// schemaNames returns the pool's attribute names and the required ones.
func schemaNames(pool *types.UserPoolType) (names map[string]bool, required []string) {
	names = map[string]bool{}
	for _, a := range pool.SchemaAttributes {
		n := aws.ToString(a.Name)
		names[n] = true
		if aws.ToBool(a.Required) {
			required = append(required, n)
		}
	}
	return names, required
}

func checkAttributes(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	if !o.Expect.Known {
		return nil
	}
	names, _ := schemaNames(pool)
	sent, dropped := o.Expect.sent()
	var fs []Finding
	for _, a := range sent {
		switch {
		case !strings.HasPrefix(a, "custom:") && !slices.Contains(migration.StandardAttributes, a):
			fs = append(fs, Finding{Severity: Blocker, Check: CheckAttributes,
				Problem: fmt.Sprintf("attribute %q is neither a standard attribute nor custom:-prefixed: Cognito rejects every migration that carries it", a),
				Fix:     fmt.Sprintf("map it to \"custom:%s\" and add that custom attribute to the pool (add-custom-attributes)", a)})
		case !names[a]:
			fs = append(fs, Finding{Severity: Blocker, Check: CheckAttributes,
				Problem: fmt.Sprintf("attribute %q is mapped but not in the pool schema: Cognito rejects every migration that carries it", a),
				Fix:     fmt.Sprintf("aws cognito-idp add-custom-attributes --user-pool-id %s --custom-attributes Name=%s,AttributeDataType=String, or drop it from the mapping", aws.ToString(pool.Id), strings.TrimPrefix(a, "custom:"))})
		}
	}
	for _, a := range dropped {
		if a == "email_verified" || a == "phone_number_verified" {
			continue
		}
		fix := fmt.Sprintf("add %q to migration.attributes, or remove it from the source mapping", a)
		if !slices.Contains(migration.StandardAttributes, a) {
			fix = fmt.Sprintf("map it to \"custom:%s\" and add that custom attribute to the pool", a)
		}
		fs = append(fs, Finding{Severity: Warning, Check: CheckAttributes,
			Problem: fmt.Sprintf("attribute %q is mapped by a source but not in migration.attributes: Ferry drops it", a), Fix: fix})
	}
	return fs
}

func checkRequired(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	if !o.Expect.Known {
		return nil
	}
	_, required := schemaNames(pool)
	sent, _ := o.Expect.sent()
	var fs []Finding
	for _, a := range required {
		// Cognito fills sub in itself.
		if a == "sub" || slices.Contains(sent, a) {
			continue
		}
		fs = append(fs, Finding{Severity: Blocker, Check: CheckRequired,
			Problem: fmt.Sprintf("the pool requires %q but no source maps it: Cognito rejects every migration without it", a),
			Fix:     fmt.Sprintf("map a legacy column to %q (and list it in migration.attributes), or use a pool that does not require it (required attributes cannot be changed after creation)", a)})
	}
	return fs
}

func checkRecovery(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	var fs []Finding
	add := func(problem, fix string) {
		fs = append(fs, Finding{Severity: Warning, Check: CheckRecovery, Problem: problem, Fix: fix})
	}
	var mechanisms []types.RecoveryOptionNameType
	if pool.AccountRecoverySetting != nil {
		for _, m := range pool.AccountRecoverySetting.RecoveryMechanisms {
			mechanisms = append(mechanisms, m.Name)
		}
	}
	if len(mechanisms) == 1 && mechanisms[0] == types.RecoveryOptionNameTypeAdminOnly {
		add("AccountRecoverySetting is admin_only: ForgotPassword sends no code, so a legacy user who forgot the password cannot migrate",
			"set AccountRecoverySetting to verified_email (and/or verified_phone_number)")
	}
	if len(pool.AutoVerifiedAttributes) == 0 {
		add("the pool auto-verifies neither email nor phone number: users it creates later have no verified channel for forgot-password",
			"set AutoVerifiedAttributes to [email] (or phone_number)")
	}
	if !o.Expect.Known {
		return fs
	}
	sent, _ := o.Expect.sent()
	email := slices.Contains(sent, "email") && slices.Contains(sent, "email_verified") && o.Expect.EmailVerified
	phone := slices.Contains(sent, "phone_number") && slices.Contains(sent, "phone_number_verified") && o.Expect.PhoneVerified
	if !email && !phone {
		add("no verified email or phone number reaches the pool: a legacy user who forgot the password cannot migrate (Ferry refuses a ForgotPassword without a verified channel), and migrated users cannot reset theirs",
			"map the legacy email (with email_verified, or set migration.assume_email_verified: true when the legacy system confirmed addresses) and keep email and email_verified in migration.attributes")
	} else if len(mechanisms) > 0 {
		usable := (email && slices.Contains(mechanisms, types.RecoveryOptionNameTypeVerifiedEmail)) ||
			(phone && slices.Contains(mechanisms, types.RecoveryOptionNameTypeVerifiedPhoneNumber))
		if !usable && !(len(mechanisms) == 1 && mechanisms[0] == types.RecoveryOptionNameTypeAdminOnly) {
			add("AccountRecoverySetting names no channel Ferry fills in: forgot-password codes have nowhere to go",
				"add verified_email (or verified_phone_number) to AccountRecoverySetting")
		}
	}
	return fs
}

// poolMode is the pool_mode that matches how the pool identifies users.
func poolMode(pool *types.UserPoolType) migration.PoolMode {
	if len(pool.UsernameAttributes) > 0 {
		return migration.PoolEmailAsUsername
	}
	for _, a := range pool.AliasAttributes {
		if a == types.AliasAttributeTypeEmail || a == types.AliasAttributeTypePhoneNumber {
			return migration.PoolAlias
		}
	}
	return migration.PoolUsername
}

func checkPoolMode(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	if !o.Expect.Known {
		return nil
	}
	want, got := poolMode(pool), o.Expect.PoolMode
	if got == "" {
		got = migration.PoolUsername
	}
	if want == got {
		return nil
	}
	problem := fmt.Sprintf("migration.pool_mode is %s but the pool is a %s pool", got, want)
	switch want {
	case migration.PoolAlias:
		problem += ": a user who signs in with an email or phone number gets \"Username cannot be of email format since user pool is configured for email alias\" instead of migrating"
	case migration.PoolEmailAsUsername:
		problem += ": Ferry answers with the wrong identity rules for a pool whose usernames are emails or phone numbers"
	default:
		problem += ": Ferry returns a username of its own choosing, which this pool takes as the user's username"
	}
	return []Finding{{Severity: Blocker, Check: CheckPoolMode, Problem: problem,
		Fix: fmt.Sprintf("set migration.pool_mode: %s (the pool's sign-in attributes cannot be changed after creation)", want)}}
}
