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
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
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

func (t TLS) config() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.ca_file: %s holds no PEM certificate", t.CAFile)
		}
		conf.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.cert_file: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
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

// response is a received answer, body already read within the size limit.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request and reads the answer. Faults only.
func (s *Source) call(ctx context.Context, method, path string, body any) (*response, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	// path is already escaped; the base URL has no query or fragment.
	req, err := http.NewRequestWithContext(ctx, method, s.base.String()+path, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	u := req.URL
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ferry")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch s.cfg.Auth.Type {
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+s.token)
	case AuthBasic:
		req.SetBasicAuth(s.basicUser, s.basicPassword)
	case AuthHMAC:
		req.Header.Set(SignatureHeader, Sign(s.hmacKey, method, req.URL.EscapedPath(), time.Now(), payload))
	}
	res, err := s.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		return nil, err // *url.Error: method, URL (no password) and cause
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, s.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading response: %w", method, u.Redacted(), err)
	}
	if int64(len(b)) > s.cfg.MaxResponseBytes {
		return nil, fmt.Errorf("%s %s: %w (over %d bytes)", method, u.Redacted(), ErrResponseTooLarge, s.cfg.MaxResponseBytes)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}, nil
}

// outcome maps the statuses the contracts share: 404 unknown, 423
// disabled, 401 (without a challenge) and 403 a wrong password when
// passwordAnswer; anything unexpected is a fault.
func (r *response) outcome(passwordAnswer bool) error {
	switch r.status {
	case http.StatusNotFound:
		return source.ErrUserNotFound
	case http.StatusLocked:
		return source.ErrUserDisabled
	case http.StatusUnauthorized:
		// A 401 with a WWW-Authenticate challenge comes from the endpoint's
		// authentication layer (RFC 9110 requires the header there): the
		// endpoint refused Ferry, not the user's password.
		if r.header.Get("WWW-Authenticate") != "" {
			return fmt.Errorf("%w: %w", source.ErrBackendAuth, ErrRefused)
		}
		if passwordAnswer {
			return source.ErrInvalidPassword
		}
	case http.StatusForbidden:
		if passwordAnswer {
			return source.ErrInvalidPassword
		}
	}
	return fmt.Errorf("%w %d", ErrStatus, r.status)
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

// ferryUser is a user in Ferry's contract.
type ferryUser struct {
	ID                  string            `json:"id"`
	Username            string            `json:"username"`
	Email               string            `json:"email"`
	EmailVerified       bool              `json:"email_verified"`
	PhoneNumber         string            `json:"phone_number"`
	PhoneNumberVerified bool              `json:"phone_number_verified"`
	Attributes          map[string]string `json:"attributes"`
	Groups              []string          `json:"groups"`
	// PasswordResetRequired: the legacy application requires a new
	// password; the user migrates with RESET_REQUIRED.
	PasswordResetRequired bool `json:"password_reset_required"`
}

func (s *Source) ferryCall(ctx context.Context, path string, body credentials, passwordAnswer bool) (*source.User, error) {
	res, err := s.call(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	if res.status != http.StatusOK {
		return nil, res.outcome(passwordAnswer)
	}
	var fu ferryUser
	if err := json.Unmarshal(res.body, &fu); err != nil {
		return nil, fmt.Errorf("POST %s: %w: %v", path, ErrBadResponse, jsonErr(err))
	}
	if fu.ID == "" {
		return nil, fmt.Errorf("POST %s: %w: no id", path, ErrBadResponse)
	}
	u := &source.User{
		ID:            fu.ID,
		Username:      fu.Username,
		Email:         fu.Email,
		EmailVerified: fu.EmailVerified && fu.Email != "",
		Phone:         fu.PhoneNumber,
		PhoneVerified: fu.PhoneNumberVerified && fu.PhoneNumber != "",
		Attributes:    fu.Attributes,
		Groups:        fu.Groups,
		ResetRequired: fu.PasswordResetRequired,
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if u.Username == "" {
		u.Username = body.Username
	}
	return u, nil
}

// keycloakUser is a user in the Keycloak user-migration contract.
type keycloakUser struct {
	ID              string              `json:"id"`
	Username        string              `json:"username"`
	Email           string              `json:"email"`
	EmailVerified   bool                `json:"emailVerified"`
	FirstName       string              `json:"firstName"`
	LastName        string              `json:"lastName"`
	Enabled         *bool               `json:"enabled"`
	Attributes      map[string][]string `json:"attributes"`
	Groups          []string            `json:"groups"`
	Roles           []string            `json:"roles"`
	RequiredActions []string            `json:"requiredActions"`
}

// keycloakPath is the path for a user: "/" and the escaped name. "." and
// ".." are refused: they would name the collection or its parent.
func keycloakPath(name string) (string, bool) {
	if name == "" || name == "." || name == ".." {
		return "", false
	}
	return "/" + url.PathEscape(name), true
}

func (s *Source) keycloakGet(ctx context.Context, name string) (*source.User, error) {
	path, ok := keycloakPath(name)
	if !ok {
		return nil, source.ErrUserNotFound
	}
	res, err := s.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	if res.status != http.StatusOK {
		return nil, res.outcome(false)
	}
	var ku keycloakUser
	if err := json.Unmarshal(res.body, &ku); err != nil {
		return nil, fmt.Errorf("GET user: %w: %v", ErrBadResponse, jsonErr(err))
	}
	if ku.Enabled != nil && !*ku.Enabled {
		return nil, source.ErrUserDisabled
	}
	if ku.Username == "" {
		return nil, fmt.Errorf("GET user: %w: no username", ErrBadResponse)
	}
	u := &source.User{
		ID:            ku.ID,
		Username:      ku.Username,
		Email:         ku.Email,
		EmailVerified: ku.Email != "" && (ku.EmailVerified || s.cfg.EmailVerified),
		Attributes:    map[string]string{},
		Groups:        ku.Groups,
	}
	if u.ID == "" {
		u.ID = ku.Username
	}
	if ku.FirstName != "" {
		u.Attributes["given_name"] = ku.FirstName
	}
	if ku.LastName != "" {
		u.Attributes["family_name"] = ku.LastName
	}
	for attr, key := range s.cfg.Attributes {
		vs := ku.Attributes[key]
		if len(vs) == 0 || vs[0] == "" {
			continue
		}
		if attr == "phone_number" {
			u.Phone, u.PhoneVerified = vs[0], s.cfg.PhoneVerified
			continue
		}
		u.Attributes[attr] = vs[0]
	}
	for _, a := range ku.RequiredActions {
		if a == "UPDATE_PASSWORD" {
			u.ResetRequired = true
		}
	}
	return u, nil
}

func (s *Source) keycloakAuthenticate(ctx context.Context, name, password string) (*source.User, error) {
	u, err := s.keycloakGet(ctx, name)
	if err != nil && !source.IsOutcome(err) {
		return nil, err
	}
	if err != nil {
		// Same round trips as for a known user: a password check whose
		// answer is ignored.
		if path, ok := keycloakPath(name); ok {
			_, _ = s.call(ctx, http.MethodPost, path, credentials{Password: password})
		}
		return nil, err
	}
	path, _ := keycloakPath(name)
	res, err := s.call(ctx, http.MethodPost, path, credentials{Password: password})
	if err != nil {
		return nil, err
	}
	switch res.status {
	case http.StatusOK, http.StatusNoContent:
		return u, nil
	default:
		return nil, res.outcome(true)
	}
}

// jsonErr keeps what a JSON error says about the shape and drops anything
// quoted from the body (which the endpoint controls).
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: want %s", te.Field, te.Type)
	default:
		return "invalid JSON"
	}
}
