package migration

import (
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
)

// UserAttributes returns the attributes the trigger answers for u before the
// pool-mode rules for what the user typed apply: the legacy attributes the
// policy allows, email and phone number with their verification (as the
// legacy system recorded it, or assumed by policy). The trigger and the
// export of users who never signed in both use it, so an imported user
// carries exactly what a sign-in would have given them.
func (p Policy) UserAttributes(u *source.User) map[string]string {
	p = p.WithDefaults()
	attrs := map[string]string{}
	for k, v := range u.Attributes {
		if p.attributeAllowed(k) {
			attrs[k] = v
		}
	}
	if u.Email != "" && p.allows("email") {
		attrs["email"] = u.Email
	}
	if _, ok := attrs["email"]; ok && p.allows("email_verified") {
		attrs["email_verified"] = boolString(u.EmailVerified || p.AssumeEmailVerified)
	}
	if u.Phone != "" && p.allows("phone_number") {
		attrs["phone_number"] = u.Phone
	}
	if _, ok := attrs["phone_number"]; ok && p.allows("phone_number_verified") {
		attrs["phone_number_verified"] = boolString(u.PhoneVerified || p.AssumePhoneVerified)
	}
	return attrs
}

// AttributeAllowed reports whether the attribute k may be answered: never
// sub, username or cognito:*; always a non-empty custom:*; otherwise when
// the pool's attribute list (the policy's Attributes, or the standard
// attributes by default) has it.
func (p Policy) AttributeAllowed(k string) bool {
	return p.WithDefaults().attributeAllowed(k)
}

// attributeAllowed is AttributeAllowed for a policy already completed by
// WithDefaults.
func (p Policy) attributeAllowed(k string) bool {
	switch {
	case k == "sub" || k == "username" || strings.HasPrefix(k, "cognito:"):
		return false
	case strings.HasPrefix(k, "custom:"):
		return len(k) > len("custom:")
	default:
		return p.allows(k)
	}
}

func (p Policy) allows(k string) bool { return slices.Contains(p.Attributes, k) }

// AliasUsername returns the username the trigger answers for u in an alias
// pool when the user typed an email or phone number: the legacy username,
// the legacy ID, or a mapped attribute, as AliasUsernameAttribute says.
func (p Policy) AliasUsername(u *source.User) string {
	switch a := p.AliasUsernameAttribute; a {
	case "":
		return u.Username
	case "id":
		return u.ID
	default:
		return u.Attributes[a]
	}
}

// LooksLikeAlias reports whether s has the shape of an email address or an
// E.164 phone number: what Cognito refuses as a username in a pool with
// that alias.
func LooksLikeAlias(s string) bool { return isEmail(s) || isPhone(s) }

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// isPhone reports whether s is a phone number in E.164 form, the only form
// Cognito accepts for phone_number (and so for a phone alias).
func isPhone(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isEmail reports whether s has the shape of an email address: one "@"
// with something on both sides and a dot in the domain. Cognito's own test
// for "username cannot be of email format" is of this kind.
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.ContainsAny(s, " \t")
}
