// Package secrets resolves secret references in Ferry's configuration from
// AWS Secrets Manager and SSM Parameter Store, so a DSN, a bind password or
// an HTTP token never has to sit in the configuration in plain text.
//
// A reference is written where the value goes, in the ${…} form that
// environment variables use:
//
//	dsn: ${aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-db-AbCdEf#dsn}
//	dsn: ${aws-sm:legacy-db}                     # the whole SecretString
//	bind_password: ${aws-ssm:/ferry/ldap/bind-password}
//
// aws-sm: takes a secret name or ARN and, after "#", an optional key of the
// SecretString's JSON object (a secret made by the console's "credentials
// for database" form is such an object). aws-ssm: takes a parameter name or
// ARN and reads it WithDecryption, so SecureString parameters work.
//
// A Resolver fetches each secret once and keeps it: a Lambda fetches at
// cold start and never again while the secret works. When a backend
// refuses the credentials (source.ErrBackendAuth), Invalidate drops the
// cached values — at most once per MinRefresh — and the next Resolve
// fetches them again; that is how a rotated secret is picked up without a
// redeploy.
//
// Errors name the reference, never the value.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/logging"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Reference schemes.
const (
	SchemeSecretsManager = "aws-sm"
	SchemeParameterStore = "aws-ssm"
)

// DefaultMinRefresh bounds how often Invalidate lets a secret be fetched
// again: a backend refusing every sign-in during a rotation would
// otherwise turn each sign-in into a Secrets Manager call (charged, and
// throttled by AWS at a few thousand per second per account), and
// rotation takes seconds to settle.
const DefaultMinRefresh = 30 * time.Second

// fetchTimeout bounds one fetch when the caller's context has no deadline;
// Lambda's init phase has 10 s in all.
const fetchTimeout = 5 * time.Second

// Errors, wrapped in an *Error naming the reference.
var (
	// ErrSyntax: the reference is not scheme:id[#key].
	ErrSyntax = errors.New("malformed secret reference")
	// ErrNotFound: the secret or parameter does not exist.
	ErrNotFound = errors.New("secret not found")
	// ErrNotJSON: a #key was given and the secret is not a JSON object.
	ErrNotJSON = errors.New("secret is not a JSON object")
	// ErrNoKey: the secret's JSON object has no such key, or its value is
	// not a string or a number.
	ErrNoKey = errors.New("no such key in the secret")
	// ErrBinary: the secret holds SecretBinary, not SecretString.
	ErrBinary = errors.New("secret holds binary data, not a string")
)

// Error is a failed resolution. Its text names the reference (which says
// where the secret is) and never the value.
type Error struct {
	Ref string // the reference as written, without ${}
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("secret %s: %v", e.Ref, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Ref is a parsed reference.
type Ref struct {
	Scheme string // SchemeSecretsManager or SchemeParameterStore
	ID     string // secret name or ARN; parameter name or ARN
	Key    string // JSON key (aws-sm only), empty for the whole value
}

// String is the reference as written, without ${}.
func (r Ref) String() string {
	if r.Key != "" {
		return r.Scheme + ":" + r.ID + "#" + r.Key
	}
	return r.Scheme + ":" + r.ID
}

// IsScheme reports whether scheme is one this package resolves.
func IsScheme(scheme string) bool {
	return scheme == SchemeSecretsManager || scheme == SchemeParameterStore
}

// Parse parses "aws-sm:id#key" or "aws-ssm:name".
func Parse(s string) (Ref, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !IsScheme(scheme) {
		return Ref{}, &Error{Ref: s, Err: fmt.Errorf("%w: want %s:<name or ARN>[#key] or %s:<parameter>", ErrSyntax, SchemeSecretsManager, SchemeParameterStore)}
	}
	r := Ref{Scheme: scheme, ID: rest}
	if scheme == SchemeSecretsManager {
		if id, key, ok := strings.Cut(rest, "#"); ok {
			r.ID, r.Key = id, key
			if key == "" {
				return Ref{}, &Error{Ref: s, Err: fmt.Errorf("%w: empty key after #", ErrSyntax)}
			}
		}
	}
	if r.ID == "" || strings.ContainsAny(r.ID, " \t\n") {
		return Ref{}, &Error{Ref: s, Err: fmt.Errorf("%w: empty or blank name", ErrSyntax)}
	}
	return r, nil
}

// SecretsManagerAPI is the part of the Secrets Manager client used.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ParameterStoreAPI is the part of the SSM client used.
type ParameterStoreAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Options configure a Resolver. Every field is optional.
type Options struct {
	// AWSConfig loads the SDK configuration the first time a reference is
	// resolved (default config.LoadDefaultConfig: the Lambda's role and
	// region). A configuration without references never loads it.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// SecretsManagerEndpoint and ParameterStoreEndpoint override the
	// services' endpoints (BaseEndpoint), e.g. a VPC endpoint or a local
	// stand-in. AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM
	// work too, through the default configuration.
	SecretsManagerEndpoint string
	ParameterStoreEndpoint string
	// MinRefresh is the least time between two fetches of one secret
	// through Invalidate (default DefaultMinRefresh).
	MinRefresh time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives one line per fetch (reference, never value).
	Logger *slog.Logger
}

// Resolver resolves references, caching each fetched secret. It is safe
// for concurrent use.
type Resolver struct {
	o Options

	clientsOnce sync.Once
	clientsErr  error
	sm          SecretsManagerAPI
	ps          ParameterStoreAPI

	mu      sync.Mutex
	entries map[string]*entry // by scheme:id
	fetches int
}

type entry struct {
	value     string
	fetchedAt time.Time
	stale     bool
}

// New returns a Resolver.
func New(o Options) *Resolver {
	if o.AWSConfig == nil {
		o.AWSConfig = func(ctx context.Context) (aws.Config, error) {
			return awsconfig.LoadDefaultConfig(ctx, awsconfig.WithLogger(logging.Nop{})) // no SDK warnings on the terminal
		}
	}
	if o.MinRefresh <= 0 {
		o.MinRefresh = DefaultMinRefresh
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Resolver{o: o, entries: map[string]*entry{}}
}

func (r *Resolver) clients(ctx context.Context) error {
	r.clientsOnce.Do(func() {
		cfg, err := r.o.AWSConfig(ctx)
		if err != nil {
			r.clientsErr = fmt.Errorf("aws configuration: %w", err)
			return
		}
		r.sm = secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			if r.o.SecretsManagerEndpoint != "" {
				o.BaseEndpoint = aws.String(r.o.SecretsManagerEndpoint)
			}
		})
		r.ps = ssm.NewFromConfig(cfg, func(o *ssm.Options) {
			if r.o.ParameterStoreEndpoint != "" {
				o.BaseEndpoint = aws.String(r.o.ParameterStoreEndpoint)
			}
		})
	})
	return r.clientsErr
}

// Fetches reports how many times a secret was fetched from AWS.
func (r *Resolver) Fetches() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetches
}

// ResolveString parses and resolves a reference written as
// "aws-sm:id#key" or "aws-ssm:name".
func (r *Resolver) ResolveString(ctx context.Context, s string) (string, error) {
	ref, err := Parse(s)
	if err != nil {
		return "", err
	}
	return r.Resolve(ctx, ref)
}

// Resolve returns the value ref names, from the cache when it holds a
// fresh copy.
func (r *Resolver) Resolve(ctx context.Context, ref Ref) (string, error) {
	raw, err := r.raw(ctx, ref)
	if err != nil {
		return "", &Error{Ref: ref.String(), Err: err}
	}
	if ref.Key == "" {
		return raw, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return "", &Error{Ref: ref.String(), Err: ErrNotJSON}
	}
	switch v := obj[ref.Key].(type) {
	case string:
		return v, nil
	case float64:
		// A port number in an RDS-style secret.
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	default:
		return "", &Error{Ref: ref.String(), Err: fmt.Errorf("%w %q", ErrNoKey, ref.Key)}
	}
}

// raw returns the whole secret string, fetching it when absent or stale.
// Concurrent resolutions of one secret may fetch it twice; they happen at
// start-up, from one goroutine, in every caller Ferry has.
func (r *Resolver) raw(ctx context.Context, ref Ref) (string, error) {
	key := ref.Scheme + ":" + ref.ID
	r.mu.Lock()
	e, ok := r.entries[key]
	r.mu.Unlock()
	if ok && !e.stale {
		return e.value, nil
	}
	if err := r.clients(ctx); err != nil {
		return "", err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
	}
	start := r.o.Now()
	v, err := r.fetch(ctx, ref)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.fetches++
	r.entries[key] = &entry{value: v, fetchedAt: r.o.Now()}
	r.mu.Unlock()
	r.o.Logger.LogAttrs(ctx, slog.LevelInfo, "secret fetched", slog.String("ref", ref.Scheme+":"+ref.ID),
		slog.Float64("latency_ms", float64(r.o.Now().Sub(start).Microseconds())/1000))
	return v, nil
}

func (r *Resolver) fetch(ctx context.Context, ref Ref) (string, error) {
	switch ref.Scheme {
	case SchemeSecretsManager:
		if r.sm == nil {
			return "", errors.New("no secrets manager client")
		}
		out, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ref.ID)})
		if err != nil {
			if nf := (*smtypes.ResourceNotFoundException)(nil); errors.As(err, &nf) {
				return "", fmt.Errorf("%w: %w", ErrNotFound, err)
			}
			return "", err
		}
		if out.SecretString == nil {
			return "", ErrBinary
		}
		return *out.SecretString, nil
	case SchemeParameterStore:
		if r.ps == nil {
			return "", errors.New("no parameter store client")
		}
		out, err := r.ps.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(ref.ID), WithDecryption: aws.Bool(true)})
		if err != nil {
			if nf := (*ssmtypes.ParameterNotFound)(nil); errors.As(err, &nf) {
				return "", fmt.Errorf("%w: %w", ErrNotFound, err)
			}
			return "", err
		}
		if out.Parameter == nil || out.Parameter.Value == nil {
			return "", fmt.Errorf("%w: empty answer", ErrNotFound)
		}
		return *out.Parameter.Value, nil
	default:
		return "", fmt.Errorf("%w: scheme %q", ErrSyntax, ref.Scheme)
	}
}

// Invalidate marks the cached copies of refs stale, so the next Resolve
// fetches them again — except those fetched less than MinRefresh ago,
// which stay as they are. It reports whether any was marked: false means
// a refetch now would be too soon (or refs hold nothing cached), and the
// caller should not reopen anything.
func (r *Resolver) Invalidate(refs []Ref) bool {
	now := r.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	marked := false
	for _, ref := range refs {
		e, ok := r.entries[ref.Scheme+":"+ref.ID]
		if !ok || e.stale || now.Sub(e.fetchedAt) < r.o.MinRefresh {
			continue
		}
		e.stale = true
		marked = true
	}
	return marked
}

// LogValue shows what the resolver holds without any value: the
// references cached and the number of fetches.
func (r *Resolver) LogValue() slog.Value {
	r.mu.Lock()
	defer r.mu.Unlock()
	refs := make([]string, 0, len(r.entries))
	for k := range r.entries {
		refs = append(refs, k)
	}
	slices.Sort(refs)
	return slog.GroupValue(slog.Any("cached", refs), slog.Int("fetches", r.fetches))
}
