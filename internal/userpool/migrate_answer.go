// The trigger's answer checked as Cognito checks it, and the error a refused
// answer becomes.

package userpool

import (
	"maps"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// hasValue reports whether attrs holds an attribute other than username
// with a non-empty value.
func hasValue(attrs map[string]string) bool {
	for k, v := range attrs {
		if k != "username" && v != "" {
			return true
		}
	}
	return false
}

// checkAnswer applies Cognito's rules for a migration answer — the ones
// Ferry's own trigger applies before it answers (migration.CheckAnswer) —
// to any trigger's answer, and fails as Cognito fails: a pool does not
// repair or drop a value, it refuses the whole answer, so every refusal is
// an error here and no user is created. The pool's schema supplies the
// required and declared custom attributes.
func checkAnswer(p *pool, typed string, attrs map[string]string) error {
	schema := migration.PoolSchema{Custom: []string{}, MaxLength: map[string]int{}}
	for _, a := range p.set.SchemaAttributes {
		switch {
		case strings.HasPrefix(a.Name, "custom:"):
			schema.Custom = append(schema.Custom, a.Name)
			if c := a.StringAttributeConstraints; c != nil {
				if n, err := strconv.Atoi(c.MaxLength); err == nil {
					schema.MaxLength[a.Name] = n
				}
			}
		case a.Required && a.Name != "sub":
			schema.Required = append(schema.Required, a.Name)
		}
	}
	username := typed
	if len(p.set.UsernameAttributes) > 0 {
		// Cognito chooses the username (a UUID) and takes the typed email
		// or phone number as that attribute.
		username = ""
		attrs = maps.Clone(attrs)
		for _, a := range []string{"email", "phone_number"} {
			if p.set.usernameAttr(a) && attrs[a] == "" && (a == "email" && looksLikeEmail(typed) || a == "phone_number" && looksLikePhone(typed)) {
				attrs[a] = typed
			}
		}
	}
	_, refusals, err := migration.CheckAnswer("", username, attrs, schema)
	var first *migration.Refusal
	for i, r := range refusals {
		if r.Reason == migration.ReasonNotVerifiable {
			// Cognito's handling of a verification flag without its value
			// is not documented; the pool stores what it was given.
			continue
		}
		if first == nil || r.Attribute == "username" {
			first = &refusals[i]
		}
	}
	if first == nil {
		if err != nil {
			return newErr(ErrUserNotFound, "Error during migration: %v", err)
		}
		return nil
	}
	return refusalError(*first)
}

// refusalError is the error Cognito answers a migration with for an answer
// that breaks the rule r: InvalidParameterException for the username and
// the email and phone formats, as Cognito reports them for any request;
// UserNotFoundException "Attributes did not conform to the schema" for the
// schema's own rules, as its migration documentation lists them.
func refusalError(r migration.Refusal) error {
	schema := func(msg string) error {
		return newErr(ErrUserNotFound, "Attributes did not conform to the schema: %s: %s", r.Attribute, msg)
	}
	switch r.Reason {
	case migration.ReasonUsernamePattern, migration.ReasonInvalidUTF8:
		if r.Attribute == "username" {
			return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
		}
		return schema("Attribute value is not valid UTF-8.")
	case migration.ReasonUsernameLength:
		return newErr(ErrInvalidParameter, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128")
	case migration.ReasonEmailFormat:
		return newErr(ErrInvalidParameter, "Invalid email address format.")
	case migration.ReasonPhoneFormat:
		return newErr(ErrInvalidParameter, "Invalid phone number format.")
	case migration.ReasonNotBoolean:
		return schema("Attribute value must be true or false.")
	case migration.ReasonTooLong:
		return schema("String is too long.")
	case migration.ReasonRequired:
		return schema("The attribute " + r.Attribute + " is required")
	case migration.ReasonUnknown, migration.ReasonCustomUndecl:
		if r.Attribute == "sub" {
			// Cognito generates sub; a returned one broke real first sign-ins.
			return schema("Attribute cannot be updated. (changing an immutable attribute)")
		}
		return schema("Attribute does not exist in the schema.")
	}
	return newErr(ErrUserNotFound, "Error during migration: %s: %s", r.Attribute, r.Reason)
}
