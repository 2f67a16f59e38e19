package ldapsource

import (
	"log/slog"
	"strings"
	"time"
)

// Modes of password verification.
const (
	// ModeBind verifies a password by binding as the user's entry (the default).
	ModeBind = "bind"
	// ModeCompareHash reads the entry's password attribute and verifies it
	// through passhash, without binding as the user.
	ModeCompareHash = "compare_hash"
)

// Bounds and defaults. Cognito gives the whole trigger 5 s; the LDAP source
// keeps 1 s for everything else (hashing a dummy, mapping, the response).
const (
	// MaxTimeout bounds Config.Timeout: the budget of one Authenticate or
	// Lookup, every connect, search and bind included.
	MaxTimeout = 4 * time.Second
	// DefaultTimeout is the budget of one call when Config.Timeout is zero.
	DefaultTimeout = 4 * time.Second
	// DefaultConnectTimeout bounds a TCP connect plus TLS handshake.
	DefaultConnectTimeout = 2 * time.Second
	// DefaultRequestTimeout bounds one LDAP request (search or bind).
	DefaultRequestTimeout = 2 * time.Second
	// DefaultPoolSize is the number of idle connections of each kind kept
	// between calls (a warm Lambda serves one call at a time; a local server
	// a few).
	DefaultPoolSize = 4
	// MaxPoolSize bounds PoolSize: a directory server is shared with the rest
	// of the company.
	MaxPoolSize = 64
	// DefaultUserFilter finds an inetOrgPerson by uid.
	DefaultUserFilter = "(&(objectClass=person)(uid={username}))"
	// DefaultPageSize is the page size of a listing (RFC 2696 paged
	// search): Active Directory's MaxPageSize is 1,000 by default, and 500
	// is OpenLDAP's default size limit, so one page fits under both.
	DefaultPageSize = 500
	// MaxPageSize bounds PageSize: one page is held in memory at a time.
	MaxPageSize = 10_000
	// MaxPolicyFailures bounds password_policy.max_failure.
	MaxPolicyFailures = 1_000
)

// Config configures an LDAP or Active Directory source.
//
// OpenLDAP, binding as the user:
//
//	type: ldap
//	config:
//	  url: ldaps://ldap.example.com
//	  ca_file: /etc/ferry/ldap-ca.pem
//	  bind_dn: cn=ferry,ou=services,dc=example,dc=com
//	  bind_password_file: /run/secrets/ldap-bind
//	  base_dn: ou=people,dc=example,dc=com
//	  user_filter: (&(objectClass=inetOrgPerson)(uid={username}))
//	  email_filter: (&(objectClass=inetOrgPerson)(mail={email}))
//	  email_verified: true
//	  groups:
//	    base_dn: ou=groups,dc=example,dc=com
//	    filter: (&(objectClass=groupOfNames)(member={dn}))
//	    name_attribute: cn
//
// Active Directory, binding with the user principal name:
//
//	type: ldap
//	config:
//	  url: ldap://dc1.corp.example.com
//	  start_tls: true
//	  ca_file: /etc/ferry/corp-ca.pem
//	  bind_dn: CN=svc-ferry,OU=Service Accounts,DC=corp,DC=example,DC=com
//	  bind_password_file: /run/secrets/ad-bind
//	  base_dn: OU=Staff,DC=corp,DC=example,DC=com
//	  user_filter: (&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))
//	  bind_template: "{username}@corp.example.com"
//	  domains: [CORP, corp.example.com]
//	  attributes:
//	    id: objectGUID
//	    username: sAMAccountName
//	    groups: memberOf
//	    extra: {custom:department: department}
//
// Filter templates take {username} and {email}, both replaced by the name
// as typed, escaped by RFC 4515 rules.
type Config struct {
	// URL is ldap://host[:port] or ldaps://host[:port].
	URL string `yaml:"url"`
	// StartTLS upgrades an ldap:// connection with the StartTLS operation
	// before anything is sent.
	StartTLS bool `yaml:"start_tls"`
	// CAFile is a PEM bundle of the CAs trusted for the server certificate;
	// empty means the system pool.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the name checked in the server certificate
	// (default: the URL host).
	ServerName string `yaml:"server_name"`

	// BindDN and BindPassword (or BindPasswordFile) are the service account
	// the source searches with.
	BindDN           string `yaml:"bind_dn"`
	BindPassword     string `yaml:"bind_password"`
	BindPasswordFile string `yaml:"bind_password_file"`

	// BaseDN is where users are searched; Scope is "sub" (default) or "one".
	BaseDN string `yaml:"base_dn"`
	Scope  string `yaml:"scope"`
	// UserFilter finds a user by username (default DefaultUserFilter).
	UserFilter string `yaml:"user_filter"`
	// EmailFilter, when set, is used instead of UserFilter for names that
	// contain "@" and do not end in one of Domains.
	EmailFilter string `yaml:"email_filter"`
	// Domains lists Active Directory domain names users may type around
	// their account name: "CORP" accepts CORP\alice, "corp.example.com"
	// accepts alice@corp.example.com; both are searched as alice.
	Domains []string `yaml:"domains"`

	// Mode is ModeBind (default) or ModeCompareHash.
	Mode string `yaml:"mode"`
	// BindTemplate, in ModeBind, is the name to bind as instead of the
	// entry's DN: "{username}@corp.example.com" (UPN) or "CORP\\{username}";
	// {username} is the entry's username attribute, {dn} its DN.
	BindTemplate string `yaml:"bind_template"`
	// PasswordAttribute, in ModeCompareHash, holds the stored hash
	// (default userPassword).
	PasswordAttribute string `yaml:"password_attribute"`
	// AllowPlaintext, in ModeCompareHash, accepts a cleartext value
	// ({CLEARTEXT}secret, or a value without a {SCHEME} prefix, which
	// OpenLDAP compares as cleartext). Such users migrate flagged weak.
	// Off, their sign-ins are refused as unusable records
	// (hash_not_allowed), each on its own: the source is not at fault.
	AllowPlaintext bool `yaml:"allow_plaintext"`

	// PasswordPolicy says where the directory's lockout rules are read.
	PasswordPolicy PasswordPolicy `yaml:"password_policy"`

	// ListFilter selects the users `ferry status`, `ferry export` and
	// `ferry audit` list (default: UserFilter with {username} and {email}
	// replaced by *, e.g. (&(objectClass=person)(uid=*))).
	ListFilter string `yaml:"list_filter"`
	// PageSize is the number of entries a listing asks for per page
	// (default DefaultPageSize).
	PageSize int `yaml:"page_size"`

	// Attributes maps directory attributes onto the user.
	Attributes Attributes `yaml:"attributes"`
	// Groups, when set, finds group names by a second search.
	Groups *GroupSearch `yaml:"groups"`
	// EmailVerified and PhoneVerified state whether the directory's mail and
	// phone values count as verified.
	EmailVerified bool `yaml:"email_verified"`
	PhoneVerified bool `yaml:"phone_verified"`

	// Timeout bounds one call, all round trips included (default and
	// maximum 4 s); ConnectTimeout and RequestTimeout bound each connect and
	// each request within it.
	Timeout        time.Duration `yaml:"timeout"`
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// PoolSize is the number of idle connections kept (default 4).
	PoolSize int `yaml:"pool_size"`
}

// Attributes names the directory attributes a User is built from. Empty
// fields take the defaults shown.
type Attributes struct {
	// ID is the stable identifier (default entryUUID; AD: objectGUID, which
	// is decoded from its binary form to the usual UUID text).
	ID string `yaml:"id"`
	// Username (default uid; AD: sAMAccountName).
	Username string `yaml:"username"`
	// Email (default mail) and Phone (default telephoneNumber).
	Email string `yaml:"email"`
	Phone string `yaml:"phone"`
	// GivenName (givenName), FamilyName (sn) and Name (displayName, then cn)
	// fill the standard attributes of the same names.
	GivenName  string `yaml:"given_name"`
	FamilyName string `yaml:"family_name"`
	Name       string `yaml:"name"`
	// Groups is an attribute listing groups, such as AD's memberOf; DN
	// values are reduced to their first RDN's value (CN=Admins,… → Admins).
	Groups string `yaml:"groups"`
	// Extra maps further user attributes ("custom:department") to directory
	// attributes ("department"). objectGUID and objectSid values are
	// rendered as text.
	Extra map[string]string `yaml:"extra"`
}

// PasswordPolicy locates the directory's account lockout rules, so that a
// lock the directory would already have lifted is not treated as a lock,
// and so that sign-ins through Cognito never lock a directory account.
//
// OpenLDAP (ppolicy overlay): an entry's pwdPolicySubentry names its
// policy; entries without one follow the overlay's default policy
// (ppolicy_default, olcPPolicyDefault), which only the server's
// configuration knows, so it is given here:
//
//	password_policy:
//	  default_dn: cn=default,ou=policies,dc=example,dc=com
//
// Active Directory: the domain object holds lockoutThreshold,
// lockoutDuration and lockOutObservationWindow:
//
//	password_policy:
//	  domain_dn: DC=corp,DC=example,DC=com
//
// MaxFailure and LockoutDuration stand in for a policy the service account
// cannot read; see docs/sources-ldap-http.md.
type PasswordPolicy struct {
	// DefaultDN is the ppolicy overlay's default policy entry.
	DefaultDN string `yaml:"default_dn"`
	// DomainDN is the Active Directory domain whose lockout policy
	// applies.
	DomainDN string `yaml:"domain_dn"`
	// MaxFailure is the number of failed binds after which the directory
	// locks an account, when no readable policy says (pwdMaxFailure,
	// lockoutThreshold). When a policy says too, the smaller applies.
	MaxFailure int `yaml:"max_failure"`
	// LockoutDuration is how long a lock lasts, when no readable policy
	// says (pwdLockoutDuration, lockoutDuration).
	LockoutDuration time.Duration `yaml:"lockout_duration"`
}

// GroupSearch finds the groups a user belongs to when the directory keeps
// membership on the group entries (OpenLDAP groupOfNames without memberOf).
type GroupSearch struct {
	BaseDN string `yaml:"base_dn"`
	// Filter takes {dn} (the user's DN) and {username}, escaped.
	Filter string `yaml:"filter"`
	// NameAttribute is the group's name (default cn).
	NameAttribute string `yaml:"name_attribute"`
}

// LogValue shows the configuration without the bind password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", c.URL),
		slog.Bool("start_tls", c.StartTLS),
		slog.String("bind_dn", c.BindDN),
		slog.String("base_dn", c.BaseDN),
		slog.String("mode", c.Mode),
	)
}

// withDefaults returns c with every empty field set to its default.
func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Scope, "sub")
	def(&c.UserFilter, DefaultUserFilter)
	def(&c.Mode, ModeBind)
	if c.Mode == ModeCompareHash {
		def(&c.PasswordAttribute, "userPassword")
	}
	a := &c.Attributes
	def(&a.ID, "entryUUID")
	def(&a.Username, "uid")
	def(&a.Email, "mail")
	def(&a.Phone, "telephoneNumber")
	def(&a.GivenName, "givenName")
	def(&a.FamilyName, "sn")
	def(&a.Name, "displayName")
	if c.Groups != nil {
		g := *c.Groups
		def(&g.NameAttribute, "cn")
		c.Groups = &g
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = min(DefaultConnectTimeout, c.Timeout)
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = min(DefaultRequestTimeout, c.Timeout)
	}
	if c.PoolSize == 0 {
		c.PoolSize = DefaultPoolSize
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.ListFilter == "" {
		c.ListFilter = expand(c.UserFilter, map[string]string{"username": "*", "email": "*"})
	}
	return c
}

// expand replaces each {key} in tmpl by vals[key], verbatim: callers escape.
func expand(tmpl string, vals map[string]string) string {
	pairs := make([]string, 0, 2*len(vals))
	for k, v := range vals {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}
