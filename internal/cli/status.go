package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/setup"
)

// Bounds of --watch.
const (
	// defaultWatchCount bounds --watch when --count is not given.
	defaultWatchCount = 60
)

// errStatusFailed is returned when a source could not be read; the report
// says which.
var errStatusFailed = errors.New("status incomplete")

// poolOpts are the pool flags status and export share: the pool is optional.
type poolOpts struct {
	poolFlags
	maxUsers int
}

func (p *poolOpts) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.poolID, "user-pool-id", "", "the target user pool, to count who is already in it")
	cmd.Flags().StringVar(&p.endpoint, "endpoint-url", "", "Cognito API endpoint, e.g. http://127.0.0.1:9229 for ferry serve (default: AWS)")
	cmd.Flags().StringVar(&p.region, "region", "", "AWS region (default: the AWS configuration's, else the pool ID's)")
	cmd.Flags().IntVar(&p.maxUsers, "max-pool-users", progress.DefaultMaxPoolUsers, "stop reading the pool after this many users")
}

// pool returns the pool the flags name, or nil without --user-pool-id.
// Progress through a long scan goes to progressw.
func (p *poolOpts) pool(ctx context.Context, progressw io.Writer) (*progress.Pool, error) {
	if p.poolID == "" {
		return nil, nil
	}
	api, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	return &progress.Pool{API: api, ID: p.poolID, MaxUsers: p.maxUsers, Progress: progressw}, nil
}

func newStatusCmd(env Env) *cobra.Command {
	var pool poolOpts
	var opts struct {
		config string
		json   bool
		watch  time.Duration
		count  int
	}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show how far the migration has come, per source",
		Long: `Count, for each legacy source, its users, those marked migrated by the
write-back, and those remaining. Marks alone are optimistic: the trigger
writes one when it answers, and cannot see whether Cognito then stored the
user.

With --user-pool-id, the pool is the truth: read it (ListUsers, 60 users a
page, one pass whatever the number of marks) and count a legacy user as
migrated only when the pool holds them, so progress shows even without a
write-back. Users marked migrated whom the pool does not hold are reported
as marked but absent (their legacy ids and usernames with --json, up to
1,000 a source): ferry export --user-pool-id exports them.

With --watch, the report is repeated every interval, --count times.`,
		Example: `  ferry status --config ferry.yaml
  ferry status --config ferry.yaml --user-pool-id eu-west-1_AbCdEf123 --json
  ferry status --config ferry.yaml --watch 1m --count 30`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" {
				return errors.New("--config is required")
			}
			if opts.watch < 0 {
				return fmt.Errorf("--watch %s: want a positive interval", opts.watch)
			}
			if pool.maxUsers < 1 {
				return fmt.Errorf("--max-pool-users %d: want at least 1", pool.maxUsers)
			}
			n := 1
			if opts.watch > 0 {
				n = defaultWatchCount
				if cmd.Flags().Changed("count") {
					n = opts.count
				}
				if n < 1 {
					return fmt.Errorf("--count %d: want at least 1", n)
				}
			}
			return watchStatus(cmd.Context(), env, opts.config, &pool, opts.json, opts.watch, n)
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().DurationVar(&opts.watch, "watch", 0, "repeat the report at this interval")
	cmd.Flags().IntVar(&opts.count, "count", defaultWatchCount, "with --watch, the number of reports")
	pool.register(cmd)
	return cmd
}

func watchStatus(ctx context.Context, env Env, configPath string, opts *poolOpts, asJSON bool, every time.Duration, n int) error {
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		return err
	}
	logger := setup.NewLogger(cliLog(cfg.Log), env.Stderr)
	pool, err := opts.pool(ctx, env.Stderr)
	if err != nil {
		return err
	}
	var failed bool
	for i := range n {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
		}
		r, err := progress.Status(ctx, cfg, logger, pool)
		if err != nil {
			return err
		}
		failed = r.Failed()
		if asJSON {
			if err := json.NewEncoder(env.Stdout).Encode(r); err != nil {
				return err
			}
		} else {
			progress.PrintStatus(env.Stdout, r)
		}
	}
	if failed {
		return errStatusFailed
	}
	return nil
}
