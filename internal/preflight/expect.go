package preflight

import (
	"maps"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
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
	// directory's matching rules); SomeSourceFoldsCase when one does.
	SourcesFoldCase     bool
	SomeSourceFoldsCase bool
	// PoolCaseSensitive is the policy's pool_case_sensitive (default true).
	PoolCaseSensitive bool
	// EmailLookup is true when email-shaped names reach a source that
	// reads an email (migration.lookup is not username).
	EmailLookup bool
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
		e.SourcesFoldCase = e.SourcesFoldCase && m.FoldsCase
		e.SomeSourceFoldsCase = e.SomeSourceFoldsCase || m.FoldsCase
		for _, a := range m.Attributes {
			mapped[a] = true
		}
		e.EmailVerified = e.EmailVerified || m.EmailVerified
		e.PhoneVerified = e.PhoneVerified || m.PhoneVerified
	}
	e.Mapped = slices.Sorted(maps.Keys(mapped))
	e.PoolCaseSensitive = p.PoolCaseSensitive == nil || *p.PoolCaseSensitive
	e.EmailLookup = p.Lookup != migration.LookupUsername && mapped["email"]
	return e
}

// sourceMapping asks a backend's configuration what it can fill in; a
// backend that cannot say contributes nothing.
func sourceMapping(cfg any) source.Mapping {
	if d, ok := cfg.(source.Describer); ok {
		return d.Mapping()
	}
	return source.Mapping{}
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
