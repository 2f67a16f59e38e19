// Command ferry is Ferry's command line: the local user pool (serve, demo),
// the trigger run locally (invoke), checks and hash tools, and migration
// progress.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferry-migrate/ferry/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		os.Exit(1) // Run has written the error
	}
}
