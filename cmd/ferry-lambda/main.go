// Command ferry-lambda is Ferry's user-migration trigger as an AWS Lambda
// function, built as "bootstrap" for the provided.al2023 runtime (make
// lambda). Its configuration is inline YAML in FERRY_CONFIG or a file named
// by FERRY_CONFIG_FILE; see internal/config.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/setup"
)

func main() {
	app, err := build(context.Background(), os.Getenv, os.Stderr)
	if err != nil {
		// The runtime reports the exit as Runtime.ExitError with this line
		// in the function's log; nothing of it reaches a signing-in user.
		fmt.Fprintln(os.Stderr, "ferry-lambda:", err)
		os.Exit(1)
	}
	// The handler decodes the payload itself (lambda.Handler), so even a
	// malformed event fails with the one user-safe error type.
	// No SIGTERM hook: registering for it costs an Extensions API round trip
	// in every cold start, and the sources hold nothing that a killed
	// process leaves behind (the database sees its connections close).
	lambda.Start(app.Handler)
}

// build loads the configuration from the environment and wires the trigger.
// Sources are opened here, during Lambda's init phase, so the first
// sign-in does not pay for connecting.
func build(ctx context.Context, getenv func(string) string, logs io.Writer) (*setup.App, error) {
	cfg, err := setup.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	logger := setup.NewLogger(lambdaLog(cfg.Log), logs).With(
		slog.String("function", getenv("AWS_LAMBDA_FUNCTION_NAME")),
		slog.String("version", getenv("AWS_LAMBDA_FUNCTION_VERSION")),
	)
	return setup.Build(ctx, cfg, logger)
}

// lambdaLog keeps the configured level; Lambda's log pipeline expects JSON
// unless the configuration says otherwise.
func lambdaLog(c config.Log) config.Log {
	if c.Format == "" {
		c.Format = "json"
	}
	return c
}
