package preflight

import (
	"maps"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source/cognitosource"
	"github.com/ferry-migrate/ferry/internal/source/filesource"
	"github.com/ferry-migrate/ferry/internal/source/httpsource"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// Expectations is what Ferry's configuration expects of the pool. The zero
// value (no configuration) limits the report to the pool-side checks.
type Expectations struct {
	// Known is true when the expectations come from a configuration.
	Known bool
	// Mapped are the attribute names the sources map users' values to,
	// before the policy's allow-list (email and phone_number included when
	// a source reads them).
	Mapped []string
	// Allowed is the policy's attribute allow-list (custom: attributes
	// always pass it).
	Allowed []string
	// EmailVerified and PhoneVerified say whether a migrated email or
	// phone number can arrive verified (from the source or by the
	// policy's assume_*_verified).
	EmailVerified bool
	PhoneVerified bool
	// UsernameCase is the policy's username_case.
	UsernameCase migration.CaseFolding
	// PoolMode is the policy's pool_mode.
	PoolMode migration.PoolMode
	// SourcesFoldCase is true when every source matches names regardless
	// of case by itself (an SQL fold, a case-insensitive file, a
	// directory's matching rules).
	SourcesFoldCase bool
	// FailureStyle is the trigger's failure_style.
	FailureStyle trigger.FailureStyle
}

// FromConfig derives the expectations of a loaded configuration.
func FromConfig(cfg *config.Config) Expectations {
	p := cfg.Migration.WithDefaults()
	e := Expectations{Known: true, Allowed: slices.Clone(p.Attributes), UsernameCase: p.UsernameCase, PoolMode: p.PoolMode,
		FailureStyle: cfg.Trigger.FailureStyle, EmailVerified: p.AssumeEmailVerified, PhoneVerified: p.AssumePhoneVerified}
	if e.FailureStyle == "" {
		e.FailureStyle = trigger.FailError
	}
	mapped := map[string]bool{}
	e.SourcesFoldCase = len(cfg.Sources) > 0
	for _, b := range cfg.Sources {
		m := sourceMapping(b.Config)
		e.SourcesFoldCase = e.SourcesFoldCase && m.foldsCase
		for _, a := range m.attrs {
			mapped[a] = true
		}
		e.EmailVerified = e.EmailVerified || m.emailVerified
		e.PhoneVerified = e.PhoneVerified || m.phoneVerified
	}
	e.Mapped = slices.Sorted(maps.Keys(mapped))
	return e
}

// mapping is what one source can fill in.
type mapping struct {
	attrs                        []string
	emailVerified, phoneVerified bool
	foldsCase                    bool
}

// sourceMapping reads a backend's configuration for the attributes it maps.
func sourceMapping(cfg any) mapping {
	var m mapping
	switch c := cfg.(type) {
	case *sqlsource.Config:
		cols, attrs, fold := c.Columns, c.Attributes, c.Fold
		if base, ok := sqlsource.PresetConfig(c.Preset, c.Driver); ok {
			if fold == "" {
				fold = base.Fold
			}
			cols = overlayColumns(base.Columns, c.Columns)
			attrs = maps.Clone(base.Attributes)
			if attrs == nil {
				attrs = map[string]string{}
			}
			maps.Copy(attrs, c.Attributes)
		}
		if cols.Email != "" {
			m.attrs = append(m.attrs, "email", "email_verified")
			m.emailVerified = cols.EmailVerified != ""
		}
		if cols.Phone != "" {
			m.attrs = append(m.attrs, "phone_number", "phone_number_verified")
			m.phoneVerified = cols.PhoneVerified != ""
		}
		for _, a := range attrs {
			m.attrs = append(m.attrs, a)
		}
		m.foldsCase = fold == sqlsource.FoldLower || fold == sqlsource.FoldUpper
	case *ldapsource.Config:
		// The directory's mail, telephoneNumber, givenName, sn and
		// displayName are always read (they have defaults).
		m.attrs = append(m.attrs, "email", "email_verified", "phone_number", "phone_number_verified",
			"given_name", "family_name", "name")
		m.attrs = append(m.attrs, slices.Collect(maps.Keys(c.Attributes.Extra))...)
		m.emailVerified, m.phoneVerified = c.EmailVerified, c.PhoneVerified
		// uid, mail and sAMAccountName match case-insensitively.
		m.foldsCase = true
	case *httpsource.Config:
		// Both contracts carry email and phone number with their
		// verified flags; the endpoint decides per user.
		m.attrs = append(m.attrs, "email", "email_verified", "phone_number", "phone_number_verified")
		m.attrs = append(m.attrs, slices.Collect(maps.Keys(c.Attributes))...)
		m.emailVerified, m.phoneVerified = true, true
	case *cognitosource.Config:
		attrs := c.Attributes
		if attrs == nil {
			attrs = cognitosource.DefaultAttributes
		}
		m.attrs = append(m.attrs, attrs...)
		m.attrs = append(m.attrs, slices.Collect(maps.Values(c.CustomAttributes))...)
		legacySub := c.LegacySubAttribute
		if legacySub == "" {
			legacySub = cognitosource.DefaultLegacySubAttribute
		}
		// Email and phone number travel with the old pool's verified
		// flags.
		m.attrs = append(m.attrs, legacySub, "email", "email_verified", "phone_number", "phone_number_verified")
		m.emailVerified, m.phoneVerified = true, true
	case *filesource.Config:
		// The file's entries decide per user; assume every channel.
		m.attrs = append(m.attrs, "email", "email_verified", "phone_number", "phone_number_verified")
		m.emailVerified, m.phoneVerified = true, true
		m.foldsCase = c.CaseInsensitive
	}
	return m
}

func overlayColumns(base, c sqlsource.Columns) sqlsource.Columns {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&base.Email, c.Email)
	set(&base.EmailVerified, c.EmailVerified)
	set(&base.Phone, c.Phone)
	set(&base.PhoneVerified, c.PhoneVerified)
	return base
}

// sent returns the attributes Ferry can send: the mapped ones the policy
// allows, custom: ones always. dropped are mapped names the allow-list
// removes.
func (e Expectations) sent() (sent, dropped []string) {
	for _, a := range e.Mapped {
		if strings.HasPrefix(a, "custom:") || slices.Contains(e.Allowed, a) {
			sent = append(sent, a)
		} else {
			dropped = append(dropped, a)
		}
	}
	return sent, dropped
}
