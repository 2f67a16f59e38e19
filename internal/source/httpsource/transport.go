package httpsource

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

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
