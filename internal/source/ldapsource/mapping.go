package ldapsource

import (
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Mapping reports what the source c opens can answer. The directory's
// mail, telephoneNumber, givenName, sn and displayName are always read
// (they have defaults); uid, mail and sAMAccountName match regardless of
// case.
func (c Config) Mapping() source.Mapping {
	attrs := []string{"email", "email_verified", "phone_number", "phone_number_verified",
		"given_name", "family_name", "name"}
	attrs = append(attrs, slices.Sorted(maps.Keys(c.Attributes.Extra))...)
	return source.Mapping{Attributes: attrs, EmailVerified: c.EmailVerified, PhoneVerified: c.PhoneVerified, FoldsCase: true}
}
