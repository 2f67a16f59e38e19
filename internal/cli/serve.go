package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/managedlogin"
	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/setup/localpool"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// serveOptions are the flags of ferry serve.
type serveOptions struct {
	addr           string
	dataDir        string
	ephemeral      bool
	configPath     string
	region         string
	issuer         string
	lambdaEndpoint string
	smtpAddr       string
	smtpFrom       string
	logLevel       string
	memoryMB       int
}

// Names of the default pool and client that --config wires to the
// in-process trigger.
const (
	defaultPoolName   = "ferry"
	defaultClientName = "ferry-app"
)

// inProcessTriggerARN is the UserMigration ARN of Ferry's in-process
// trigger in a region.
func inProcessTriggerARN(region string) string {
	return "arn:aws:lambda:" + region + ":000000000000:function:ferry-migrate"
}

func newServeCmd(env Env) *cobra.Command {
	o := serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a local Cognito-compatible user pool that runs the migration trigger as Cognito does",
		Long: `serve runs a local user pool speaking Amazon Cognito's API (point the AWS CLI or any
AWS SDK at it with --endpoint-url / BaseEndpoint). Pools run their UserMigration trigger
exactly as Cognito does: Ferry's own trigger in-process (--config), or any Lambda function
reached over the Lambda Invoke API (--lambda-endpoint).

Codes sent to users (sign-up confirmation, password reset) are logged, kept in the
outbox (ferry outbox, GET /_ferry/outbox) and optionally mailed through --smtp-addr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), o, env.Stdout, env.Stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:9229", "address to listen on")
	f.StringVar(&o.dataDir, "data-dir", "", "directory of the persistent pool database and signing keys (default $XDG_DATA_HOME/ferry or ~/.local/share/ferry)")
	f.BoolVar(&o.ephemeral, "ephemeral", false, "keep everything in memory; nothing is written to disk")
	f.IntVar(&o.memoryMB, "memory", 0, "memory in MB the trigger may use, as a Lambda's memory size: sizes the budget of memory-hard hash verification (default 512)")
	f.StringVar(&o.configPath, "config", "", "Ferry trigger configuration: creates or updates a default pool and client wired to the in-process trigger")
	f.StringVar(&o.region, "region", "us-east-1", "region of new pool ids when a request is not signed for one")
	f.StringVar(&o.issuer, "issuer", "local", `token issuer: "local" (http://<addr>/<poolId>) or "aws" (https://cognito-idp.<region>.amazonaws.com/<poolId>)`)
	f.StringVar(&o.lambdaEndpoint, "lambda-endpoint", "", "Lambda Invoke API base URL for triggers other than Ferry's in-process one")
	f.StringVar(&o.smtpAddr, "smtp-addr", "", "SMTP server (host:port) that also receives emailed codes, e.g. a development mail catcher")
	f.StringVar(&o.smtpFrom, "smtp-from", "no-reply@ferry.local", "sender address of emailed codes")
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}

// defaultDataDir is $XDG_DATA_HOME/ferry, or ~/.local/share/ferry.
func defaultDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ferry"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: %w (use --data-dir or --ephemeral)", err)
	}
	return filepath.Join(home, ".local", "share", "ferry"), nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// runServe runs the server until ctx ends.
func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer) (err error) {
	level, err := parseLevel(o.logLevel)
	if err != nil {
		return err
	}
	if o.issuer != "local" && o.issuer != "aws" {
		return fmt.Errorf("--issuer %q: want local or aws", o.issuer)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	dir := ""
	if !o.ephemeral {
		if dir = o.dataDir; dir == "" {
			if dir, err = defaultDataDir(); err != nil {
				return err
			}
		}
	}
	store, keys, err := localpool.Open(ctx, dir, logger)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the pool database: %w", cerr)
		}
	}()

	var app *setup.App
	var custom []string // the custom attributes the configuration returns
	if o.configPath != "" {
		cfg, err := setup.LoadFile(o.configPath)
		if err != nil {
			return err
		}
		custom = setup.CustomAttributes(cfg)
		// The trigger's EMF metric lines go to stderr with the logs: what a
		// developer sees here is what CloudWatch Logs receives from Lambda.
		// The pool is ours: a write-back mark follows the pool's commit of
		// the user (see committer), so a crash in between can leave a user
		// in the pool unmarked, never one marked and absent.
		bo := setup.Options{Logger: logger, MemoryMB: o.memoryMB, DeferMarks: true, Warm: true}
		if !cfg.Metrics.Disabled {
			bo.Metrics = metrics.NewEmitter(stderr, metrics.Options{Namespace: cfg.Metrics.Namespace})
		}
		if app, err = setup.BuildWith(ctx, cfg, bo); err != nil {
			return fmt.Errorf("build the trigger from %s: %w", o.configPath, err)
		}
		defer func() { _ = app.Close() }()
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	defer ln.Close()
	endpoint := "http://" + ln.Addr().String()

	var mailer userpool.Mailer
	if o.smtpAddr != "" {
		mailer = &userpool.SMTPMailer{Addr: o.smtpAddr, From: o.smtpFrom}
	}
	svc, err := userpool.New(userpool.Config{
		Store: store, Logger: logger, Region: o.region, Keys: keys, IssuerBase: endpoint,
		AWSIssuer: o.issuer == "aws", Mailer: mailer, Resolver: newResolver(app, o),
	})
	if err != nil {
		return err
	}

	var poolID, clientID string
	if app != nil {
		if poolID, clientID, err = ensureDefaultPool(ctx, svc, o.region, custom); err != nil {
			return err
		}
	}
	printBanner(stdout, endpoint, o, poolID, clientID)

	srv := &http.Server{Handler: managedlogin.Mount(cognitoapi.New(svc, logger), svc, logger), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// newResolver finds a pool's triggers: Ferry's in-process trigger
// under its ARN in any region, any other function over the Invoke API.
func newResolver(app *setup.App, o serveOptions) userpool.Resolver {
	var (
		mu     sync.Mutex
		remote = map[string]userpool.Invoker{}
	)
	var inProcess userpool.Invoker
	if app != nil {
		inProcess = committer{Invoker: lambdainvoke.InProcess(app.Handler), m: app.Migrator}
	}
	return func(arn string) (userpool.Invoker, error) {
		if inProcess != nil && isInProcessARN(arn) {
			return inProcess, nil
		}
		if o.lambdaEndpoint == "" {
			return nil, fmt.Errorf("no function %s: start ferry serve with --config for Ferry's trigger or --lambda-endpoint for others", arn)
		}
		mu.Lock()
		defer mu.Unlock()
		if inv, ok := remote[arn]; ok {
			return inv, nil
		}
		region := o.region
		if parts := strings.Split(arn, ":"); len(parts) > 3 && strings.HasPrefix(arn, "arn:") {
			region = parts[3]
		}
		inv, err := lambdainvoke.NewHTTP(o.lambdaEndpoint, arn, lambdainvoke.WithRegion(region))
		if err != nil {
			return nil, err
		}
		remote[arn] = inv
		return inv, nil
	}
}

// committer is the in-process trigger as a userpool.Committer: the pool's
// commit of a migrated user releases the write-back the Migrator held.
type committer struct {
	userpool.Invoker
	m *migration.Migrator
}

func (c committer) Committed(ctx context.Context, userName string) { c.m.Committed(ctx, userName) }

func isInProcessARN(arn string) bool {
	return arn == "ferry-migrate" || strings.HasPrefix(arn, "arn:aws:lambda:") && strings.HasSuffix(arn, ":000000000000:function:ferry-migrate")
}

// ensureDefaultPool finds or creates the pool and client --config wires to
// the in-process trigger, points the pool's UserMigration at it, and
// declares the custom attributes the configuration returns.
func ensureDefaultPool(ctx context.Context, svc *userpool.Service, region string, custom []string) (poolID, clientID string, err error) {
	var pool *userpool.PoolView
	token := ""
	for {
		pools, next, err := svc.ListPools(ctx, 60, token)
		if err != nil {
			return "", "", fmt.Errorf("list pools: %w", err)
		}
		for _, p := range pools {
			if p.Pool.Name == defaultPoolName && pool == nil {
				pool = p
			}
		}
		if next == "" || pool != nil {
			break
		}
		token = next
	}
	if pool == nil {
		in := userpool.CreatePoolInput{Name: defaultPoolName, Region: region, DefaultPolicy: true}
		in.Settings.LambdaConfig.UserMigration = inProcessTriggerARN(region)
		in.Settings.AutoVerifiedAttributes = []string{"email"}
		// Case-insensitive usernames: a migrating user must not become two
		// users by typing their name in another case.
		in.Settings.UsernameConfiguration = &userpool.UsernameConfiguration{CaseSensitive: false}
		in.Schema = customSchema(custom, nil)
		if pool, err = svc.CreatePool(ctx, in); err != nil {
			return "", "", fmt.Errorf("create the default pool: %w", err)
		}
	} else if want := inProcessTriggerARN(userpool.PoolRegion(pool.Pool.ID)); pool.Settings.LambdaConfig.UserMigration != want {
		err := svc.UpdatePool(ctx, pool.Pool.ID, func(cur userpool.PoolSettings) (string, userpool.PoolSettings) {
			cur.LambdaConfig.UserMigration = want
			return "", cur
		})
		if err != nil {
			return "", "", fmt.Errorf("wire the default pool to the trigger: %w", err)
		}
	}
	if add := customSchema(custom, pool.Settings.SchemaAttributes); len(add) > 0 {
		if err := svc.AddCustomAttributes(ctx, pool.Pool.ID, add); err != nil {
			return "", "", fmt.Errorf("add the configuration's custom attributes to the default pool: %w", err)
		}
	}
	clients, _, err := svc.ListClients(ctx, pool.Pool.ID, 60, "")
	if err != nil {
		return "", "", fmt.Errorf("list clients: %w", err)
	}
	for _, c := range clients {
		if c.Client.Name == defaultClientName {
			return pool.Pool.ID, c.Client.ID, nil
		}
	}
	c, err := svc.CreateClient(ctx, userpool.CreateClientInput{PoolID: pool.Pool.ID, Name: defaultClientName,
		// As a migrating pool's clients must be (ferry preflight blocks
		// otherwise): failed sign-ins and resets do not tell who exists.
		Settings: userpool.ClientSettings{ExplicitAuthFlows: []string{userpool.FlowUserPassword,
			userpool.FlowAdminUserPassword, userpool.FlowUserSRP, userpool.FlowRefresh},
			PreventUserExistenceErrors: "ENABLED"}})
	if err != nil {
		return "", "", fmt.Errorf("create the default client: %w", err)
	}
	return pool.Pool.ID, c.Client.ID, nil
}

// customSchema declares the custom attributes of names that have is
// missing: mutable strings, as a migration writes them.
func customSchema(names []string, have []userpool.SchemaAttribute) []userpool.SchemaAttribute {
	var out []userpool.SchemaAttribute
	for _, n := range names {
		if !slices.ContainsFunc(have, func(a userpool.SchemaAttribute) bool { return a.Name == n }) {
			out = append(out, userpool.SchemaAttribute{Name: n, AttributeDataType: "String", Mutable: true})
		}
	}
	return out
}

// printBanner tells the developer where the pool is and how to use it.
func printBanner(w io.Writer, endpoint string, o serveOptions, poolID, clientID string) {
	fmt.Fprintf(w, "Ferry local user pool listening on %s\n", endpoint)
	if o.ephemeral {
		fmt.Fprintln(w, "storage: in memory (--ephemeral): everything is lost on exit")
	}
	if poolID == "" {
		printEnvironment(w, endpoint, o.region)
		fmt.Fprintf(w, "\nCreate a pool:\n  aws cognito-idp create-user-pool --endpoint-url %s --region %s --pool-name my-pool\n", endpoint, o.region)
		fmt.Fprintf(w, "\nCodes sent to users: ferry outbox --endpoint %s\n", endpoint)
		return
	}
	fmt.Fprintf(w, "pool:   %s (UserMigration → Ferry's trigger, in-process)\n", poolID)
	fmt.Fprintf(w, "client: %s\n", clientID)
	fmt.Fprintf(w, "jwks:   %s/%s/.well-known/jwks.json\n", endpoint, poolID)
	printEnvironment(w, endpoint, userpool.PoolRegion(poolID))
	fmt.Fprintf(w, "\nSign a legacy user in (the first sign-in migrates them):\n")
	fmt.Fprintf(w, "  aws cognito-idp initiate-auth --endpoint-url %s --region %s \\\n", endpoint, userpool.PoolRegion(poolID))
	fmt.Fprintf(w, "    --auth-flow USER_PASSWORD_AUTH --client-id %s \\\n", clientID)
	fmt.Fprintf(w, "    --auth-parameters USERNAME=<legacy user>,PASSWORD=<their password>\n")
	fmt.Fprintf(w, "\nSee who is in the pool:\n")
	fmt.Fprintf(w, "  aws cognito-idp list-users --endpoint-url %s --region %s --user-pool-id %s\n", endpoint, userpool.PoolRegion(poolID), poolID)
	fmt.Fprintf(w, "\nStart a password reset (migrates the user too; the code lands in the outbox):\n")
	fmt.Fprintf(w, "  aws cognito-idp forgot-password --endpoint-url %s --region %s --client-id %s --username <legacy user>\n", endpoint, userpool.PoolRegion(poolID), clientID)
	fmt.Fprintf(w, "  ferry outbox --endpoint %s\n", endpoint)
}

// printEnvironment prints what the AWS CLI and SDKs need before they call
// the local pool: some credentials (it accepts any, but a client refuses to
// sign without them) and a region.
func printEnvironment(w io.Writer, endpoint, region string) {
	fmt.Fprintf(w, "\nIn the shell that runs the AWS CLI or your app (any credentials will do here):\n")
	fmt.Fprintf(w, "  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=%s AWS_DEFAULT_REGION=%s\n", region, region)
	fmt.Fprintf(w, "  export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=%s  # SDKs, AWS CLI 2.13+; the commands below pass --endpoint-url\n", endpoint)
}
