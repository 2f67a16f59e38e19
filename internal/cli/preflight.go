package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/preflight"
	"github.com/ferry-migrate/ferry/internal/setup"
)

// errBlockers is returned when preflight found a blocker; the report says which.
var errBlockers = fmt.Errorf("preflight found blockers: %w", errReported)

// poolFlags are the flags of the commands that talk to a user pool.
type poolFlags struct {
	poolID, endpoint, region string
}

func (f *poolFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.poolID, "user-pool-id", "", "user pool ID, e.g. eu-west-1_AbCdEf123 (required)")
	cmd.Flags().StringVar(&f.endpoint, "endpoint-url", "", "Cognito API endpoint, e.g. http://127.0.0.1:9229 for ferry serve (default: AWS)")
	cmd.Flags().StringVar(&f.region, "region", "", "AWS region (default: the AWS configuration's, else the pool ID's)")
}

// client returns a Cognito client. On AWS it uses the default credential
// chain (environment, shared files, SSO, instance roles). For a local
// endpoint with no credentials in the environment it signs with fixed
// local ones: the local pool accepts any signature, and the chain would
// otherwise spend seconds asking for instance credentials.
func (f *poolFlags) client(ctx context.Context) (*cip.Client, error) {
	if f.poolID == "" {
		return nil, errors.New("--user-pool-id is required")
	}
	region := f.region
	if region == "" {
		// A pool ID is "<region>_<id>".
		if i := strings.IndexByte(f.poolID, '_'); i > 0 {
			region = f.poolID[:i]
		}
	}
	var opts []func(*awsconfig.LoadOptions) error
	if f.region != "" {
		opts = append(opts, awsconfig.WithRegion(f.region))
	}
	if f.endpoint != "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	// The SDK's own logger would print its IMDS fallback warnings to the
	// terminal; what matters to the user is the error below.
	opts = append(opts, awsconfig.WithLogger(logging.Nop{}))
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("aws configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = region
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no AWS credentials for the Cognito API: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them (for the local pool, pass --endpoint-url) [%w]", err)
	}
	return cip.NewFromConfig(cfg, func(o *cip.Options) {
		if f.endpoint != "" {
			o.BaseEndpoint = aws.String(f.endpoint)
		}
	}), nil
}

func newPreflightCmd(env Env) *cobra.Command {
	var pool poolFlags
	var opts struct {
		config, functionARN string
		json                bool
	}
	cmd := &cobra.Command{
		Use:   "preflight",
		Short: "Check a user pool and its app clients before go-live",
		Long: `Read the user pool and every app client through the Cognito API and report
each problem that would stop legacy users migrating (a blocker) or make the
migration worse than it needs to be (a warning), each with its fix: the
UserMigration trigger missing or naming another function, app clients
without a password flow (SRP-only clients never invoke the trigger),
existence errors shown to users, a pool_mode that does not match the pool,
mapped attributes missing from the schema or without their custom: prefix,
required attributes nobody maps, case sensitivity, and no verified channel
for forgot-password. It also notes the sign-in flows a client allows that
never run the trigger (USER_SRP_AUTH, CUSTOM_AUTH, USER_AUTH), so the app
signs in with USER_PASSWORD_AUTH until the migration is over.

With --config, the pool is compared with that Ferry configuration; without
it, only the pool-side checks run. Exits non-zero when there is a blocker.`,
		Example: `  ferry preflight --user-pool-id eu-west-1_AbCdEf123 --config ferry.yaml
  ferry preflight --user-pool-id us-east-1_Local --endpoint-url http://127.0.0.1:9229 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := preflight.Options{FunctionARN: opts.functionARN}
			if opts.config != "" {
				cfg, err := setup.LoadFile(opts.config)
				if err != nil {
					return err
				}
				o.Expect = preflight.FromConfig(cfg)
			}
			api, err := pool.client(cmd.Context())
			if err != nil {
				return err
			}
			r, err := preflight.Run(cmd.Context(), api, pool.poolID, o)
			if err != nil {
				return err
			}
			if opts.json {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if r.Findings == nil {
					r.Findings = []preflight.Finding{}
				}
				if err := enc.Encode(r); err != nil {
					return err
				}
			} else {
				printPreflight(env.Stdout, r)
			}
			if r.Blockers() > 0 {
				return errBlockers
			}
			return nil
		},
	}
	pool.register(cmd)
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "Ferry configuration to compare the pool with")
	cmd.Flags().StringVar(&opts.functionARN, "function-arn", "", "the trigger function (or alias) the pool must name")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	return cmd
}

func printPreflight(w io.Writer, r *preflight.Report) {
	fmt.Fprintf(w, "pool %s (%s), %d app client(s)\n", r.PoolID, r.PoolName, r.Clients)
	warnings, notes := 0, 0
	for _, f := range r.Findings {
		switch f.Severity {
		case preflight.Warning:
			warnings++
		case preflight.Note:
			notes++
		}
		where := f.Check
		if f.Client != "" {
			where += " [" + f.Client + "]"
		}
		fmt.Fprintf(w, "%-8s %s: %s\n         fix: %s\n", strings.ToUpper(string(f.Severity)), where, f.Problem, f.Fix)
	}
	fmt.Fprintf(w, "%d blocker(s), %d warning(s), %d note(s)\n", r.Blockers(), warnings, notes)
}
