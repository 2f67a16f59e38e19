// Package cognitotest starts the local user pool's whole API on 127.0.0.1
// for tests, in the manner of net/http/httptest: NewServer(t) returns a
// running server with a pool and an app client ready, an aws-sdk-go-v2
// client pointed at it, and stops everything when the test ends.
package cognitotest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/managedlogin"
	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

// Region is the region of the test server's pools.
const Region = "us-east-1"

// MigrationARN is the UserMigration trigger WithMigration wires the pool to.
const MigrationARN = "arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate"

// Server is a running local user pool.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234.
	URL string
	// Service is the pool service behind the API.
	Service *userpool.Service
	// PoolID and ClientID name the ready pool and its app client (no
	// secret, every supported auth flow allowed).
	PoolID   string
	ClientID string
	// API is an aws-sdk-go-v2 client for URL with dummy credentials.
	API *cip.Client

	http *httptest.Server
}

type options struct {
	cfg       userpool.Config
	migration userpool.Invoker
	pool      []func(*cip.CreateUserPoolInput)
	client    []func(*cip.CreateUserPoolClientInput)
	store     userpool.Store
	sqlite    bool
	custom    *SecretCode
}

// Option configures NewServer.
type Option func(*options)

// WithMigration wires the ready pool's UserMigration trigger to inv.
func WithMigration(inv userpool.Invoker) Option {
	return func(o *options) { o.migration = inv }
}

// WithPool adjusts the ready pool's CreateUserPool input.
func WithPool(f func(*cip.CreateUserPoolInput)) Option {
	return func(o *options) { o.pool = append(o.pool, f) }
}

// WithClient adjusts the ready client's CreateUserPoolClient input.
func WithClient(f func(*cip.CreateUserPoolClientInput)) Option {
	return func(o *options) { o.client = append(o.client, f) }
}

// WithConfig adjusts the service configuration (clock, trigger bounds,
// resolver, logger, AWS-shaped issuer, …).
func WithConfig(f func(*userpool.Config)) Option {
	return func(o *options) { f(&o.cfg) }
}

// WithSQLite keeps the pool in a SQLite store in t.TempDir() instead of
// memory, to run the same test against the persistent store.
func WithSQLite() Option {
	return func(o *options) { o.sqlite = true }
}

// WithStore uses st instead of a fresh in-memory store; the server closes it.
func WithStore(st userpool.Store) Option {
	return func(o *options) { o.store = st }
}

var (
	keysOnce sync.Once
	keys     *tokens.KeySet
	keysErr  error
)

// testKeys shares one key set across a test binary: RSA generation is the
// slowest part of starting a server.
func testKeys() (*tokens.KeySet, error) {
	keysOnce.Do(func() { keys, keysErr = tokens.GenerateKeySet() })
	return keys, keysErr
}

// NewServer starts the API with a memstore (or WithSQLite, WithStore) on 127.0.0.1 and creates a pool
// and an app client through it.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	ks, err := testKeys()
	if err != nil {
		t.Fatalf("cognitotest: keys: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cognitotest: listen: %v", err)
	}
	url := "http://" + ln.Addr().String()
	cfg := o.cfg
	cfg.Keys = ks
	switch {
	case o.store != nil:
		cfg.Store = o.store
	case o.sqlite:
		st, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Dir: t.TempDir()}, nil)
		if err != nil {
			t.Fatalf("cognitotest: sqlite store: %v", err)
		}
		cfg.Store = st
	default:
		cfg.Store = memstore.New()
	}
	if cfg.IssuerBase == "" {
		cfg.IssuerBase = url
	}
	if cfg.Region == "" {
		cfg.Region = Region
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if (o.migration != nil || o.custom != nil) && cfg.Resolver == nil {
		mig, custom := o.migration, o.custom
		cfg.Resolver = func(arn string) (userpool.Invoker, error) {
			if custom != nil {
				if inv := custom.Invoker(arn); inv != nil {
					return inv, nil
				}
			}
			if mig == nil {
				return nil, fmt.Errorf("cognitotest: no function %s", arn)
			}
			return mig, nil
		}
	}
	svc, err := userpool.New(cfg)
	if err != nil {
		t.Fatalf("cognitotest: service: %v", err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: managedlogin.Mount(cognitoapi.New(svc, cfg.Logger), svc, cfg.Logger)}}
	hs.Start()
	s := &Server{URL: url, Service: svc, http: hs}
	t.Cleanup(func() {
		hs.Close()
		_ = cfg.Store.Close()
	})
	s.API = NewClient(url)

	ctx := context.Background()
	pin := &cip.CreateUserPoolInput{PoolName: aws.String("test-pool")}
	if o.migration != nil {
		pin.LambdaConfig = &types.LambdaConfigType{UserMigration: aws.String(MigrationARN)}
	}
	for _, f := range o.pool {
		f(pin)
	}
	pout, err := s.API.CreateUserPool(ctx, pin)
	if err != nil {
		t.Fatalf("cognitotest: CreateUserPool: %v", err)
	}
	s.PoolID = aws.ToString(pout.UserPool.Id)
	cin := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientName: aws.String("test-client"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		}}
	for _, f := range o.client {
		f(cin)
	}
	cout, err := s.API.CreateUserPoolClient(ctx, cin)
	if err != nil {
		t.Fatalf("cognitotest: CreateUserPoolClient: %v", err)
	}
	s.ClientID = aws.ToString(cout.UserPoolClient.ClientId)
	return s
}

// NewClient returns an aws-sdk-go-v2 Cognito client for a local endpoint,
// with dummy static credentials (signed operations need some). It retries
// connection errors only, so a test sees every answer the server sends:
// Go's transport can close a kept-alive connection under a response being
// read (aws/aws-sdk-go-v2#2737), which the SDK's default retryer also
// absorbs.
func NewClient(url string) *cip.Client {
	return cip.New(cip.Options{
		Region:       Region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		Retryer:      ConnectionRetryer(),
	})
}

// ConnectionRetryer retries an API call up to 3 times on connection errors
// only; every answer of the server reaches the caller as sent.
func ConnectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
	})
}

// CreateUser creates a CONFIRMED user with a permanent password and the
// given attributes (name, value pairs).
func (s *Server) CreateUser(t testing.TB, username, password string, attrs ...string) {
	t.Helper()
	ctx := context.Background()
	var at []types.AttributeType
	for i := 0; i+1 < len(attrs); i += 2 {
		at = append(at, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	if _, err := s.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String(username), UserAttributes: at, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("cognitotest: AdminCreateUser %s: %v", username, err)
	}
	if _, err := s.API.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(s.PoolID),
		Username: aws.String(username), Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatalf("cognitotest: AdminSetUserPassword %s: %v", username, err)
	}
}

// SignIn runs USER_PASSWORD_AUTH with the ready client.
func (s *Server) SignIn(ctx context.Context, username, password string) (*cip.InitiateAuthOutput, error) {
	return s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}})
}
