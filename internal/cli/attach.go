package cli

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"io"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"
)

// lambdaARN is a Lambda function ARN, optionally qualified by an alias or
// version: what Cognito accepts as a trigger.
var lambdaARN = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$`)

// errPoolDrift is returned when the pool read back after the update differs
// in more than the trigger.
var errPoolDrift = errors.New("the pool changed in more than its UserMigration trigger")

func newAttachCmd(env Env) *cobra.Command {
	var pool poolFlags
	var opts struct {
		functionARN string
		detach      bool
	}
	cmd := &cobra.Command{
		Use:   "attach",
		Short: "Set (or clear) the user pool's UserMigration trigger, keeping every other setting",
		Long: `Point the user pool's UserMigration trigger at the Ferry function, or clear it
with --detach (the rollback). UpdateUserPool resets every setting it is not
given to its default, so attach reads the pool first and sends every
updatable setting back unchanged (policies, every other trigger, MFA,
verification and invitation messages, email and SMS configuration, tags,
account recovery, deletion protection, add-ons, …), then reads the pool again
and prints what changed. Running it again changes nothing.

The function must allow cognito-idp.amazonaws.com to invoke it, with the
pool's ARN as source (the SAM template and Terraform module grant this).`,
		Example: `  ferry attach --user-pool-id eu-west-1_AbCdEf123 --function-arn arn:aws:lambda:eu-west-1:123456789012:function:ferry-migrate:live
  ferry attach --user-pool-id eu-west-1_AbCdEf123 --detach`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case opts.detach && opts.functionARN != "":
				return errors.New("give --function-arn or --detach, not both")
			case !opts.detach && opts.functionARN == "":
				return errors.New("--function-arn is required (or --detach)")
			case !opts.detach && !lambdaARN.MatchString(opts.functionARN):
				return fmt.Errorf("--function-arn %q is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>])", opts.functionARN)
			}
			api, err := pool.client(cmd.Context())
			if err != nil {
				return err
			}
			return attach(cmd.Context(), env.Stdout, api, pool.poolID, opts.functionARN)
		},
	}
	pool.register(cmd)
	cmd.Flags().StringVar(&opts.functionARN, "function-arn", "", "the trigger's function ARN, or its alias ARN")
	cmd.Flags().BoolVar(&opts.detach, "detach", false, "clear the UserMigration trigger instead")
	return cmd
}

// poolAPI is the part of the Cognito client attach uses.
type poolAPI interface {
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	UpdateUserPool(context.Context, *cip.UpdateUserPoolInput, ...func(*cip.Options)) (*cip.UpdateUserPoolOutput, error)
}

// attach sets the pool's UserMigration trigger to arn ("" clears it).
func attach(ctx context.Context, w io.Writer, api poolAPI, poolID, arn string) error {
	before, err := describePool(ctx, api, poolID)
	if err != nil {
		return err
	}
	old := ""
	if before.LambdaConfig != nil {
		old = aws.ToString(before.LambdaConfig.UserMigration)
	}
	if old == arn {
		fmt.Fprintf(w, "pool %s: UserMigration already %s; nothing changed\n", poolID, orNone(arn))
		return nil
	}
	in := updateInput(before)
	in.LambdaConfig.UserMigration = nil
	if arn != "" {
		in.LambdaConfig.UserMigration = aws.String(arn)
	}
	if _, err := api.UpdateUserPool(ctx, in); err != nil {
		return fmt.Errorf("update user pool %s: %w", poolID, err)
	}
	after, err := describePool(ctx, api, poolID)
	if err != nil {
		return err
	}
	now := ""
	if after.LambdaConfig != nil {
		now = aws.ToString(after.LambdaConfig.UserMigration)
	}
	fmt.Fprintf(w, "pool %s: LambdaConfig.UserMigration: %s -> %s\n", poolID, orNone(old), orNone(now))
	if drift := poolDrift(before, after); drift != "" {
		fmt.Fprintf(w, "pool %s: Cognito reports further changes (-before +after):\n%s", poolID, drift)
		return errPoolDrift
	}
	fmt.Fprintf(w, "pool %s: every other setting unchanged\n", poolID)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func describePool(ctx context.Context, api poolAPI, poolID string) (*types.UserPoolType, error) {
	out, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return nil, fmt.Errorf("describe user pool %s: %w", poolID, err)
	}
	if out.UserPool == nil {
		return nil, fmt.Errorf("describe user pool %s: empty answer", poolID)
	}
	return out.UserPool, nil
}

// updateInput returns the UpdateUserPool input that leaves pool as it is:
// every updatable setting copied back, since UpdateUserPool resets what it
// is not given.
func updateInput(p *types.UserPoolType) *cip.UpdateUserPoolInput {
	in := &cip.UpdateUserPoolInput{
		UserPoolId:                  p.Id,
		PoolName:                    p.Name,
		Policies:                    p.Policies,
		DeletionProtection:          p.DeletionProtection,
		LambdaConfig:                &types.LambdaConfigType{},
		AutoVerifiedAttributes:      slices.Clone(p.AutoVerifiedAttributes),
		VerificationMessageTemplate: p.VerificationMessageTemplate,
		SmsAuthenticationMessage:    p.SmsAuthenticationMessage,
		UserAttributeUpdateSettings: p.UserAttributeUpdateSettings,
		MfaConfiguration:            p.MfaConfiguration,
		DeviceConfiguration:         p.DeviceConfiguration,
		EmailConfiguration:          p.EmailConfiguration,
		SmsConfiguration:            p.SmsConfiguration,
		UserPoolTags:                maps.Clone(p.UserPoolTags),
		AdminCreateUserConfig:       p.AdminCreateUserConfig,
		UserPoolAddOns:              p.UserPoolAddOns,
		AccountRecoverySetting:      p.AccountRecoverySetting,
		UserPoolTier:                p.UserPoolTier,
		IssuerConfiguration:         p.IssuerConfiguration,
		KeyConfiguration:            p.KeyConfiguration,
	}
	if p.LambdaConfig != nil {
		lc := *p.LambdaConfig
		in.LambdaConfig = &lc
	}
	// The template supersedes the older message fields and Cognito
	// returns both; sending both back is refused when they disagree, so
	// the older ones go back only for a pool without a template.
	if p.VerificationMessageTemplate == nil {
		in.EmailVerificationMessage = p.EmailVerificationMessage
		in.EmailVerificationSubject = p.EmailVerificationSubject
		in.SmsVerificationMessage = p.SmsVerificationMessage
	}
	// Cognito still reports the deprecated UnusedAccountValidityDays but
	// refuses it next to PasswordPolicy.TemporaryPasswordValidityDays,
	// which replaced it.
	if a := p.AdminCreateUserConfig; a != nil && a.UnusedAccountValidityDays != 0 &&
		p.Policies != nil && p.Policies.PasswordPolicy != nil && p.Policies.PasswordPolicy.TemporaryPasswordValidityDays != 0 {
		c := *a
		c.UnusedAccountValidityDays = 0
		in.AdminCreateUserConfig = &c
	}
	return in
}

// poolDrift reports how after differs from before beyond the migration
// trigger and the bookkeeping Cognito updates itself.
func poolDrift(before, after *types.UserPoolType) string {
	strip := func(p *types.UserPoolType) types.UserPoolType {
		c := *p
		c.LastModifiedDate, c.EstimatedNumberOfUsers = nil, 0
		if c.LambdaConfig != nil {
			lc := *c.LambdaConfig
			lc.UserMigration = nil
			if lc == (types.LambdaConfigType{}) {
				c.LambdaConfig = nil
			} else {
				c.LambdaConfig = &lc
			}
		}
		return c
	}
	return cmp.Diff(strip(before), strip(after), ignoreUnexported, cmpopts.EquateEmpty())
}

// ignoreUnexported skips the SDK types' unexported fields, whichever type
// holds them.
var ignoreUnexported = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && !token.IsExported(sf.Name())
}, cmp.Ignore())
