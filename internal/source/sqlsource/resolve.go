// The configuration as the source runs it: the preset underneath, built for
// the tables found, the user's fields over it, and the defaults.

package sqlsource

import (
	"fmt"
	"maps"
	"strings"
)

// resolved returns c with the preset applied underneath it (for the
// framework's default schema) and the defaults filled in. It does not
// validate.
func (c Config) resolved() (Config, error) {
	r, _, err := c.resolve(nil)
	return r, err
}

// resolve returns c with the preset, built for the tables found (nil: the
// framework's default schema), applied underneath it and the defaults
// filled in, and the preset's shape (nil without a preset).
func (c Config) resolve(t *tables) (Config, *shape, error) {
	r := c
	var sh *shape
	if c.Preset != "" {
		p, ok := presets[c.Preset]
		if !ok {
			return r, nil, fmt.Errorf("preset: unknown preset %q (known: %s)", c.Preset, strings.Join(Presets(), ", "))
		}
		if c.Driver != "" {
			d, ok := dialects[c.Driver]
			if !ok {
				return r, nil, fmt.Errorf("driver: unknown driver %q", c.Driver)
			}
			built := p.build(d, c, t)
			sh = &built
			r = overlay(built.config(d), c)
		}
	}
	if r.Lookup == "" {
		r.Lookup = LookupUsername
		if r.Query.ByEmail != "" {
			r.Lookup = LookupBoth
		}
	}
	if r.Fold == "" {
		r.Fold = FoldNone
	}
	if r.Pool.MaxOpen == 0 {
		r.Pool.MaxOpen = DefaultMaxOpen
	}
	if r.Pool.MaxIdle == 0 {
		r.Pool.MaxIdle = min(DefaultMaxIdle, r.Pool.MaxOpen)
	}
	if r.Pool.ConnMaxLifetime == 0 {
		r.Pool.ConnMaxLifetime = DefaultConnMaxLifetime
	}
	if r.Pool.ConnMaxIdleTime == 0 {
		r.Pool.ConnMaxIdleTime = DefaultConnMaxIdleTime
	}
	if r.QueryTimeout == 0 {
		r.QueryTimeout = DefaultQueryTimeout
	}
	return r, sh, nil
}

// overlay returns base with every non-empty field of c written over it.
func overlay(base, c Config) Config {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	r := base
	r.Preset, r.Driver = c.Preset, c.Driver
	set(&r.DSN, c.DSN)
	set(&r.DSNFile, c.DSNFile)
	set(&r.Lookup, c.Lookup)
	set(&r.Fold, c.Fold)
	set(&r.Query.ByUsername, c.Query.ByUsername)
	set(&r.Query.ByEmail, c.Query.ByEmail)
	set(&r.Query.Sample, c.Query.Sample)
	set(&r.Query.List, c.Query.List)
	set(&r.Query.Migrated, c.Query.Migrated)
	if c.Params != nil {
		r.Params = c.Params
	}
	cols := []struct {
		dst *string
		v   string
	}{
		{&r.Columns.ID, c.Columns.ID}, {&r.Columns.Username, c.Columns.Username},
		{&r.Columns.Email, c.Columns.Email}, {&r.Columns.EmailVerified, c.Columns.EmailVerified},
		{&r.Columns.Phone, c.Columns.Phone}, {&r.Columns.PhoneVerified, c.Columns.PhoneVerified},
		{&r.Columns.PasswordHash, c.Columns.PasswordHash}, {&r.Columns.Salt, c.Columns.Salt},
		{&r.Columns.HashFormat, c.Columns.HashFormat}, {&r.Columns.Disabled, c.Columns.Disabled},
		{&r.Columns.Enabled, c.Columns.Enabled}, {&r.Columns.LockoutEnd, c.Columns.LockoutEnd},
		{&r.Columns.LockoutEnabled, c.Columns.LockoutEnabled},
	}
	for _, col := range cols {
		set(col.dst, col.v)
	}
	if c.Attributes != nil {
		// Field by field, as for every other key: a column the
		// configuration maps is added to (or replaces) the preset's.
		r.Attributes = maps.Clone(base.Attributes)
		if r.Attributes == nil {
			r.Attributes = map[string]string{}
		}
		maps.Copy(r.Attributes, c.Attributes)
	}
	set(&r.HashFormat, c.HashFormat)
	set(&r.Pepper, c.Pepper)
	set(&r.PepperFile, c.PepperFile)
	set(&r.DummyHash, c.DummyHash)
	r.Firebase = c.Firebase
	set(&r.Realm, c.Realm)
	set(&r.TablePrefix, c.TablePrefix)
	set(&r.ApplicationName, c.ApplicationName)
	set(&r.UnlockStrategy, c.UnlockStrategy)
	r.UnlockIn, r.AllowUnconfirmedAccessFor = c.UnlockIn, c.AllowUnconfirmedAccessFor
	r.Pool, r.QueryTimeout = c.Pool, c.QueryTimeout
	return r
}
