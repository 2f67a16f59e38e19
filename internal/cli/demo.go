package cli

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/demo"
)

func newDemoCmd(env Env) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Migrate sample legacy users into a local Cognito user pool, step by step",
		Long: `demo builds a legacy user directory (SQLite, in a temporary directory) with users
whose passwords are stored as ASP.NET Identity, WordPress phpass and bcrypt hashes,
starts a local Cognito-compatible user pool on a loopback port with Ferry as its
user-migration trigger, and drives it with the AWS SDK for Go exactly as an
application would: sign-in with migration, sign-in without it, a refused wrong
password, a password reset of a user not yet migrated, and an SRP sign-in.

Every step checks its outcome; the command exits non-zero naming the first step
that did not do what it said. Nothing is needed beyond the ferry binary.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var logw io.Writer = io.Discard
			if verbose {
				logw = env.Stderr
			}
			return demo.Run(cmd.Context(), demo.Options{
				Out:    cmd.OutOrStdout(),
				Logger: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log the pool's and the trigger's work to stderr")
	return cmd
}
