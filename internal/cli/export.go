package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/setup"
)

func newExportCmd(env Env) *cobra.Command {
	var pool poolOpts
	var opts struct {
		config, out string
		json, force bool
		limits      export.Limits
	}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the users who never migrated as a Cognito CSV import file",
		Long: `Write every legacy user who has not migrated as a Cognito user import file,
for the last step of a migration: a user import job creates them in
RESET_REQUIRED and they choose a new password at their next sign-in. No
password or hash is written; the file holds personal data (mode 0600).

With --user-pool-id the pool is the truth: every legacy user the pool does
not hold is exported, marked migrated or not, and the report says how many
of them were marked. Without it, users marked by the write-back are left
out, and the marks are optimistic: the trigger marks a user when it answers,
before Cognito stores them.

An existing file is not overwritten unless --force is given. When no user is
left to export, the command says so, writes no file and exits 0.

Rows carry the attributes the trigger would return under the configured
migration policy, cognito:username by the pool mode and cognito:mfa_enabled
false (true when the pool's MFA is ON). With --user-pool-id the header is the pool's (GetCSVHeader), so
custom attributes are kept; without it, Cognito's standard columns. Users
who are disabled in the legacy directory, have neither a verified email nor
a verified phone number, or have no username Cognito accepts are skipped
and counted. Files split at 500,000 rows or 100 MB (users.csv,
users-2.csv, …), one import job each.`,
		Example: `  ferry export --config ferry.yaml --out users.csv
  ferry export --config ferry.yaml --out users.csv --user-pool-id eu-west-1_AbCdEf123`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" || opts.out == "" {
				return errors.New("--config and --out are required")
			}
			if pool.maxUsers < 1 {
				return fmt.Errorf("--max-pool-users %d: want at least 1", pool.maxUsers)
			}
			r, err := runExport(cmd.Context(), env, opts.config, &pool, progress.ExportOptions{
				Out: opts.out, Force: opts.force, Limits: opts.limits,
			})
			if r != nil {
				if opts.json {
					if err := json.NewEncoder(env.Stdout).Encode(r); err != nil {
						return err
					}
				} else {
					progress.PrintExport(env.Stdout, r)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "the import file to write (required); further parts go beside it")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite existing import files")
	cmd.Flags().IntVar(&opts.limits.Rows, "max-rows", export.MaxRows, "most users per file (Cognito: 500,000)")
	cmd.Flags().Int64Var(&opts.limits.Bytes, "max-bytes", export.MaxBytes, "largest file in bytes (Cognito: 100 MB)")
	pool.register(cmd)
	return cmd
}

// runExport exports the users of the configuration at configPath.
func runExport(ctx context.Context, env Env, configPath string, opts *poolOpts, o progress.ExportOptions) (*progress.ExportReport, error) {
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		return nil, err
	}
	pool, err := opts.pool(ctx, env.Stderr)
	if err != nil {
		return nil, err
	}
	return progress.Export(ctx, cfg, setup.NewLogger(cliLog(cfg.Log), env.Stderr), pool, o)
}
