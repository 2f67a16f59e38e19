package httpsource

import (
	"maps"
	"slices"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Mapping reports what the source c opens can answer: both contracts carry
// email and phone number with their verified flags, and the endpoint
// decides per user.
func (c Config) Mapping() source.Mapping {
	attrs := []string{"email", "email_verified", "phone_number", "phone_number_verified"}
	attrs = append(attrs, slices.Sorted(maps.Keys(c.Attributes))...)
	return source.Mapping{Attributes: attrs, EmailVerified: true, PhoneVerified: true}
}
