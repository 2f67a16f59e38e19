package sqlsource

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// Validate reports every problem with the configuration at once, each with
// its path (e.g. "query.by_username: required").
func (c *Config) Validate() error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	switch c.Driver {
	case "":
		add("driver", "required (one of %s)", strings.Join(driverNames(), ", "))
	default:
		if _, ok := dialects[c.Driver]; !ok {
			add("driver", "unknown driver %q (one of %s)", c.Driver, strings.Join(driverNames(), ", "))
		}
	}
	r, err := c.resolved()
	if err != nil {
		errs = append(errs, err)
		return errors.Join(errs...)
	}
	switch {
	case r.DSN == "" && r.DSNFile == "":
		add("dsn", "required (or dsn_file)")
	case r.DSN != "" && r.DSNFile != "":
		add("dsn", "set either dsn or dsn_file, not both")
	}
	if r.Pepper != "" && r.PepperFile != "" {
		add("pepper", "set either pepper or pepper_file, not both")
	}
	switch r.Lookup {
	case LookupUsername:
		if r.Query.ByUsername == "" {
			add("query.by_username", "required")
		}
	case LookupEmail:
		if r.Query.ByEmail == "" {
			add("query.by_email", "required when lookup is %q", LookupEmail)
		}
	case LookupBoth:
		if r.Query.ByUsername == "" {
			add("query.by_username", "required")
		}
		if r.Query.ByEmail == "" {
			add("query.by_email", "required when lookup is %q", LookupBoth)
		}
	default:
		add("lookup", "unknown mode %q (username, email or both)", r.Lookup)
	}
	switch r.Fold {
	case FoldNone, FoldLower, FoldUpper:
	default:
		add("fold", "unknown fold %q (none, lower or upper)", r.Fold)
	}
	if r.Columns.ID == "" {
		add("columns.id", "required")
	}
	if r.Columns.Username == "" {
		add("columns.username", "required")
	}
	if r.Columns.PasswordHash == "" {
		add("columns.password_hash", "required")
	}
	if r.HashFormat != "" {
		// An unknown name would fail every sign-in; a known one with an
		// empty value fails differently (malformed), which is fine here.
		if _, err := passhash.Identify(passhash.Hash{Format: r.HashFormat}); errors.Is(err, passhash.ErrUnknownFormat) {
			add("hash_format", "unknown format %q", r.HashFormat)
		}
	}
	if r.Query.Sample == "" && r.DummyHash == "" {
		add("query.sample", "required unless dummy_hash is set (unknown users must cost a real verification)")
	}
	for col, attr := range r.Attributes {
		if col == "" || attr == "" {
			add("attributes", "empty column or attribute name in %q: %q", col, attr)
		}
	}
	errs = append(errs, passhash.ValidateBlock("firebase", r.Firebase)...)
	if r.Pool.MaxOpen < 0 || r.Pool.MaxIdle < 0 {
		add("pool", "negative size")
	}
	if r.Pool.MaxIdle > r.Pool.MaxOpen {
		add("pool.max_idle", "%d is more than max_open %d", r.Pool.MaxIdle, r.Pool.MaxOpen)
	}
	if r.Pool.ConnMaxLifetime < 0 || r.Pool.ConnMaxIdleTime < 0 || r.QueryTimeout < 0 {
		add("pool", "negative duration")
	}
	if c.Preset == "keycloak" && r.Realm == "" && len(c.Params) == 0 {
		add("realm", "required by the keycloak preset")
	}
	for _, k := range []struct {
		key, preset string
		set         bool
	}{
		{"table_prefix", "wordpress", c.TablePrefix != ""},
		{"application_name", "aspnet-membership", c.ApplicationName != ""},
		{"unlock_strategy", "devise", c.UnlockStrategy != ""},
		{"unlock_in", "devise", c.UnlockIn != 0},
		{"allow_unconfirmed_access_for", "devise", c.AllowUnconfirmedAccessFor != 0},
	} {
		if k.set && c.Preset != k.preset {
			add(k.key, "only the %s preset reads it (preset is %q)", k.preset, c.Preset)
		}
	}
	if c.TablePrefix != "" && !tablePrefixRE.MatchString(c.TablePrefix) {
		add("table_prefix", "%q is not a WordPress table prefix (letters, digits and underscores, as in wp-config.php)", c.TablePrefix)
	}
	switch c.UnlockStrategy {
	case "", UnlockBoth, UnlockTime, UnlockEmail, UnlockNone:
	default:
		add("unlock_strategy", "unknown strategy %q (both, time, email or none)", c.UnlockStrategy)
	}
	if c.UnlockIn < 0 {
		add("unlock_in", "negative duration")
	}
	if c.AllowUnconfirmedAccessFor < 0 {
		add("allow_unconfirmed_access_for", "negative duration")
	}
	return errors.Join(errs...)
}
