package migration

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/ferry-migrate/ferry/internal/source"
)

// ErrUnmigratable is the reason of an *UnmigratableError: no answer that
// Cognito would accept can be made for the user. It is a "no" to the user
// (errors.Is(err, ErrNotMigrated) holds), never a fault: the user's own
// data is at issue, not the source.
var ErrUnmigratable = fmt.Errorf("%w: no answer cognito would accept", ErrNotMigrated)

// PoolSchema is what Cognito checks a migration answer against beyond its
// fixed rules: the pool's required attributes and declared custom
// attributes. A nil Custom means the schema is not known and any custom:
// attribute passes.
type PoolSchema struct {
	Required []string `yaml:"required"` // standard attributes the pool requires
	Custom   []string `yaml:"custom"`   // declared custom attributes, with the "custom:" prefix
	// MaxLength bounds attributes below Cognito's 2048 characters, by name
	// (a custom string attribute's declared maximum length).
	MaxLength map[string]int `yaml:"max_length"`
}

// Refusal is one rule of Cognito's that an answer's value breaks.
type Refusal struct {
	Attribute string // the attribute, or "username"
	Reason    string // a reason code
	// Repaired is set when the value was made valid instead of dropped
	// (a phone number normalised to E.164): Cognito would have refused the
	// value as it came, and accepts the one sent.
	Repaired bool
}

// Refusal reason codes: stable names for logs, metrics and `ferry audit`,
// documented in docs/configuration.md.
const (
	ReasonUsernameLength  = "username_length"        // the username is empty or longer than 128 characters
	ReasonUsernamePattern = "username_pattern"       // the username has a character outside [\p{L}\p{M}\p{S}\p{N}\p{P}] (such as a space)
	ReasonNoAliasUsername = "no_alias_username"      // alias pool: no username that looks like neither an email nor a phone number
	ReasonInvalidUTF8     = "invalid_utf8"           // the value is not UTF-8 text
	ReasonTooLong         = "too_long"               // longer than 2048 characters, or the custom attribute's maximum
	ReasonEmailFormat     = "email_format"           // not an email address as Cognito accepts one
	ReasonPhoneFormat     = "phone_format"           // not a phone number that can be written in E.164
	ReasonNotBoolean      = "not_boolean"            // a verification flag other than "true" or "false"
	ReasonNotVerifiable   = "verified_without_value" // a verification flag whose email or phone number is absent or dropped
	ReasonUnknown         = "unknown_attribute"      // not an attribute of Cognito's (sub, cognito:*, a non-standard name)
	ReasonCustomUndecl    = "undeclared_custom"      // a custom: attribute the pool does not declare
	ReasonRequired        = "required_missing"       // a required attribute is missing or was dropped
	ReasonNoAttributes    = "no_attributes"          // nothing is left to answer: Cognito takes an empty answer as "no such user"
)

// Cognito's bounds on an answer.
const (
	maxUsername       = 128
	maxAttributeValue = 2048
	maxEmail          = 255 // Cognito: "Email should not be longer than 256 characters"
	// MaxPasswordLength is the longest password Cognito accepts; a longer
	// one can never have been a Cognito password.
	MaxPasswordLength = 256
)

// usernamePattern is Cognito's model pattern for a username.
var usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// ValidUsername reports the reason code Cognito would refuse username for,
// or "" when it accepts it.
func ValidUsername(username string) string {
	switch {
	case !utf8.ValidString(username):
		return ReasonInvalidUTF8
	case username == "" || utf8.RuneCountInString(username) > maxUsername:
		return ReasonUsernameLength
	case !usernamePattern.MatchString(username):
		return ReasonUsernamePattern
	}
	return ""
}

// UnmigratableError says why a user cannot migrate.
type UnmigratableError struct {
	UserID   string
	Refusals []Refusal
}

func (e *UnmigratableError) Error() string {
	msg := "legacy user " + e.UserID + " cannot migrate"
	for _, r := range e.Refusals {
		msg += "; " + r.Attribute + ": " + r.Reason
	}
	return msg
}

func (e *UnmigratableError) Unwrap() error { return ErrUnmigratable }

// Reason is the code of the refusal that made the user unmigratable.
func (e *UnmigratableError) Reason() string {
	if len(e.Refusals) == 0 {
		return ReasonNoAttributes
	}
	return e.Refusals[len(e.Refusals)-1].Reason
}

// CheckAnswer applies Cognito's rules for a migration answer to username
// and attrs: it returns the attributes to send (optional values that cannot
// be made valid dropped, phone numbers normalised to E.164), the refusals
// behind what it dropped or repaired, and an *UnmigratableError when no
// valid answer remains. An empty username means Cognito chooses it (a pool
// whose username is the email or phone number) and is not checked; a
// "username" key in attrs is the answer's own username and is checked in
// its place. Empty values are removed without a refusal: they carry
// nothing. attrs is not modified.
func CheckAnswer(userID, username string, attrs map[string]string, schema PoolSchema) (map[string]string, []Refusal, error) {
	return schema.check(userID, username, attrs, "")
}

// CheckAnswer is the package's CheckAnswer with the policy's schema and
// default phone region.
func (p Policy) CheckAnswer(userID, username string, attrs map[string]string) (map[string]string, []Refusal, error) {
	return p.Schema.check(userID, username, attrs, p.PhoneRegion)
}

// CheckUser is CheckAnswer for the answer a sign-in by u's own username
// would get: what `ferry audit` asks of every legacy user.
func (p Policy) CheckUser(u *source.User) (map[string]string, []Refusal, error) {
	username := u.Username
	if p.PoolMode == PoolEmailAsUsername {
		username = ""
	}
	return p.CheckAnswer(u.ID, username, p.UserAttributes(u))
}

// check is CheckAnswer with a default region for phone numbers written
// without a country code ("" for none).
func (s PoolSchema) check(userID, username string, attrs map[string]string, region string) (map[string]string, []Refusal, error) {
	var refusals []Refusal
	var fatal bool
	refuse := func(attr, reason string, required bool) {
		refusals = append(refusals, Refusal{Attribute: attr, Reason: reason})
		fatal = fatal || required
	}
	checkName := username != ""
	if un, ok := attrs["username"]; ok {
		username, checkName = un, true
	}
	if checkName {
		if why := ValidUsername(username); why != "" {
			refuse("username", why, true)
		}
	}

	out := make(map[string]string, len(attrs))
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names) // refusals in a stable order
	for _, k := range names {
		v := attrs[k]
		if k == "username" {
			if v != "" {
				out[k] = v
			}
			continue
		}
		required := slices.Contains(s.Required, k)
		if v == "" {
			continue
		}
		v, why, repaired := s.value(k, v, region)
		if why != "" && !repaired {
			refuse(k, why, required)
			continue
		}
		if repaired {
			refusals = append(refusals, Refusal{Attribute: k, Reason: why, Repaired: true})
		}
		out[k] = v
	}
	// A verification flag needs its value: an email_verified left without
	// an email would promise a channel that is not there.
	for _, flag := range []string{"email_verified", "phone_number_verified"} {
		if _, ok := out[flag]; ok && out[strings.TrimSuffix(flag, "_verified")] == "" {
			delete(out, flag)
			refuse(flag, ReasonNotVerifiable, false)
		}
	}
	for _, k := range s.Required {
		if out[k] == "" && k != "sub" {
			refuse(k, ReasonRequired, true)
		}
	}
	if !fatal && !hasAttribute(out) {
		refuse("", ReasonNoAttributes, true)
	}
	if fatal {
		return nil, refusals, &UnmigratableError{UserID: userID, Refusals: fatalFirst(refusals, s)}
	}
	return out, refusals, nil
}

// fatalFirst orders refusals so that the ones that made the answer
// impossible come last, where UnmigratableError.Reason looks.
func fatalFirst(rs []Refusal, s PoolSchema) []Refusal {
	fatal := func(r Refusal) bool {
		return r.Attribute == "username" || r.Attribute == "" || r.Reason == ReasonRequired || slices.Contains(s.Required, r.Attribute)
	}
	out := make([]Refusal, 0, len(rs))
	for _, r := range rs {
		if !fatal(r) {
			out = append(out, r)
		}
	}
	for _, r := range rs {
		if fatal(r) {
			out = append(out, r)
		}
	}
	return out
}

func hasAttribute(attrs map[string]string) bool {
	for k := range attrs {
		if k != "username" {
			return true
		}
	}
	return false
}

// value checks one attribute value: it returns the value to send, the
// reason Cognito would refuse the value as given ("" for none), and
// whether the returned value repairs it.
func (s PoolSchema) value(k, v, region string) (string, string, bool) {
	switch {
	case k == "sub" || strings.HasPrefix(k, "cognito:"):
		return v, ReasonUnknown, false
	case strings.HasPrefix(k, "custom:"):
		if len(k) == len("custom:") || (s.Custom != nil && !slices.Contains(s.Custom, k)) {
			return v, ReasonCustomUndecl, false
		}
	case !slices.Contains(StandardAttributes, k):
		return v, ReasonUnknown, false
	}
	if !utf8.ValidString(v) {
		return v, ReasonInvalidUTF8, false
	}
	limit := maxAttributeValue
	if n, ok := s.MaxLength[k]; ok && n > 0 && n < limit {
		limit = n
	}
	if len(v) > limit && utf8.RuneCountInString(v) > limit {
		return v, ReasonTooLong, false
	}
	switch k {
	case "email":
		if !CognitoEmail(v) {
			return v, ReasonEmailFormat, false
		}
	case "phone_number":
		if isPhone(v) {
			return v, "", false
		}
		if e164, ok := normalisePhone(v, region); ok {
			return e164, ReasonPhoneFormat, true
		}
		return v, ReasonPhoneFormat, false
	case "email_verified", "phone_number_verified":
		if v != "true" && v != "false" {
			return v, ReasonNotBoolean, false
		}
	}
	return v, "", false
}

// CognitoEmail reports whether s is an email address as Cognito accepts
// one: at most 255 characters, no white space, exactly one "@" with
// something on both sides.
func CognitoEmail(s string) bool {
	if len(s) > maxEmail*utf8.UTFMax || utf8.RuneCountInString(s) > maxEmail {
		return false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return false
	}
	return !strings.ContainsFunc(s, isSpace)
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x85, 0xA0:
		return true
	}
	return r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000
}

// maxPhoneInput bounds what is handed to the phone number parser.
const maxPhoneInput = 64

// normalisePhone writes v in E.164 when it is a valid number, read with
// region (an ISO 3166 code such as "US") when v has no country code.
func normalisePhone(v, region string) (string, bool) {
	if len(v) > maxPhoneInput {
		return "", false
	}
	if region == "" && !strings.HasPrefix(strings.TrimSpace(v), "+") {
		return "", false
	}
	n, err := phonenumbers.Parse(v, strings.ToUpper(region))
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	return e164, isPhone(e164)
}

// ValidPhoneRegion reports whether region is a region the phone number
// library knows.
func ValidPhoneRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}
