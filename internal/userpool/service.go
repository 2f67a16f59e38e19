package userpool

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/ferry-migrate/ferry/internal/timing"
	"github.com/ferry-migrate/ferry/internal/tokens"
)

// Resolver finds the Invoker for a trigger named in a pool's LambdaConfig
// (an ARN or a function name).
type Resolver func(arn string) (Invoker, error)

// Config configures a Service.
type Config struct {
	Store  Store
	Logger *slog.Logger
	// Region is used for pool ids when a request names none.
	Region string
	// Keys sign the pools' tokens.
	Keys *tokens.KeySet
	// IssuerBase is the token issuer without the pool id, e.g.
	// "http://127.0.0.1:9229". When AWSIssuer is set the issuer is
	// https://cognito-idp.<region>.amazonaws.com/<poolId> instead.
	IssuerBase string
	AWSIssuer  bool
	// Resolver finds a pool's migration trigger. Nil: pools with a
	// UserMigration trigger fail sign-ins of unknown users with
	// UnexpectedLambdaException.
	Resolver Resolver
	// Mailer delivers codes besides the outbox; nil keeps them local.
	Mailer Mailer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TriggerTimeout bounds one trigger attempt (Cognito: 5 s), and
	// TriggerAttempts is how many attempts a timeout or invoke failure
	// gets (Cognito: 3).
	TriggerTimeout  time.Duration
	TriggerAttempts int
}

// Service is the local user pool: every Cognito operation Ferry serves, as
// plain Go calls. It is safe for concurrent use.
type Service struct {
	store           Store
	log             *slog.Logger
	region          string
	keys            *tokens.KeySet
	issuerBase      string
	awsIssuer       bool
	resolve         Resolver
	mailer          Mailer
	now             func() time.Time
	triggerTimeout  time.Duration
	triggerAttempts int

	flights singleflight.Group

	floorsMu     sync.Mutex
	forgotFloors map[string]*timing.Floor // by pool id: pads every ForgotPassword delivery (forgot.go)

	schemaMu sync.Mutex // serialises schema changes (AddCustomAttributes)

	mu          sync.Mutex
	srpStates   map[string]*srpState            // by SECRET_BLOCK
	sessions    map[string]*challengeSess       // by Session
	revokedJTIs map[string]time.Time            // origin_jti → when its access tokens expire anyway
	userJTIs    map[string]map[string]time.Time // pool\x00username → origin_jti → expiry
}

// Trigger bounds, as Cognito applies them to every synchronous trigger.
const (
	DefaultTriggerTimeout  = 5 * time.Second
	DefaultTriggerAttempts = 3
)

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("userpool: store is required")
	}
	if cfg.Keys == nil {
		return nil, errors.New("userpool: signing keys are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TriggerTimeout <= 0 {
		cfg.TriggerTimeout = DefaultTriggerTimeout
	}
	if cfg.TriggerAttempts <= 0 {
		cfg.TriggerAttempts = DefaultTriggerAttempts
	}
	return &Service{
		store: cfg.Store, log: cfg.Logger.With("component", "userpool"), region: cfg.Region,
		keys: cfg.Keys, issuerBase: strings.TrimRight(cfg.IssuerBase, "/"), awsIssuer: cfg.AWSIssuer,
		resolve: cfg.Resolver, mailer: cfg.Mailer, now: cfg.Now,
		triggerTimeout: cfg.TriggerTimeout, triggerAttempts: cfg.TriggerAttempts,
		srpStates: map[string]*srpState{}, sessions: map[string]*challengeSess{},
		revokedJTIs: map[string]time.Time{}, userJTIs: map[string]map[string]time.Time{},
	}, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Region returns the default region.
func (s *Service) Region() string { return s.region }

// Issuer returns the token issuer of a pool.
func (s *Service) Issuer(poolID string) string {
	if s.awsIssuer {
		return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", PoolRegion(poolID), poolID)
	}
	return s.issuerBase + "/" + poolID
}

// Keys returns the signing keys.
func (s *Service) Keys() *tokens.KeySet { return s.keys }

// PoolRegion is the region prefix of a pool id ("eu-west-1_AbC" → "eu-west-1").
func PoolRegion(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return region
}

// pool is a loaded pool with its decoded settings.
type pool struct {
	*Pool
	set PoolSettings
}

// client is a loaded client with its decoded settings.
type client struct {
	*Client
	set ClientSettings
}

func (s *Service) loadPool(ctx context.Context, id string) (*pool, error) {
	if id == "" {
		return nil, newErr(ErrInvalidParameter, "UserPoolId must not be empty.")
	}
	if err := checkPoolID(id); err != nil {
		return nil, err
	}
	p, err := s.store.GetPool(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrResourceNotFound, "User pool %s does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load pool %s: %w", id, err)
	}
	lp := &pool{Pool: p}
	if err := json.Unmarshal(p.Settings, &lp.set); err != nil {
		return nil, fmt.Errorf("decode settings of pool %s: %w", id, err)
	}
	return lp, nil
}

func (s *Service) loadClient(ctx context.Context, id string) (*client, error) {
	if id == "" {
		return nil, newErr(ErrInvalidParameter, "ClientId must not be empty.")
	}
	c, err := s.store.GetClient(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrResourceNotFound, "User pool client %s does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load client %s: %w", id, err)
	}
	lc := &client{Client: c}
	if err := json.Unmarshal(c.Settings, &lc.set); err != nil {
		return nil, fmt.Errorf("decode settings of client %s: %w", id, err)
	}
	return lc, nil
}

// loadClientPool loads a client and its pool; poolID, when set, must match.
func (s *Service) loadClientPool(ctx context.Context, poolID, clientID string) (*pool, *client, error) {
	c, err := s.loadClient(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	if poolID != "" && c.PoolID != poolID {
		if _, err := s.loadPool(ctx, poolID); err != nil {
			return nil, nil, err
		}
		return nil, nil, newErr(ErrResourceNotFound, "User pool client %s does not exist.", clientID)
	}
	p, err := s.loadPool(ctx, c.PoolID)
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}

const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
		}
		if int(buf[0]) < limit {
			out[i] = alphabet[int(buf[0])%len(alphabet)]
			i++
		}
	}
	return string(out)
}

// NewPoolID returns a pool id in Cognito's form: <region>_<9 alnum>.
func NewPoolID(region string) string { return region + "_" + randomString(alnum, 9) }

// NewClientID returns a client id in Cognito's form: 26 lowercase alnum.
func NewClientID() string { return randomString(lowerAlnum, 26) }

// newClientSecret returns a secret shaped like Cognito's (51 lowercase alnum).
func newClientSecret() string { return randomString(lowerAlnum, 51) }
