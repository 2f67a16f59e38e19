package userpool

import (
	"crypto/subtle"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// Attribute is one user attribute as the API carries it.
type Attribute struct {
	Name  string
	Value string
}

// aliasNames are the attributes that can act as sign-in identifiers.
var aliasNames = []string{"email", "phone_number", "preferred_username"}

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phoneRE = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

func looksLikeEmail(s string) bool { return emailRE.MatchString(s) }
func looksLikePhone(s string) bool { return phoneRE.MatchString(s) }

// usernameKey is the lookup key of a username in this pool.
func (s *PoolSettings) usernameKey(username string) string {
	if s.CaseSensitive() {
		return username
	}
	return strings.ToLower(username)
}

// aliasKey is the lookup key of an alias value.
func (s *PoolSettings) aliasKey(attr, value string) string {
	if attr == "phone_number" || s.CaseSensitive() {
		return value
	}
	return strings.ToLower(value)
}

// signInAttr reports whether attr can sign a user in (as username attribute
// or alias).
func (s *PoolSettings) signInAttr(attr string) bool {
	return s.usernameAttr(attr) || s.aliasAttr(attr)
}

// aliases computes a user's active aliases: username attributes always,
// alias attributes once verified (preferred_username needs no verification).
func (s *PoolSettings) aliases(attrs map[string]string) map[string]string {
	out := map[string]string{}
	for _, a := range aliasNames {
		v := attrs[a]
		if v == "" {
			continue
		}
		switch {
		case s.usernameAttr(a):
			out[a] = s.aliasKey(a, v)
		case s.aliasAttr(a) && (a == "preferred_username" || attrs[a+"_verified"] == "true"):
			out[a] = s.aliasKey(a, v)
		}
	}
	return out
}

// attrMode says what an attribute check is for.
type attrMode int

const (
	attrCreate  attrMode = iota // a new user: required attributes must be present
	attrUpdate                  // a change: immutable attributes may not change
	attrMigrate                 // a migration response: as create, errors name the schema
)

// checkAttributes validates attribute names and values against the schema.
func (s *PoolSettings) checkAttributes(attrs map[string]string, mode attrMode) error {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := attrs[n]
		if n == "sub" {
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
		}
		a, ok := s.attribute(n)
		if !ok {
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: Attribute does not exist in the schema.", n)
		}
		if mode == attrUpdate && !a.Mutable {
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", n)
		}
		if err := checkValue(a, v); err != nil {
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: %s", n, err.Error())
		}
		switch n {
		case "email":
			if v != "" && !looksLikeEmail(v) {
				return newErr(ErrInvalidParameter, "Invalid email address format.")
			}
		case "phone_number":
			if v != "" && !looksLikePhone(v) {
				return newErr(ErrInvalidParameter, "Invalid phone number format.")
			}
		}
	}
	if mode == attrCreate {
		for _, a := range s.SchemaAttributes {
			if a.Required && a.Name != "sub" && attrs[a.Name] == "" {
				return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: The attribute %s is required", a.Name, a.Name)
			}
		}
	}
	return nil
}

// maxAttributeValue is Cognito's bound on an attribute value, in bytes.
const maxAttributeValue = 2048

func checkValue(a SchemaAttribute, v string) error {
	if len(v) > maxAttributeValue {
		return errors.New("Attribute value is too long.")
	}
	switch a.AttributeDataType {
	case "Boolean":
		if v != "" && v != "true" && v != "false" {
			return errors.New("Attribute value must be true or false.")
		}
	case "Number":
		if v == "" {
			return nil
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("Number attribute value must be a number.")
		}
		if c := a.NumberAttributeConstraints; c != nil {
			if lo, err := strconv.ParseFloat(c.MinValue, 64); err == nil && n < lo {
				return errors.New("Number must be greater than or equal to the minimum.")
			}
			if hi, err := strconv.ParseFloat(c.MaxValue, 64); err == nil && n > hi {
				return errors.New("Number must be less than or equal to the maximum.")
			}
		}
	case "String":
		if c := a.StringAttributeConstraints; c != nil && v != "" {
			n := utf8.RuneCountInString(v)
			if lo, err := strconv.Atoi(c.MinLength); err == nil && n < lo {
				return errors.New("String is too short.")
			}
			if hi, err := strconv.Atoi(c.MaxLength); err == nil && n > hi {
				return errors.New("String is too long.")
			}
		}
	}
	return nil
}

// UserAttributes lists a user's attributes as the API returns them: sub
// first, then the rest by name.
func UserAttributes(u *User) []Attribute {
	out := []Attribute{{Name: "sub", Value: u.Sub}}
	names := make([]string, 0, len(u.Attributes))
	for n := range u.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, Attribute{Name: n, Value: u.Attributes[n]})
	}
	return out
}

// symbols are the characters Cognito counts as symbols in passwords.
const symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPassword applies the pool's password policy, with Cognito's messages.
func (s *PoolSettings) checkPassword(pw string) error {
	p := s.Policies.PasswordPolicy
	bad := func(msg string) error {
		return newErr(ErrInvalidPassword, "Password did not conform with password policy: %s", msg)
	}
	if utf8.RuneCountInString(pw) < max(p.MinimumLength, 6) {
		return bad("Password not long enough")
	}
	if len(pw) > 256 {
		return bad("Password must have less than 256 characters")
	}
	if strings.TrimSpace(pw) != pw {
		return bad("Password must not begin or end with a space")
	}
	var upper, lower, num, sym bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			num = true
		case strings.ContainsRune(symbols, r):
			sym = true
		}
	}
	switch {
	case p.RequireLowercase && !lower:
		return bad("Password must have lowercase characters")
	case p.RequireUppercase && !upper:
		return bad("Password must have uppercase characters")
	case p.RequireNumbers && !num:
		return bad("Password must have numeric characters")
	case p.RequireSymbols && !sym:
		return bad("Password must have symbol characters")
	}
	return nil
}

// newVerifier computes the SRP verifier of a password for the canonical
// username; it is the only form in which a password is kept.
func newVerifier(poolID, username, password string) (*Verifier, error) {
	salt, err := srp.GenerateSalt()
	if err != nil {
		return nil, err
	}
	return &Verifier{Salt: salt, V: srp.ComputeVerifier(srp.PoolName(poolID), username, password, salt)}, nil
}

// checkVerifier reports whether password matches the user's verifier, in
// constant time. A user without a password never matches.
func checkVerifier(u *User, password string) bool {
	if u.Password == nil || len(u.Password.Salt) == 0 {
		// Spend the same work as a real check so timing does not tell.
		_ = srp.ComputeVerifier(srp.PoolName(u.PoolID), u.Username, password, dummySalt)
		return false
	}
	v := srp.ComputeVerifier(srp.PoolName(u.PoolID), u.Username, password, u.Password.Salt)
	return subtle.ConstantTimeCompare(v, u.Password.V) == 1
}

var dummySalt = []byte{0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// maskDestination hides most of an email address or phone number, as
// Cognito's CodeDeliveryDetails.Destination does.
func maskDestination(medium, dest string) string {
	if medium == "EMAIL" {
		local, domain, ok := strings.Cut(dest, "@")
		if !ok || local == "" || domain == "" {
			return "***"
		}
		return local[:1] + "***@" + domain[:1] + "***"
	}
	if len(dest) <= 4 {
		return "+*******"
	}
	return "+" + strings.Repeat("*", max(len(dest)-5, 1)) + dest[len(dest)-4:]
}
