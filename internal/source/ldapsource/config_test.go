package ldapsource

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func validConfig() Config {
	return Config{
		URL:          "ldap://127.0.0.1:389",
		BindDN:       "cn=svc,dc=example,dc=com",
		BindPassword: "secret",
		BaseDN:       "ou=people,dc=example,dc=com",
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(c *Config)
		want   []string // substrings of the error; none means valid
	}{
		{name: "minimal", modify: func(*Config) {}},
		{name: "password file", modify: func(c *Config) { c.BindPassword, c.BindPasswordFile = "", pwFile }},
		{name: "ldaps", modify: func(c *Config) { c.URL = "ldaps://ldap.example.com" }},
		{name: "compare mode", modify: func(c *Config) { c.Mode = ModeCompareHash; c.PasswordAttribute = "userPassword" }},
		{name: "ad", modify: func(c *Config) {
			c.UserFilter = "(&(objectClass=user)(sAMAccountName={username}))"
			c.BindTemplate = "{username}@corp.example.com"
			c.Domains = []string{"CORP", "corp.example.com"}
			c.Attributes.ID = "objectGUID"
		}},
		{name: "empty", modify: func(c *Config) { *c = Config{} }, want: []string{"url: required", "bind_dn: required", "bind_password: required", "base_dn: required"}},
		{name: "bad scheme", modify: func(c *Config) { c.URL = "http://x" }, want: []string{`url: scheme "http"`}},
		{name: "starttls on ldaps", modify: func(c *Config) { c.URL = "ldaps://x"; c.StartTLS = true }, want: []string{"start_tls:"}},
		{name: "both passwords", modify: func(c *Config) { c.BindPasswordFile = pwFile }, want: []string{"bind_password: set bind_password or bind_password_file"}},
		{name: "missing password file", modify: func(c *Config) { c.BindPassword, c.BindPasswordFile = "", "/nonexistent/pw" }, want: []string{"bind_password_file:"}},
		{name: "missing ca file", modify: func(c *Config) { c.CAFile = "/nonexistent/ca.pem" }, want: []string{"ca_file:"}},
		{name: "bad dn", modify: func(c *Config) { c.BaseDN = "not a dn" }, want: []string{"base_dn:"}},
		{name: "filter without placeholder", modify: func(c *Config) { c.UserFilter = "(uid=alice)" }, want: []string{"user_filter: no placeholder"}},
		{name: "unbalanced filter", modify: func(c *Config) { c.EmailFilter = "(&(mail={email})" }, want: []string{"email_filter:"}},
		{name: "bad scope", modify: func(c *Config) { c.Scope = "base" }, want: []string{"scope:"}},
		{name: "bad mode", modify: func(c *Config) { c.Mode = "kerberos" }, want: []string{"mode:"}},
		{name: "password attribute in bind mode", modify: func(c *Config) { c.PasswordAttribute = "userPassword" }, want: []string{"password_attribute:"}},
		{name: "bind template in compare mode", modify: func(c *Config) { c.Mode = ModeCompareHash; c.BindTemplate = "{username}@x" }, want: []string{"bind_template: not used"}},
		{name: "bind template without placeholder", modify: func(c *Config) { c.BindTemplate = "alice@x" }, want: []string{"bind_template: no placeholder"}},
		{name: "bad domain", modify: func(c *Config) { c.Domains = []string{"ok", `CORP\`} }, want: []string{"domains[1]:"}},
		{name: "group search incomplete", modify: func(c *Config) { c.Groups = &GroupSearch{} }, want: []string{"groups.base_dn: required", "groups.filter: required"}},
		{name: "timeout too long", modify: func(c *Config) { c.Timeout = 10 * time.Second }, want: []string{"timeout: 10s"}},
		{name: "pool too big", modify: func(c *Config) { c.PoolSize = 1000 }, want: []string{"pool_size:"}},
		{name: "every problem at once", modify: func(c *Config) {
			c.URL = ""
			c.Scope = "x"
			c.PoolSize = -1
		}, want: []string{"url:", "scope:", "pool_size:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.modify(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestConfigYAML decodes the documented examples strictly.
func TestConfigYAML(t *testing.T) {
	t.Parallel()
	doc := `
url: ldap://dc1.corp.example.com
start_tls: true
bind_dn: CN=svc-ferry,OU=Service Accounts,DC=corp,DC=example,DC=com
bind_password: x
base_dn: OU=Staff,DC=corp,DC=example,DC=com
user_filter: (&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))
bind_template: "{username}@corp.example.com"
domains: [CORP, corp.example.com]
timeout: 3s
attributes:
  id: objectGUID
  username: sAMAccountName
  groups: memberOf
  extra: {custom:department: department}
groups:
  base_dn: ou=groups,dc=example,dc=com
  filter: (&(objectClass=groupOfNames)(member={dn}))
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Timeout != 3*time.Second || c.Attributes.Extra["custom:department"] != "department" || len(c.Domains) != 2 {
		t.Errorf("decoded %+v", c)
	}
	d := c.withDefaults()
	if d.ConnectTimeout != DefaultConnectTimeout || d.Groups.NameAttribute != "cn" || d.Attributes.Email != "mail" {
		t.Errorf("defaults not applied: %+v", d)
	}
}

// TestConfigLogValue: logging a configuration never shows the bind password.
func TestConfigLogValue(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := validConfig()
	c.BindPassword = "Bind-Secret-77"
	log.Debug("config", "config", c)
	if strings.Contains(buf.String(), "Bind-Secret-77") || !strings.Contains(buf.String(), `"bind_dn":"cn=svc,dc=example,dc=com"`) {
		t.Errorf("logged %s", buf.String())
	}
}
