package ldapsource

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

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
		switch u.Scheme {
		case "ldap":
		case "ldaps":
			if c.StartTLS {
				bad("start_tls", "cannot be combined with an ldaps:// url")
			}
		default:
			bad("url", "scheme %q: want ldap or ldaps", u.Scheme)
		}
		if u.Hostname() == "" {
			bad("url", "no host")
		}
	}
	if c.CAFile != "" {
		if _, err := os.Stat(c.CAFile); err != nil {
			bad("ca_file", "%v", err)
		}
	}
	if c.BindDN == "" {
		bad("bind_dn", "required (anonymous search is not supported)")
	} else if _, err := ldap.ParseDN(c.BindDN); err != nil {
		bad("bind_dn", "%v", err)
	}
	switch {
	case c.BindPassword != "" && c.BindPasswordFile != "":
		bad("bind_password", "set bind_password or bind_password_file, not both")
	case c.BindPassword == "" && c.BindPasswordFile == "":
		bad("bind_password", "required (or bind_password_file)")
	case c.BindPasswordFile != "":
		if _, err := os.Stat(c.BindPasswordFile); err != nil {
			bad("bind_password_file", "%v", err)
		}
	}
	if c.BaseDN == "" {
		bad("base_dn", "required")
	} else if _, err := ldap.ParseDN(c.BaseDN); err != nil {
		bad("base_dn", "%v", err)
	}
	switch c.Scope {
	case "", "sub", "one":
	default:
		bad("scope", "%q: want sub or one", c.Scope)
	}
	checkFilter := func(path, tmpl string, placeholders ...string) {
		if tmpl == "" {
			return
		}
		found := false
		for _, p := range placeholders {
			found = found || strings.Contains(tmpl, p)
		}
		if !found {
			bad(path, "no placeholder (%s)", strings.Join(placeholders, " or "))
			return
		}
		if _, err := ldap.CompileFilter(expand(tmpl, map[string]string{"username": "x", "email": "x@y", "dn": "cn=x"})); err != nil {
			bad(path, "%v", err)
		}
	}
	checkFilter("user_filter", c.UserFilter, "{username}", "{email}")
	checkFilter("email_filter", c.EmailFilter, "{username}", "{email}")
	for i, d := range c.Domains {
		if strings.TrimSpace(d) == "" || strings.ContainsAny(d, `\@ `) {
			bad(fmt.Sprintf("domains[%d]", i), "%q is not a domain name", d)
		}
	}
	switch c.Mode {
	case "", ModeBind:
		if c.PasswordAttribute != "" {
			bad("password_attribute", "only used with mode %s", ModeCompareHash)
		}
	case ModeCompareHash:
		if c.BindTemplate != "" {
			bad("bind_template", "not used with mode %s", ModeCompareHash)
		}
	default:
		bad("mode", "%q: want %s or %s", c.Mode, ModeBind, ModeCompareHash)
	}
	if c.AllowPlaintext && c.Mode != ModeCompareHash {
		bad("allow_plaintext", "only used with mode %s (bind mode never reads the stored password)", ModeCompareHash)
	}
	pp := c.PasswordPolicy
	for _, f := range []struct{ path, dn string }{
		{"password_policy.default_dn", pp.DefaultDN}, {"password_policy.domain_dn", pp.DomainDN},
	} {
		if f.dn == "" {
			continue
		}
		if _, err := ldap.ParseDN(f.dn); err != nil {
			bad(f.path, "%v", err)
		}
	}
	if pp.MaxFailure < 0 || pp.MaxFailure > MaxPolicyFailures {
		bad("password_policy.max_failure", "%d: want 0 (read from the policy) to %d", pp.MaxFailure, MaxPolicyFailures)
	}
	if pp.LockoutDuration < 0 {
		bad("password_policy.lockout_duration", "%v: want a positive duration (0: read from the policy)", pp.LockoutDuration)
	}
	if c.ListFilter != "" {
		if _, err := ldap.CompileFilter(c.ListFilter); err != nil {
			bad("list_filter", "%v", err)
		}
	}
	if c.PageSize < 0 || c.PageSize > MaxPageSize {
		bad("page_size", "%d: want 1 to %d (0: %d)", c.PageSize, MaxPageSize, DefaultPageSize)
	}
	if c.BindTemplate != "" && !strings.Contains(c.BindTemplate, "{username}") && !strings.Contains(c.BindTemplate, "{dn}") {
		bad("bind_template", "no placeholder ({username} or {dn})")
	}
	for k, v := range c.Attributes.Extra {
		if k == "" || v == "" {
			bad("attributes.extra", "empty name in %q: %q", k, v)
		}
	}
	if g := c.Groups; g != nil {
		if g.BaseDN == "" {
			bad("groups.base_dn", "required")
		} else if _, err := ldap.ParseDN(g.BaseDN); err != nil {
			bad("groups.base_dn", "%v", err)
		}
		if g.Filter == "" {
			bad("groups.filter", "required")
		} else {
			checkFilter("groups.filter", g.Filter, "{dn}", "{username}")
		}
	}
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		bad("timeout", "%v: want up to %v (Cognito allows the trigger 5 s)", c.Timeout, MaxTimeout)
	}
	if c.ConnectTimeout < 0 || c.ConnectTimeout > MaxTimeout {
		bad("connect_timeout", "%v: want up to %v", c.ConnectTimeout, MaxTimeout)
	}
	if c.RequestTimeout < 0 || c.RequestTimeout > MaxTimeout {
		bad("request_timeout", "%v: want up to %v", c.RequestTimeout, MaxTimeout)
	}
	if c.PoolSize < 0 || c.PoolSize > MaxPoolSize {
		bad("pool_size", "%d: want 0 to %d", c.PoolSize, MaxPoolSize)
	}
	return errors.Join(errs...)
}
