package sqlsource

import (
	"maps"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Mapping reports what the source c opens can answer: its preset's columns
// and attributes overlaid with c's own.
func (c Config) Mapping() source.Mapping {
	var m source.Mapping
	cols, attrs, fold := c.Columns, c.Attributes, c.Fold
	if base, ok := PresetConfig(c.Preset, c.Driver); ok {
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
		m.Attributes = append(m.Attributes, "email", "email_verified")
		m.EmailVerified = cols.EmailVerified != ""
	}
	if cols.Phone != "" {
		m.Attributes = append(m.Attributes, "phone_number", "phone_number_verified")
		m.PhoneVerified = cols.PhoneVerified != ""
	}
	for _, a := range attrs {
		m.Attributes = append(m.Attributes, a)
	}
	m.FoldsCase = fold == FoldLower || fold == FoldUpper
	return m
}

// overlayColumns sets base's contact columns to c's where c names them.
func overlayColumns(base, c Columns) Columns {
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
