package httpsource

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Modes name the HTTP contract the endpoint speaks.
const (
	// ModeFerry is Ferry's own contract (docs/http-source.md):
	// POST {url}/verify and POST {url}/lookup.
	ModeFerry = "ferry"
	// ModeKeycloak is the Keycloak user-migration REST contract:
	// GET {url}/{username} and POST {url}/{username}.
	ModeKeycloak = "keycloak"
)

// Authentication schemes for requests to the endpoint.
const (
	AuthNone   = "none"
	AuthBearer = "bearer"
	AuthBasic  = "basic"
	AuthHMAC   = "hmac"
)

// Bounds and defaults.
const (
	// MaxTimeout bounds Config.Timeout: Cognito allows the whole trigger
	// 5 s, and the call to the endpoint must leave room for the rest.
	MaxTimeout = 4 * time.Second
	// DefaultTimeout is the budget of one call when Config.Timeout is zero.
	DefaultTimeout = 3 * time.Second
	// DefaultMaxResponseBytes: a user is a few hundred bytes of JSON; 64 KiB
	// leaves room for large group lists while keeping a misbehaving
	// endpoint from filling memory.
	DefaultMaxResponseBytes = 64 << 10
	// MaxMaxResponseBytes bounds Config.MaxResponseBytes.
	MaxMaxResponseBytes = 1 << 20
	// DefaultHMACWindow is the replay window a receiver should allow
	// around the signed timestamp.
	DefaultHMACWindow = 5 * time.Minute
)

// Config configures a legacy HTTP endpoint source.
//
//	type: http
//	config:
//	  url: https://legacy.example.com/ferry
//	  auth:
//	    type: hmac
//	    hmac_key_file: /run/secrets/legacy-hmac
//	  tls:
//	    ca_file: /etc/ferry/legacy-ca.pem
//	    cert_file: /etc/ferry/client.pem    # mTLS, optional
//	    key_file: /etc/ferry/client-key.pem
//	  timeout: 3s
//
// A Keycloak user-migration endpoint (e.g. keycloak-rest-provider's API):
//
//	type: http
//	config:
//	  url: https://legacy.example.com/api/users
//	  mode: keycloak
//	  auth: {type: bearer, token_file: /run/secrets/legacy-token}
//	  attributes: {phone_number: phone, custom:legacy_id: legacyId}
type Config struct {
	// URL is the base URL. https:// is required except for loopback hosts
	// (tests, a sidecar) unless AllowInsecureHTTP is set.
	URL string `yaml:"url"`
	// AllowInsecureHTTP permits http:// to a non-loopback host. Passwords
	// then cross the network in clear text.
	AllowInsecureHTTP bool `yaml:"allow_insecure_http"`
	// Mode is ModeFerry (default) or ModeKeycloak.
	Mode string `yaml:"mode"`
	// Auth authenticates Ferry to the endpoint.
	Auth Auth `yaml:"auth"`
	// TLS trusts a private CA and presents a client certificate.
	TLS TLS `yaml:"tls"`
	// Timeout bounds one Authenticate or Lookup (default 3 s, at most 4 s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxResponseBytes bounds a response body (default 64 KiB).
	MaxResponseBytes int64 `yaml:"max_response_bytes"`
	// Attributes, in keycloak mode, maps user attributes ("phone_number",
	// "custom:legacy_id") to keys of the Keycloak user's "attributes".
	Attributes map[string]string `yaml:"attributes"`
	// EmailVerified, in keycloak mode, overrides the endpoint's
	// emailVerified with true.
	EmailVerified bool `yaml:"email_verified"`
	// PhoneVerified, in keycloak mode, marks a mapped phone_number verified.
	PhoneVerified bool `yaml:"phone_verified"`
}

// Auth is how Ferry authenticates its requests.
type Auth struct {
	// Type is none (default), bearer, basic or hmac.
	Type string `yaml:"type"`
	// Token (or TokenFile) is the bearer token.
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// Username and Password (or PasswordFile) are the basic credentials.
	Username     string `yaml:"username"`
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	// HMACKey (or HMACKeyFile) signs every request: see Sign.
	HMACKey     string `yaml:"hmac_key"`
	HMACKeyFile string `yaml:"hmac_key_file"`
}

// TLS configures the client side of TLS.
type TLS struct {
	// CAFile is a PEM bundle of CAs trusted for the endpoint (default: the
	// system pool).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate for mutual TLS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the endpoint's certificate.
	ServerName string `yaml:"server_name"`
}

// LogValue shows the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", c.URL),
		slog.String("mode", c.Mode),
		slog.String("auth", c.Auth.Type),
		slog.Bool("mtls", c.TLS.CertFile != ""),
	)
}

// Validate reports every problem in c, each with its path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if c.URL == "" {
		bad("url", "required")
	} else if u, err := url.Parse(c.URL); err != nil {
		bad("url", "%v", err)
	} else {
		switch {
		case u.Host == "":
			bad("url", "no host")
		case u.Scheme == "https":
		case u.Scheme == "http":
			if !c.AllowInsecureHTTP && !isLoopback(u.Hostname()) {
				bad("url", "http:// would send passwords in clear text; use https:// (or allow_insecure_http)")
			}
		default:
			bad("url", "scheme %q: want https", u.Scheme)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			bad("url", "no query or fragment allowed in the base url")
		}
		if u.User != nil {
			bad("url", "credentials in the url: use auth")
		}
	}
	switch c.Mode {
	case "", ModeFerry:
		if len(c.Attributes) > 0 {
			bad("attributes", "only used in %s mode (the %s contract names attributes itself)", ModeKeycloak, ModeFerry)
		}
	case ModeKeycloak:
	default:
		bad("mode", "%q: want %s or %s", c.Mode, ModeFerry, ModeKeycloak)
	}
	exactlyOne := func(path, v, file string) {
		switch {
		case v != "" && file != "":
			bad("auth."+path, "set %s or %s_file, not both", path, path)
		case v == "" && file == "":
			bad("auth."+path, "required (or %s_file)", path)
		case file != "":
			if _, err := os.Stat(file); err != nil {
				bad("auth."+path+"_file", "%v", err)
			}
		}
	}
	a := c.Auth
	switch a.Type {
	case "", AuthNone:
		if a.Token != "" || a.TokenFile != "" || a.Password != "" || a.PasswordFile != "" || a.HMACKey != "" || a.HMACKeyFile != "" {
			bad("auth.type", "credentials are set but type is none")
		}
	case AuthBearer:
		exactlyOne("token", a.Token, a.TokenFile)
	case AuthBasic:
		if a.Username == "" {
			bad("auth.username", "required")
		}
		exactlyOne("password", a.Password, a.PasswordFile)
	case AuthHMAC:
		exactlyOne("hmac_key", a.HMACKey, a.HMACKeyFile)
	default:
		bad("auth.type", "%q: want none, bearer, basic or hmac", a.Type)
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("tls", "cert_file and key_file go together")
	}
	for path, f := range map[string]string{"tls.ca_file": c.TLS.CAFile, "tls.cert_file": c.TLS.CertFile, "tls.key_file": c.TLS.KeyFile} {
		if f != "" {
			if _, err := os.Stat(f); err != nil {
				bad(path, "%v", err)
			}
		}
	}
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		bad("timeout", "%v: want up to %v (Cognito allows the trigger 5 s)", c.Timeout, MaxTimeout)
	}
	if c.MaxResponseBytes < 0 || c.MaxResponseBytes > MaxMaxResponseBytes {
		bad("max_response_bytes", "%d: want up to %d", c.MaxResponseBytes, MaxMaxResponseBytes)
	}
	for k, v := range c.Attributes {
		if k == "" || v == "" {
			bad("attributes", "empty name in %q: %q", k, v)
		}
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secret returns v, or the content of file without its trailing newline.
func secret(v, file string) (string, error) {
	if file == "" {
		return v, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s is empty", file)
	}
	return s, nil
}
