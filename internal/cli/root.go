// Package cli implements the ferry command line: one file per command, each
// a constructor returning a *cobra.Command, wired together in NewRoot.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Env is what every command gets from main: the streams, for testing.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// NewRoot returns the ferry root command with every subcommand.
func NewRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "ferry",
		Short:         "Move legacy users into an Amazon Cognito user pool as they sign in",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	for _, newCmd := range commands {
		root.AddCommand(newCmd(env))
	}
	return root
}

// commands lists the subcommand constructors. Each command file adds its
// constructor here.
var commands = []func(Env) *cobra.Command{newDemoCmd, newServeCmd, newOutboxCmd, newHashCmd, newInvokeCmd, newCheckCmd, newPreflightCmd, newAttachCmd, newStatusCmd, newExportCmd, newAuditCmd}

// Run executes the command line args. It writes the error, if any, to
// env.Stderr once, and returns it for the exit status.
func Run(ctx context.Context, args []string, env Env) error {
	root := NewRoot(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errReported) {
		fmt.Fprintln(env.Stderr, "ferry:", err)
	}
	return err
}

// errReported is wrapped by the errors of commands that have already
// written what went wrong in their report (check, preflight).
var errReported = errors.New("reported above")
