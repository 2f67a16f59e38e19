package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// maxEventBytes is Lambda's synchronous invocation payload limit (6 MB);
// a Cognito event is a few hundred bytes.
const maxEventBytes = 6 << 20

func newInvokeCmd(env Env) *cobra.Command {
	var opts struct {
		config, user, password, clientID string
		passwordStdin, forgot            bool
	}
	cmd := &cobra.Command{
		Use:   "invoke [event.json | -]",
		Short: "Run the migration trigger locally on one event",
		Long: `Run the migration trigger locally, exactly as the Lambda function would, on a
Cognito user-migration event read from a file (or "-" for stdin), or on one
built from --user and --password / --password-stdin (--forgot for a
forgot-password event). Prints Cognito's answer as JSON; when the trigger
fails, prints the error document Lambda would return and exits non-zero with
the reason (which Lambda never shows the user).`,
		Example: `  ferry invoke --config ferry.yaml testdata/event.json
  printf '%s\n' "$PW" | ferry invoke --config ferry.yaml --user alice --password-stdin
  ferry invoke --config ferry.yaml --user alice@example.com --forgot`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.config == "" {
				return errors.New("--config is required")
			}
			var payload []byte
			switch {
			case len(args) == 1 && opts.user != "":
				return errors.New("give an event file or --user, not both")
			case len(args) == 1:
				b, err := readEvent(args[0], env.Stdin)
				if err != nil {
					return err
				}
				payload = b
			case opts.user != "":
				ev := trigger.Event{
					Version: "1", TriggerSource: trigger.SourceAuthentication, Region: "local",
					UserPoolID: "local_ferry", UserName: opts.user,
					CallerContext: trigger.CallerContext{AWSSDKVersion: "ferry-invoke", ClientID: opts.clientID},
				}
				switch {
				case opts.forgot:
					if opts.password != "" || opts.passwordStdin {
						return errors.New("--forgot takes no password")
					}
					ev.TriggerSource = trigger.SourceForgotPassword
				case opts.passwordStdin:
					if opts.password != "" {
						return errors.New("give --password or --password-stdin, not both")
					}
					pw, err := readPassword(env.Stdin)
					if err != nil {
						return err
					}
					ev.Request.Password = pw
				case opts.password != "":
					ev.Request.Password = opts.password
				default:
					return errors.New("--password, --password-stdin or --forgot is required with --user")
				}
				b, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				payload = b
			default:
				return errors.New("give an event file, or --user")
			}
			return invoke(cmd.Context(), env, opts.config, payload)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	f.StringVarP(&opts.user, "user", "u", "", "username (or alias) as the user would type it")
	f.StringVar(&opts.password, "password", "", "password (visible to other local users; prefer --password-stdin)")
	f.BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	f.BoolVar(&opts.forgot, "forgot", false, "send a forgot-password event (no password)")
	f.StringVar(&opts.clientID, "client-id", "local-client", "app client id in the event")
	return cmd
}

func readEvent(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxEventBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxEventBytes {
		return nil, fmt.Errorf("event larger than Lambda's %d-byte payload limit", maxEventBytes)
	}
	return b, nil
}

func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password on stdin")
	}
	return pw, nil
}

// cliLog defaults local logs to text: they are read by a person.
func cliLog(c config.Log) config.Log {
	if c.Format == "" {
		c.Format = "text"
	}
	return c
}

func invoke(ctx context.Context, env Env, configPath string, payload []byte) error {
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		return err
	}
	app, err := setup.Build(ctx, cfg, setup.NewLogger(cliLog(cfg.Log), env.Stderr))
	if err != nil {
		return err
	}
	defer app.Close()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "local-" + rand.Text()[:16]})
	out, invokeErr := app.Handler.Invoke(ctx, payload)
	if invokeErr != nil {
		// What the Lambda runtime would post: the error's type name and text.
		out, err = json.Marshal(map[string]string{"errorType": "MigrationError", "errorMessage": trigger.MigrationMessage})
		if err != nil {
			return err
		}
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	if _, err := env.Stdout.Write(pretty.Bytes()); err != nil {
		return err
	}
	if invokeErr != nil {
		return fmt.Errorf("invocation failed: %w", errors.Unwrap(invokeErr))
	}
	return nil
}
