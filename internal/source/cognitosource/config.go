package cognitosource

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Challenge policies: what an AdminInitiateAuth answer that is a challenge
// instead of tokens means.
const (
	// ChallengeFail treats every challenge as a user who cannot be
	// migrated (an outcome, source.ErrUserDisabled). The default.
	ChallengeFail = "fail"
	// ChallengeAcceptNewPasswordRequired accepts NEW_PASSWORD_REQUIRED —
	// the user proved the temporary password an administrator gave them —
	// and returns the user with WeakHash set, so that the migration
	// policy's reset_weak_hash answers RESET_REQUIRED and the user chooses
	// a password through the new pool's reset flow. Every other challenge
	// (MFA, custom, …) is still refused.
	ChallengeAcceptNewPasswordRequired = "accept-new-password-required"
)

// Defaults and bounds.
const (
	// DefaultLegacySubAttribute keeps the old pool's sub: Cognito makes a
	// new sub in the new pool, and applications that keyed data on the old
	// one need it to find their records.
	DefaultLegacySubAttribute = "custom:legacy_sub"
	// DefaultTimeout bounds one Authenticate or Lookup (two or three API
	// calls), leaving room inside the migration's 4 s deadline.
	DefaultTimeout = 3 * time.Second
	// MaxTimeout bounds Config.Timeout below Cognito's 5 s budget.
	MaxTimeout = 4 * time.Second
	// maxCustomName is Cognito's limit on a custom attribute's name after
	// the "custom:" prefix.
	maxCustomName = 20
)

// DefaultAttributes are the standard attributes copied when Config.Attributes
// is not set: the profile a user sees. email and phone_number travel in the
// user's own fields (with their verified flags); sub, updated_at and the
// cognito: attributes are the new pool's own.
var DefaultAttributes = []string{
	"name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "gender",
	"birthdate", "zoneinfo", "locale", "address",
}

// standardAttributes are the standard attributes Attributes may name.
var standardAttributes = append(slices.Clone(DefaultAttributes), "updated_at")

// poolIDPattern is the shape of a user pool ID: region_suffix.
var poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// Config configures a source that is another Amazon Cognito user pool (a
// pool-to-pool migration).
//
// Example:
//
//	type: cognito
//	config:
//	  region: eu-west-1
//	  user_pool_id: eu-west-1_AbCdEf123
//	  client_id: 1example23456789
//	  client_secret_file: /run/secrets/old-pool-client-secret
//	  assume_role_arn: arn:aws:iam::111122223333:role/ferry-old-pool-reader
//	  external_id: ferry
//	  attributes: [given_name, family_name, locale]
//	  custom_attributes:
//	    custom:tenant: custom:tenant
//	    custom:plan: custom:legacy_plan
//	  legacy_sub_attribute: custom:legacy_sub
//	  challenge_policy: fail
//
// The app client must allow ADMIN_USER_PASSWORD_AUTH. Credentials come from
// the AWS default chain (the Lambda's role, environment, shared files);
// with assume_role_arn they are used to assume that role, for a pool in
// another account. endpoint replaces the regional endpoint (a local pool
// served by `ferry serve`, a VPC endpoint).
type Config struct {
	// Region of the old pool (default: the region in its user_pool_id).
	Region string `yaml:"region"`
	// UserPoolID is the old pool. Required.
	UserPoolID string `yaml:"user_pool_id"`
	// ClientID is an app client of the old pool that allows
	// ADMIN_USER_PASSWORD_AUTH. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecret is the client's secret, when it has one (SECRET_HASH is
	// then sent). Prefer client_secret_file.
	ClientSecret string `yaml:"client_secret"`
	// Endpoint overrides the service endpoint, e.g. http://127.0.0.1:9229.
	Endpoint string `yaml:"endpoint"`
	// AssumeRoleARN, when set, is assumed (STS AssumeRole) for every call.
	AssumeRoleARN string `yaml:"assume_role_arn"`
	// ExternalID is passed to AssumeRole when the role's trust policy
	// requires one.
	ExternalID string `yaml:"external_id"`
	// Attributes are the standard attributes copied as they are (default
	// DefaultAttributes).
	Attributes []string `yaml:"attributes"`
	// CustomAttributes maps an old pool's custom attribute to the new
	// pool's, e.g. custom:tenant: custom:tenant. Custom attributes are not
	// copied unless named here: the new pool must define each of them.
	CustomAttributes map[string]string `yaml:"custom_attributes"`
	// LegacySubAttribute is the new pool's custom attribute that receives
	// the old pool's sub (default DefaultLegacySubAttribute). The sub
	// itself is never returned: the new pool makes its own.
	LegacySubAttribute string `yaml:"legacy_sub_attribute"`
	// ChallengePolicy is ChallengeFail (default) or
	// ChallengeAcceptNewPasswordRequired.
	ChallengePolicy string `yaml:"challenge_policy"`
	// SkipTokenRevocation leaves the refresh token a successful
	// verification made unrevoked (for app clients with token revocation
	// disabled, to save the call). It is never logged or returned either way.
	SkipTokenRevocation bool `yaml:"skip_token_revocation"`
	// Timeout bounds one call (default DefaultTimeout, at most MaxTimeout).
	Timeout time.Duration `yaml:"timeout"`
}

// LogValue shows where the source points and hides the client secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("region", c.region()),
		slog.String("user_pool_id", c.UserPoolID),
		slog.String("client_id", c.ClientID),
		slog.Bool("client_secret_set", c.ClientSecret != ""),
		slog.String("endpoint", c.Endpoint),
		slog.String("assume_role_arn", c.AssumeRoleARN),
		slog.String("challenge_policy", c.ChallengePolicy),
	)
}

// region returns the configured region, or the one the pool ID names.
func (c *Config) region() string {
	if c.Region != "" {
		return c.Region
	}
	if i := strings.IndexByte(c.UserPoolID, '_'); i > 0 {
		return c.UserPoolID[:i]
	}
	return ""
}

func (c *Config) legacySub() string {
	if c.LegacySubAttribute == "" {
		return DefaultLegacySubAttribute
	}
	return c.LegacySubAttribute
}

func (c *Config) attributes() []string {
	if c.Attributes == nil {
		return DefaultAttributes
	}
	return c.Attributes
}

func (c *Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// validCustom reports whether name is a custom attribute name Cognito accepts.
func validCustom(name string) bool {
	rest, ok := strings.CutPrefix(name, "custom:")
	return ok && rest != "" && len(rest) <= maxCustomName && !strings.ContainsAny(rest, " \t:")
}

// Validate reports every problem at once, each with its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	switch {
	case c.UserPoolID == "":
		bad("user_pool_id", "required")
	case !poolIDPattern.MatchString(c.UserPoolID):
		bad("user_pool_id", "%q is not a user pool ID such as eu-west-1_AbCdEf123", c.UserPoolID)
	}
	if c.ClientID == "" {
		bad("client_id", "required")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("endpoint", "%q is not an http(s) URL", c.Endpoint)
		}
	}
	if c.ExternalID != "" && c.AssumeRoleARN == "" {
		bad("external_id", "only meaningful with assume_role_arn")
	}
	if c.AssumeRoleARN != "" && !strings.HasPrefix(c.AssumeRoleARN, "arn:") {
		bad("assume_role_arn", "%q is not a role ARN", c.AssumeRoleARN)
	}
	if c.Attributes != nil && len(c.Attributes) == 0 {
		bad("attributes", "empty list; omit it for the default profile attributes")
	}
	for i, a := range c.Attributes {
		p := fmt.Sprintf("attributes[%d]", i)
		switch {
		case a == "sub":
			bad(p, "sub is never copied: the new pool makes its own (the old one goes to legacy_sub_attribute)")
		case a == "email" || a == "email_verified" || a == "phone_number" || a == "phone_number_verified":
			bad(p, "%q is always copied with its verified flag; do not list it", a)
		case strings.HasPrefix(a, "custom:"):
			bad(p, "%q is a custom attribute; map it under custom_attributes", a)
		case !slices.Contains(standardAttributes, a):
			bad(p, "%q is not a standard attribute", a)
		}
	}
	targets := map[string]string{}
	for from, to := range c.CustomAttributes {
		p := "custom_attributes." + from
		if !validCustom(from) {
			bad(p, "%q is not a custom attribute name (custom:name, at most %d characters)", from, maxCustomName)
		}
		if !validCustom(to) {
			bad(p, "target %q is not a custom attribute name (custom:name, at most %d characters)", to, maxCustomName)
		}
		if other, dup := targets[to]; dup {
			bad(p, "target %q is also the target of %s", to, other)
		}
		targets[to] = from
	}
	if !validCustom(c.legacySub()) {
		bad("legacy_sub_attribute", "%q is not a custom attribute name (custom:name, at most %d characters)", c.LegacySubAttribute, maxCustomName)
	} else if from, dup := targets[c.legacySub()]; dup {
		bad("legacy_sub_attribute", "%q is also the target of custom_attributes.%s", c.legacySub(), from)
	}
	switch c.ChallengePolicy {
	case "", ChallengeFail, ChallengeAcceptNewPasswordRequired:
	default:
		bad("challenge_policy", "%q is not one of %s, %s", c.ChallengePolicy, ChallengeFail, ChallengeAcceptNewPasswordRequired)
	}
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		bad("timeout", "%s is outside 0..%s", c.Timeout, MaxTimeout)
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}
