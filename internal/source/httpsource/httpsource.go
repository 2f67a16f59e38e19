// Package httpsource is a legacy source behind an HTTP endpoint the legacy
// team runs: Ferry posts the typed name and password and the endpoint says
// who the user is, or that the password is wrong, the user unknown or
// disabled. Two contracts are spoken: Ferry's own (docs/http-source.md;
// POST {url}/verify and POST {url}/lookup) and Keycloak's user-migration
// REST contract (GET and POST {url}/{username}).
//
// Requests may carry a bearer token, basic credentials or an HMAC signature
// (see Sign), over TLS with a private CA and a client certificate. Every
// call is bounded by the timeout, responses by a size limit, and redirects
// are never followed (a redirect is a fault: the password would otherwise
// be re-sent to wherever it points). No password appears in a log line or an
// error text.
//
// Timing: an unknown user must cost what a wrong password costs. In ferry
// mode that is the endpoint's job (the reference implementation verifies a
// dummy hash); in keycloak mode Ferry makes the same two round trips for an
// unknown user as for a known one (the second is a password check for the
// unknown name, whose answer is ignored).
package httpsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Faults the endpoint can cause, wrapped in a *source.Error.
var (
	// ErrStatus: the endpoint answered with a status the contract does not
	// define (5xx, 429, a redirect, …).
	ErrStatus = errors.New("unexpected status")
	// ErrRefused: the endpoint refused Ferry's own credentials (a 401 with a
	// WWW-Authenticate challenge): a configuration problem, not a wrong
	// password.
	ErrRefused = errors.New("endpoint refused ferry's credentials")
	// ErrResponseTooLarge: the body exceeded MaxResponseBytes.
	ErrResponseTooLarge = errors.New("response too large")
	// ErrBadResponse: the body is not the user JSON the contract defines.
	ErrBadResponse = errors.New("malformed response")
)

// Source is a legacy HTTP endpoint. It implements source.Source,
// source.Checker and io.Closer, and is safe for concurrent use.
type Source struct {
	name   string
	cfg    Config
	base   *url.URL
	log    *slog.Logger
	client *http.Client

	token, basicUser, basicPassword string
	hmacKey                         []byte
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
)

// Open validates c and returns a Source named name. It does not connect.
func (c Config) Open(ctx context.Context, name string, log *slog.Logger) (*Source, error) {
	fail := func(err error) (*Source, error) {
		return nil, &source.Error{Source: name, Op: "open", Err: err}
	}
	if err := c.Validate(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if c.Mode == "" {
		c.Mode = ModeFerry
	}
	if c.Auth.Type == "" {
		c.Auth.Type = AuthNone
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	base, err := url.Parse(strings.TrimRight(c.URL, "/"))
	if err != nil {
		return fail(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{name: name, cfg: c, base: base, log: log.With("source", name, "type", "http")}
	a := c.Auth
	if s.token, err = secret(a.Token, a.TokenFile); err != nil {
		return fail(fmt.Errorf("auth.token_file: %w", err))
	}
	s.basicUser = a.Username
	if s.basicPassword, err = secret(a.Password, a.PasswordFile); err != nil {
		return fail(fmt.Errorf("auth.password_file: %w", err))
	}
	key, err := secret(a.HMACKey, a.HMACKeyFile)
	if err != nil {
		return fail(fmt.Errorf("auth.hmac_key_file: %w", err))
	}
	s.hmacKey = []byte(key)
	tlsConf, err := c.TLS.config()
	if err != nil {
		return fail(err)
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   c.Timeout,
		ResponseHeaderTimeout: c.Timeout,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	s.client = &http.Client{
		Transport: transport,
		// Never follow a redirect: the request carries a password.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.log.DebugContext(ctx, "opened", "config", c)
	return s, nil
}

// Close releases idle connections.
func (s *Source) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// credentials is a request body that may hold a password; it never logs it.
type credentials struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// LogValue redacts the password.
func (c credentials) LogValue() slog.Value {
	pw := ""
	if c.Password != "" {
		pw = "REDACTED"
	}
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", pw))
}

// Authenticate asks the endpoint to verify password.
func (s *Source) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	if password == "" {
		return nil, source.ErrInvalidPassword
	}
	if !identity.Usable(name) {
		return nil, source.ErrUserNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var (
		u   *source.User
		err error
	)
	if s.cfg.Mode == ModeKeycloak {
		u, err = s.keycloakAuthenticate(ctx, name, password)
	} else {
		u, err = s.ferryCall(ctx, "/verify", credentials{Username: name, Password: password}, true)
	}
	if err != nil {
		if source.IsOutcome(err) {
			s.log.DebugContext(ctx, "authenticate", "name", name, "outcome", err.Error())
			return nil, err
		}
		return nil, &source.Error{Source: s.name, Op: "authenticate", Err: err}
	}
	return u, nil
}

// Lookup asks the endpoint for the user, without a password.
func (s *Source) Lookup(ctx context.Context, name string) (*source.User, error) {
	if !identity.Usable(name) {
		return nil, source.ErrUserNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var (
		u   *source.User
		err error
	)
	if s.cfg.Mode == ModeKeycloak {
		u, err = s.keycloakGet(ctx, name)
	} else {
		u, err = s.ferryCall(ctx, "/lookup", credentials{Username: name}, false)
	}
	if err != nil {
		if source.IsOutcome(err) {
			return nil, err
		}
		return nil, &source.Error{Source: s.name, Op: "lookup", Err: err}
	}
	return u, nil
}

// Check asks the endpoint for a user that does not exist and expects a
// well-formed "unknown" (or a user): it proves the endpoint is reachable,
// accepts Ferry's credentials and speaks the contract.
func (s *Source) Check(ctx context.Context) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	_, err := s.Lookup(ctx, "ferry-check-"+hex.EncodeToString(b[:]))
	if err == nil || errors.Is(err, source.ErrUserNotFound) {
		return nil
	}
	var se *source.Error
	if errors.As(err, &se) {
		se.Op = "check"
		return se
	}
	return &source.Error{Source: s.name, Op: "check", Err: err}
}
