package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
)

// checkTimeout bounds the checks of one source, so one unreachable
// directory cannot hang the command.
const checkTimeout = 10 * time.Second

// errCheckFailed is returned when any check failed; the report says which.
var errCheckFailed = fmt.Errorf("check failed: %w", errReported)

func newCheckCmd(env Env) *cobra.Command {
	var opts struct {
		config string
		sample int
	}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and check every source",
		Long: `Validate the configuration (every problem is listed with its path), connect to
each legacy source and report its health with its name, type and the time the
check took, and, for sources that can sample
their stored hashes, the hash families found and which of them are weak
(users with a weak hash get RESET_REQUIRED when reset_weak_hash is set).
Exits non-zero when anything failed.`,
		Example: `  ferry check --config ferry.yaml
  ferry check --config ferry.yaml --sample 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" {
				return errors.New("--config is required")
			}
			if opts.sample < 1 || opts.sample > 10_000 {
				return fmt.Errorf("--sample %d: want 1..10000", opts.sample)
			}
			return check(cmd.Context(), env, opts.config, opts.sample)
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().IntVar(&opts.sample, "sample", 100, "stored hashes to sample per source")
	return cmd
}

func check(ctx context.Context, env Env, configPath string, sample int) error {
	w := env.Stdout
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		fmt.Fprintln(w, err)
		return errCheckFailed
	}
	names := make([]string, len(cfg.Sources))
	for i, b := range cfg.Sources {
		names[i] = b.Name
	}
	// Routing can name only configured sources; the loader checks each
	// section alone, the trigger would refuse this at start-up.
	if err := cfg.Migration.ValidateRouting(names); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(w, "config %s: migration: %s\n", configPath, line)
		}
		return errCheckFailed
	}
	fmt.Fprintf(w, "config %s: ok, %d source(s)\n", configPath, len(cfg.Sources))
	for _, warning := range cfg.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	logger := setup.NewLogger(cliLog(cfg.Log), env.Stderr)
	if !cfg.Migration.MarkMigrated {
		// Without write-back the legacy schema needs no new column.
		ctx = source.WithoutWriteBack(ctx)
	}
	// Hashes are checked against the budget the trigger runs with locally;
	// `ferry audit --memory-mb` shows them against a Lambda's.
	limits := passhash.LimitsFor(cfg.Migration.WithDefaults().Deadline, 0, false)
	healthy := 0
	for _, b := range cfg.Sources {
		if checkSource(ctx, w, b, logger, sample, limits) {
			healthy++
		}
	}
	fmt.Fprintf(w, "sources: %d of %d healthy\n", healthy, len(cfg.Sources))
	if healthy != len(cfg.Sources) {
		return errCheckFailed
	}
	return nil
}

// checkSource reports one source: its name and type, whether it opens,
// its health check with the time it took, and its sampled hashes. It
// reports whether everything passed.
func checkSource(ctx context.Context, w io.Writer, b config.Backend, logger *slog.Logger, sample int, limits passhash.Limits) bool {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	fmt.Fprintf(w, "source %s (%s):\n", b.Name, b.Type)
	start := time.Now()
	s, err := setup.OpenSource(ctx, b, logger)
	if err != nil {
		fmt.Fprintf(w, "  open: error: %s (%s)\n", indent(err), latency(start))
		return false
	}
	defer source.Close(s)
	ok := true
	if c, isChecker := source.As[source.Checker](s); isChecker {
		start = time.Now()
		if err := c.Check(ctx); err != nil {
			fmt.Fprintf(w, "  health: error: %s (%s)\n", indent(err), latency(start))
			ok = false
		} else {
			fmt.Fprintf(w, "  health: ok (%s)\n", latency(start))
		}
	} else {
		fmt.Fprintf(w, "  health: opened (the source has no health check)\n")
	}
	hs, isSampler := source.As[source.HashSampler](s)
	if !isSampler {
		fmt.Fprintf(w, "  hash families: not sampled (the source keeps no stored hashes)\n")
		return ok
	}
	tally, err := audit.NewHashTally(limits, 0)
	if err != nil {
		fmt.Fprintf(w, "  hash families: error: %v\n", err)
		return false
	}
	err = hs.SampleHashes(ctx, sample, func(h source.HashSample) error {
		tally.Add(h)
		return nil
	})
	if err != nil {
		fmt.Fprintf(w, "  hash families: error: %s\n", indent(err))
		return false
	}
	writeHashFamilies(w, tally.Hashes(), "sampled")
	return ok
}

// indent keeps a multi-line error under its source's heading.
func indent(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "\n    ")
}

// latency is the time since start, rounded for reading.
func latency(start time.Time) string {
	d := time.Since(start)
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(100 * time.Microsecond).String()
}
