// Command ferry-lambda is Ferry's user-migration trigger as an AWS Lambda
// function, built as "bootstrap" for the provided.al2023 runtime (make
// lambda). Its configuration is inline YAML in FERRY_CONFIG or a file named
// by FERRY_CONFIG_FILE; see internal/config.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

func main() {
	app, err := build(context.Background(), os.Getenv, os.Stdout, os.Stderr)
	if err != nil {
		// The precise reason goes to the function's log only; the Runtime
		// API hears the same fixed text as any failed migration, since an
		// init error can reach the signing-in user through Cognito.
		fmt.Fprintln(os.Stderr, "ferry-lambda:", err)
		if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
			if perr := postInitError(api); perr != nil {
				fmt.Fprintln(os.Stderr, "ferry-lambda: reporting the init error:", perr)
			}
		}
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
// sign-in does not pay for connecting, and warmed (their answers' costs
// learnt, so that the timing padding holds from the first answer); secret
// references are fetched here too, once per cold start. EMF metric lines go to stdout, logs to stderr:
// Lambda sends both to the function's log group.
func build(ctx context.Context, getenv func(string) string, stdout, logs io.Writer) (*setup.App, error) {
	res := secrets.New(secrets.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)).With("component", "secrets")})
	loaded, err := setup.LoadEnv(getenv, res)
	if err != nil {
		return nil, err
	}
	cfg := loaded.Config
	logger := setup.NewLogger(lambdaLog(cfg.Log), logs).With(
		slog.String("function", getenv("AWS_LAMBDA_FUNCTION_NAME")),
		slog.String("version", getenv("AWS_LAMBDA_FUNCTION_VERSION")),
	)
	// A literal credential is accepted, with a warning at every cold
	// start: refusing it would break a working function over where its
	// secret is kept, and a Lambda's environment is encrypted at rest.
	for _, w := range cfg.Warnings {
		logger.LogAttrs(ctx, slog.LevelWarn, "configuration", slog.String("warning", w))
	}
	o := setup.Options{Logger: logger, Secrets: loaded.Secrets, Reload: loaded.Reload,
		MemoryMB: setup.LambdaMemoryMB(getenv), Lambda: true, Warm: true}
	if !cfg.Metrics.Disabled {
		o.Metrics = metrics.NewEmitter(stdout, metrics.Options{Namespace: cfg.Metrics.Namespace})
	}
	return setup.BuildWith(ctx, cfg, o)
}

// initErrorTimeout bounds the init-error report; the Runtime API is local.
const initErrorTimeout = 2 * time.Second

// postInitError tells the Runtime API that initialisation failed, with the
// trigger's one user-safe error.
func postInitError(api string) error {
	body, err := json.Marshal(map[string]string{"errorMessage": trigger.MigrationMessage, "errorType": "MigrationError"})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), initErrorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.MigrationError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("runtime API answered %s", resp.Status)
	}
	return nil
}

// lambdaLog keeps the configured level; Lambda's log pipeline expects JSON
// unless the configuration says otherwise.
func lambdaLog(c config.Log) config.Log {
	if c.Format == "" {
		c.Format = "json"
	}
	return c
}
