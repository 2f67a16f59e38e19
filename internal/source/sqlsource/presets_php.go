// The PHP presets: WordPress (single site and multisite) and Laravel.

package sqlsource

import (
	"regexp"
)

// DefaultTablePrefix is WordPress's default $table_prefix.
const DefaultTablePrefix = "wp_"

// tablePrefixRE is what a WordPress table prefix may hold (wp-config.php's
// $table_prefix: letters, digits and underscores), which is also what makes
// it safe to write into the statements.
var tablePrefixRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func wpPrefix(c Config) string {
	if c.TablePrefix == "" {
		return DefaultTablePrefix
	}
	return c.TablePrefix
}

func wordpressTables(c Config) []string {
	p := wpPrefix(c)
	return []string{p + "users", p + "usermeta"}
}

// wordpress is WordPress's <prefix>users (table_prefix, default "wp_").
// user_pass is phpass "$P$…", WordPress 6.8's "$wp$2y$…", bcrypt, or a bare
// MD5 of 32 hex digits that wp_check_password still accepts (and flagged
// weak). The typed password is trimmed, as wp_authenticate does. user_status
// is not a sign-in flag (WordPress signs in user_status=1); a multisite's
// spam or deleted flag, when the columns are there, disables the user.
// first_name and last_name come from <prefix>usermeta when it is there.
func wordpress(_ dialect, c Config, t *tables) shape {
	p := wpPrefix(c)
	users, meta := p+"users", p+"usermeta"
	sel := `u."ID", u."user_login", u."user_email", u."display_name", u."user_pass"`
	cfg := Config{
		Columns: Columns{
			ID: "ID", Username: "user_login", Email: "user_email", PasswordHash: "user_pass",
		},
		Attributes:   map[string]string{"display_name": "name"},
		bareHex:      map[int]string{32: "md5"},
		trimPassword: phpTrim,
	}
	if t.has(users, "spam", false) && t.has(users, "deleted", false) {
		sel += `, CASE WHEN u."spam" <> 0 OR u."deleted" <> 0 THEN 1 ELSE 0 END AS "ferry_disabled"`
		cfg.Columns.Disabled = "ferry_disabled"
	}
	if t.exists(meta, true) {
		for _, k := range []string{"first_name", "last_name"} {
			sel += `, (SELECT MAX(m."meta_value") FROM "` + meta + `" m WHERE m."user_id" = u."ID" AND m."meta_key" = '` +
				k + `') AS "` + k + `"`
		}
		cfg.Attributes = map[string]string{"display_name": "name", "first_name": "given_name", "last_name": "family_name"}
	}
	return shape{
		sel: sel, from: `"` + users + `" u`, byUsername: `u."user_login" = $1`, byEmail: `u."user_email" = $1`,
		key: `u."ID"`, mark: `u."` + MigratedColumn + `"`, markTable: users, markKey: "ID",
		sample: `SELECT "user_pass" FROM "` + users + `" WHERE "user_pass" <> '' LIMIT 1`,
		cfg:    cfg,
	}
}

// phpTrim is the set of characters PHP's trim() strips by default.
const phpTrim = " \t\n\r\x00\x0B"

// laravel is Laravel's default users table: sign-in by email, password is
// bcrypt ("$2y$") or argon2, email_verified_at verifies the email.
func laravel(_ dialect, _ Config, _ *tables) shape {
	return shape{
		sel:  `"id", "name", "email", "email_verified_at", "password"`,
		from: `"users"`, byUsername: `"email" = $1`, byEmail: `"email" = $1`,
		key: `"id"`, mark: `"users"."` + MigratedColumn + `"`, markTable: "users", markKey: "id",
		sample: `SELECT "password" FROM "users" WHERE "password" <> '' LIMIT 1`,
		cfg: Config{
			Lookup: LookupEmail,
			Columns: Columns{
				ID: "id", Username: "email", Email: "email", EmailVerified: "email_verified_at", PasswordHash: "password",
			},
			Attributes: map[string]string{"name": "name"},
		},
	}
}
