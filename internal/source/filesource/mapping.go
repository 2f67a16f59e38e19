package filesource

import "github.com/ferry-migrate/ferry/internal/source"

// Mapping reports what the source c opens can answer: the file's entries
// decide per user, so every channel is assumed.
func (c Config) Mapping() source.Mapping {
	return source.Mapping{
		Attributes:    []string{"email", "email_verified", "phone_number", "phone_number_verified"},
		EmailVerified: true, PhoneVerified: true, FoldsCase: c.CaseInsensitive,
	}
}
