package cognitosource

import (
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Mapping reports what the source c opens can answer: the copied standard
// attributes, the mapped custom ones, the old sub's attribute, and email
// and phone number with the old pool's verified flags.
func (c Config) Mapping() source.Mapping {
	attrs := slices.Clone(c.Attributes)
	if attrs == nil {
		attrs = slices.Clone(DefaultAttributes)
	}
	attrs = append(attrs, slices.Sorted(maps.Values(c.CustomAttributes))...)
	legacySub := c.LegacySubAttribute
	if legacySub == "" {
		legacySub = DefaultLegacySubAttribute
	}
	attrs = append(attrs, legacySub, "email", "email_verified", "phone_number", "phone_number_verified")
	return source.Mapping{Attributes: attrs, EmailVerified: true, PhoneVerified: true}
}
