package migration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CaseFolding says how the typed username is folded before lookup.
type CaseFolding string

// Case foldings.
const (
	FoldNone  CaseFolding = "none"
	FoldLower CaseFolding = "lower"
)

// Fold returns name as the policy's username_case folds it: lower-cased
// for "lower", as it is otherwise. It is the one fold of the name a user
// typed (and of the username an export writes for the pool); no Unicode
// normalisation is applied, as the pool keeps the bytes it is given (see
// Canonical), and each source normalises for its own matching.
func (p Policy) Fold(name string) string {
	if p.UsernameCase == FoldLower {
		return strings.ToLower(name)
	}
	return name
}

// LookupMode says which typed names are passed to the sources.
type LookupMode string

// Lookup modes. Sources match a name against their username and/or email
// column as their own configuration says; the mode filters by the shape of
// what was typed, which reveals nothing about whether a user exists.
const (
	// LookupAny passes every typed name to the sources.
	LookupAny LookupMode = "any"
	// LookupUsername passes only names that are not email addresses.
	LookupUsername LookupMode = "username"
	// LookupEmail passes only names that are email addresses.
	LookupEmail LookupMode = "email"
)

// PoolMode is how the target user pool identifies users, which decides
// whether a "username" attribute may be returned (Cognito's alias rules).
type PoolMode string

// Pool modes.
const (
	// PoolUsername: sign-in by username only; "username" is never returned.
	PoolUsername PoolMode = "username"
	// PoolAlias: username plus email/phone aliases. When the user typed an
	// email (or an E.164 phone number), the answer carries it as "email"
	// ("phone_number") and a "username" of Ferry's choosing that looks like
	// neither.
	PoolAlias PoolMode = "alias"
	// PoolEmailAsUsername: email (or phone) is the username (Cognito's
	// UsernameAttributes); "username" is never returned.
	PoolEmailAsUsername PoolMode = "email-as-username"
)

// Cognito's final user statuses accepted from the trigger.
const (
	StatusConfirmed     = "CONFIRMED"
	StatusResetRequired = "RESET_REQUIRED"
)

// Cognito's message action that suppresses the welcome message.
const MessageSuppress = "SUPPRESS"

// Delivery mediums.
const (
	MediumEmail = "EMAIL"
	MediumSMS   = "SMS"
)

// DefaultDeadline leaves a second of Cognito's 5 s per-attempt budget for
// the Lambda runtime, the network and Cognito itself.
const DefaultDeadline = 4 * time.Second

// StandardAttributes are Cognito's standard user attributes that a trigger
// may return (sub and the cognito: ones are Cognito's own). It is the
// default attribute allow-list.
var StandardAttributes = []string{
	"name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email",
	"email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at",
}

// PasswordPolicy is the target pool's password policy, as Cognito defines
// it. Cognito does not enforce it on migrated passwords; Ferry answers
// RESET_REQUIRED for a password that fails it.
type PasswordPolicy struct {
	MinLength        int  `yaml:"min_length"`
	RequireUppercase bool `yaml:"require_uppercase"`
	RequireLowercase bool `yaml:"require_lowercase"`
	RequireNumbers   bool `yaml:"require_numbers"`
	RequireSymbols   bool `yaml:"require_symbols"`
}

// cognitoSymbols are the characters Cognito counts as special characters.
// A space counts too when it is neither leading nor trailing.
const cognitoSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"

// Allows reports whether password satisfies p. Upper and lower case and
// numbers are the basic Latin ranges, as in Cognito.
func (p PasswordPolicy) Allows(password string) bool {
	if len([]rune(password)) < p.MinLength {
		return false
	}
	var upper, lower, number, symbol bool
	for i, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			number = true
		case strings.ContainsRune(cognitoSymbols, r):
			symbol = true
		case r == ' ' && i > 0 && i < len(password)-1:
			symbol = true
		}
	}
	return (!p.RequireUppercase || upper) && (!p.RequireLowercase || lower) &&
		(!p.RequireNumbers || number) && (!p.RequireSymbols || symbol)
}

// Policy is everything configurable about how a user is migrated. The zero
// value is completed by WithDefaults.
//
// Example (the "migration" section of the configuration):
//
//	username_case: lower
//	lookup: any
//	pool_mode: alias
//	pool_case_sensitive: false
//	alias_username_attribute: custom:legacy_id
//	attributes: [email, email_verified, given_name, family_name]
//	assume_email_verified: true
//	reset_weak_hash: true
//	password_policy: {min_length: 8, require_numbers: true}
//	desired_delivery_mediums: [EMAIL]
//	deadline: 4s
//	mark_migrated: true
//	routing:
//	  - match: {email_domain: corp.example.com}
//	    sources: [corp-ldap]
type Policy struct {
	// UsernameCase folds the typed name before lookup (default none).
	UsernameCase CaseFolding `yaml:"username_case"`
	// Lookup filters typed names by shape (default any).
	Lookup LookupMode `yaml:"lookup"`
	// PoolMode is the target pool's sign-in mode (default username).
	PoolMode PoolMode `yaml:"pool_mode"`
	// PoolCaseSensitive is the target pool's
	// UsernameConfiguration.CaseSensitive (default true, the Cognito API's
	// default). It decides how a typed name is compared with the account's
	// canonical name (see Canonical).
	PoolCaseSensitive *bool `yaml:"pool_case_sensitive"`
	// AliasUsernameAttribute, in alias pools, names where the returned
	// "username" comes from when the user typed an email: empty for the
	// legacy username, "id" for the legacy ID, or a key of User.Attributes.
	AliasUsernameAttribute string `yaml:"alias_username_attribute"`
	// Attributes is the pool's attribute allow-list (default
	// StandardAttributes). Attributes with the "custom:" prefix are always
	// allowed; "sub" never is.
	Attributes []string `yaml:"attributes"`
	// AssumeEmailVerified and AssumePhoneVerified treat the legacy email
	// and phone as verified when the legacy system does not record it
	// (Django, WordPress, …): the operator's statement that addresses were
	// confirmed there. Verified channels are what forgot-password needs and
	// what makes an alias usable for sign-in.
	AssumeEmailVerified bool `yaml:"assume_email_verified"`
	AssumePhoneVerified bool `yaml:"assume_phone_verified"`
	// ResetWeakHash answers RESET_REQUIRED when the legacy hash is weak.
	ResetWeakHash bool `yaml:"reset_weak_hash"`
	// PasswordPolicy, when set, answers RESET_REQUIRED for a password that
	// fails it.
	PasswordPolicy *PasswordPolicy `yaml:"password_policy"`
	// SendWelcomeMessage leaves messageAction unset so Cognito sends its
	// welcome message; by default it is SUPPRESS.
	SendWelcomeMessage bool `yaml:"send_welcome_message"`
	// DesiredDeliveryMediums (default [EMAIL]).
	DesiredDeliveryMediums []string `yaml:"desired_delivery_mediums"`
	// ForceAliasCreation moves an email/phone alias from another pool user.
	ForceAliasCreation bool `yaml:"force_alias_creation"`
	// EnableSMSMFA turns SMS MFA on for migrated users that have a phone
	// number (the pool must have MFA enabled).
	EnableSMSMFA bool `yaml:"enable_sms_mfa"`
	// Deadline bounds every Migrate call (default DefaultDeadline), so
	// Ferry answers before Cognito's 5 s.
	Deadline time.Duration `yaml:"deadline"`
	// MarkMigrated writes progress back to the answering source when it
	// supports it (source.Marker).
	MarkMigrated bool `yaml:"mark_migrated"`
	// Routing, when set, chooses which sources to ask by the typed name
	// (see Route); by default every source is asked, in order.
	Routing []Route `yaml:"routing"`
	// Schema is the target pool's required and custom attributes, which
	// every answer is checked against (see CheckAnswer).
	Schema PoolSchema `yaml:"schema"`
	// PhoneRegion is the region (ISO 3166 code, such as "US") of legacy
	// phone numbers written without a country code; they are normalised to
	// E.164 with it. Without it, such numbers are dropped.
	PhoneRegion string `yaml:"phone_region"`
}

// WithDefaults returns p with every unset field at its default.
func (p Policy) WithDefaults() Policy {
	if p.UsernameCase == "" {
		p.UsernameCase = FoldNone
	}
	if p.Lookup == "" {
		p.Lookup = LookupAny
	}
	if p.PoolMode == "" {
		p.PoolMode = PoolUsername
	}
	if p.Attributes == nil {
		p.Attributes = StandardAttributes
	}
	if p.DesiredDeliveryMediums == nil {
		p.DesiredDeliveryMediums = []string{MediumEmail}
	}
	if p.Deadline == 0 {
		p.Deadline = DefaultDeadline
	}
	return p
}

// Validate reports every problem in p at once, each prefixed with its
// field's YAML name.
func (p Policy) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	switch p.UsernameCase {
	case "", FoldNone, FoldLower:
	default:
		bad("username_case", "%q is not one of none, lower", p.UsernameCase)
	}
	switch p.Lookup {
	case "", LookupAny, LookupUsername, LookupEmail:
	default:
		bad("lookup", "%q is not one of any, username, email", p.Lookup)
	}
	switch p.PoolMode {
	case "", PoolUsername, PoolAlias, PoolEmailAsUsername:
	default:
		bad("pool_mode", "%q is not one of username, alias, email-as-username", p.PoolMode)
	}
	if p.AliasUsernameAttribute != "" && p.PoolMode != PoolAlias {
		bad("alias_username_attribute", "only meaningful with pool_mode alias")
	}
	for i, a := range p.Attributes {
		switch {
		case a == "":
			bad(fmt.Sprintf("attributes[%d]", i), "empty attribute name")
		case a == "sub" || a == "username" || strings.HasPrefix(a, "cognito:"):
			bad(fmt.Sprintf("attributes[%d]", i), "%q is Cognito's own and cannot be migrated", a)
		}
	}
	for i, m := range p.DesiredDeliveryMediums {
		if m != MediumEmail && m != MediumSMS {
			bad(fmt.Sprintf("desired_delivery_mediums[%d]", i), "%q is not one of EMAIL, SMS", m)
		}
	}
	if p.DesiredDeliveryMediums != nil && len(p.DesiredDeliveryMediums) == 0 {
		bad("desired_delivery_mediums", "empty list; omit it for the default [EMAIL]")
	}
	if pp := p.PasswordPolicy; pp != nil && (pp.MinLength < 6 || pp.MinLength > 99) {
		// Cognito accepts minimum lengths from 6 to 99.
		bad("password_policy.min_length", "%d is outside Cognito's range 6..99", pp.MinLength)
	}
	// The deadline must leave room inside Cognito's 5 s budget.
	if p.Deadline < 0 || p.Deadline >= 5*time.Second {
		bad("deadline", "%s must be positive and below Cognito's 5s", p.Deadline)
	}
	if p.PhoneRegion != "" && !ValidPhoneRegion(p.PhoneRegion) {
		bad("phone_region", "%q is not a region code such as US or GB", p.PhoneRegion)
	}
	for i, a := range p.Schema.Custom {
		if !strings.HasPrefix(a, "custom:") || len(a) == len("custom:") {
			bad(fmt.Sprintf("schema.custom[%d]", i), "%q must be a name with the custom: prefix", a)
		}
	}
	for i, a := range p.Schema.Required {
		if !slices.Contains(StandardAttributes, a) {
			bad(fmt.Sprintf("schema.required[%d]", i), "%q is not a standard attribute (only standard attributes can be required)", a)
		}
	}
	errs = append(errs, validateRouting(p.Routing)...)
	return errors.Join(errs...)
}
