package sqlsource

import (
	"slices"
	"strings"
)

// MigratedColumn is the column the presets' write-back sets. It is not part
// of any of the legacy schemas: add it to the users table (see
// docs/sources.md, or Schema's DDL) to record progress, or set
// query.migrated to "none".
const MigratedColumn = "ferry_migrated_at"

// preset builds the configuration of a known schema for dialect d; c is the
// user's configuration, for the few values a preset needs (Realm).
type preset func(d dialect, c Config) Config

var presets = map[string]preset{
	"aspnet-identity":   aspnetIdentity,
	"aspnet-membership": aspnetMembership,
	"django":            django,
	"wordpress":         wordpress,
	"devise":            devise,
	"laravel":           laravel,
	"keycloak":          keycloak,
}

// Presets lists the preset names.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// PresetConfig returns the configuration preset name fills for driver,
// before any override: what `ferry check` shows and what docs/sources.md
// documents.
func PresetConfig(name, driver string) (Config, bool) {
	p, ok := presets[name]
	d, dok := dialects[driver]
	if !ok || !dok {
		return Config{}, false
	}
	c := p(d, Config{})
	c.Preset, c.Driver = name, driver
	return c, true
}

// markStatement is the presets' idempotent write-back on table keyed by idCol.
func markStatement(d dialect, table, idCol string) string {
	return d.sql(`UPDATE "` + table + `" SET "` + MigratedColumn + `" = ` + d.now +
		` WHERE "` + idCol + `" = $1 AND "` + MigratedColumn + `" IS NULL`)
}

// aspnetIdentity is ASP.NET Core Identity's AspNetUsers (EF Core default
// names). Lookups go through the upper-cased Normalized* columns, as
// UserManager does; PasswordHash is the V2/V3 base64 blob. A lockout
// applies while LockoutEnd is in the future and LockoutEnabled is set.
func aspnetIdentity(d dialect, _ Config) Config {
	sel := `SELECT "Id", "UserName", "Email", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", ` +
		`"PasswordHash", "LockoutEnd", "LockoutEnabled" FROM "AspNetUsers" WHERE `
	return Config{
		Fold: FoldUpper,
		Query: Queries{
			ByUsername: d.sql(sel + `"NormalizedUserName" = $1`),
			ByEmail:    d.sql(sel + `"NormalizedEmail" = $1`),
			Sample:     d.sql(`SELECT "PasswordHash" FROM "AspNetUsers" WHERE "PasswordHash" IS NOT NULL LIMIT 1`),
			Migrated:   markStatement(d, "AspNetUsers", "Id"),
		},
		Columns: Columns{
			ID: "Id", Username: "UserName", Email: "Email", EmailVerified: "EmailConfirmed",
			Phone: "PhoneNumber", PhoneVerified: "PhoneNumberConfirmed", PasswordHash: "PasswordHash",
			LockoutEnd: "LockoutEnd", LockoutEnabled: "LockoutEnabled",
		},
		// A bare base64 blob says nothing about itself: V2 and V3 are told
		// apart by their first byte once the format is known.
		HashFormat: "aspnet-identity",
	}
}

// aspnetMembership is the SqlMembershipProvider schema (aspnet_Users joined
// with aspnet_Membership). Only PasswordFormat 1 (hashed) rows carry a
// verifiable hash; clear (0) and encrypted (2) rows answer as having no
// password. The hash algorithm is a machine.config setting, so the preset
// assumes the .NET 2.0–3.5 default, SHA1; set hash_format for HMACSHA256.
func aspnetMembership(d dialect, _ Config) Config {
	userID := `u."UserId"`
	if d.driver == DriverSQLServer {
		// uniqueidentifier scans as mixed-endian bytes; its text form is the id.
		userID = `CAST(u."UserId" AS NVARCHAR(36)) AS "UserId"`
	}
	sel := `SELECT ` + userID + `, u."UserName", m."Email", ` +
		`CASE WHEN m."PasswordFormat" = 1 THEN m."Password" END AS "PasswordHash", m."PasswordSalt", ` +
		`m."IsApproved", m."IsLockedOut" ` +
		`FROM "aspnet_Users" u JOIN "aspnet_Membership" m ON m."UserId" = u."UserId" WHERE `
	return Config{
		Fold: FoldLower,
		Query: Queries{
			ByUsername: d.sql(sel + `u."LoweredUserName" = $1`),
			ByEmail:    d.sql(sel + `m."LoweredEmail" = $1`),
			Sample: d.sql(`SELECT "Password" AS "PasswordHash", "PasswordSalt" FROM "aspnet_Membership" ` +
				`WHERE "PasswordFormat" = 1 LIMIT 1`),
			Migrated: markStatement(d, "aspnet_Membership", "UserId"),
		},
		Columns: Columns{
			ID: "UserId", Username: "UserName", Email: "Email", PasswordHash: "PasswordHash",
			Salt: "PasswordSalt", Enabled: "IsApproved", Disabled: "IsLockedOut",
		},
		HashFormat: "aspnet-membership-sha1",
	}
}

// django is django.contrib.auth's auth_user. Passwords are self-describing
// ("pbkdf2_sha256$…", "argon2$…", "bcrypt_sha256$…"); an unusable password
// ("!…") reads as no password. Usernames match exactly, as Django does;
// emails case-insensitively.
func django(d dialect, _ Config) Config {
	sel := `SELECT "id", "username", "email", "first_name", "last_name", "is_active", ` +
		`CASE WHEN "password" LIKE '!%' THEN NULL ELSE "password" END AS "password" FROM "auth_user" WHERE `
	return Config{
		Query: Queries{
			ByUsername: d.sql(sel + `"username" = $1`),
			ByEmail:    d.sql(sel + `LOWER("email") = LOWER($1)`),
			Sample:     d.sql(`SELECT "password" FROM "auth_user" WHERE "password" NOT LIKE '!%' LIMIT 1`),
			Migrated:   markStatement(d, "auth_user", "id"),
		},
		Columns: Columns{
			ID: "id", Username: "username", Email: "email", PasswordHash: "password", Enabled: "is_active",
		},
		Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
	}
}

// wordpress is WordPress's wp_users (default table prefix). user_pass is
// phpass "$P$…", WordPress 6.8's "$wp$2y$…" or bcrypt; a non-zero
// user_status (spam, deleted) disables the user.
func wordpress(d dialect, _ Config) Config {
	sel := `SELECT "ID", "user_login", "user_email", "display_name", "user_pass", "user_status" FROM "wp_users" WHERE `
	return Config{
		Query: Queries{
			ByUsername: d.sql(sel + `"user_login" = $1`),
			ByEmail:    d.sql(sel + `"user_email" = $1`),
			Sample:     d.sql(`SELECT "user_pass" FROM "wp_users" WHERE "user_pass" <> '' LIMIT 1`),
			Migrated:   markStatement(d, "wp_users", "ID"),
		},
		Columns: Columns{
			ID: "ID", Username: "user_login", Email: "user_email", PasswordHash: "user_pass", Disabled: "user_status",
		},
		Attributes: map[string]string{"display_name": "name"},
	}
}

// devise is a Rails Devise users table: users sign in by email, which Devise
// stores down-cased; encrypted_password is bcrypt over password+pepper
// (set pepper or pepper_file); confirmed_at verifies the email (confirmable)
// and a set locked_at disables the user (lockable).
func devise(d dialect, _ Config) Config {
	q := d.sql(`SELECT "id", "email", "encrypted_password", "confirmed_at", "locked_at" FROM "users" WHERE "email" = $1`)
	return Config{
		Lookup: LookupEmail,
		Fold:   FoldLower,
		Query: Queries{
			ByUsername: q,
			ByEmail:    q,
			Sample:     d.sql(`SELECT "encrypted_password" FROM "users" WHERE "encrypted_password" <> '' LIMIT 1`),
			Migrated:   markStatement(d, "users", "id"),
		},
		Columns: Columns{
			ID: "id", Username: "email", Email: "email", EmailVerified: "confirmed_at",
			PasswordHash: "encrypted_password", Disabled: "locked_at",
		},
	}
}

// laravel is Laravel's default users table: sign-in by email, password is
// bcrypt ("$2y$") or argon2, email_verified_at verifies the email.
func laravel(d dialect, _ Config) Config {
	q := d.sql(`SELECT "id", "name", "email", "email_verified_at", "password" FROM "users" WHERE "email" = $1`)
	return Config{
		Lookup: LookupEmail,
		Query: Queries{
			ByUsername: q,
			ByEmail:    q,
			Sample:     d.sql(`SELECT "password" FROM "users" WHERE "password" <> '' LIMIT 1`),
			Migrated:   markStatement(d, "users", "id"),
		},
		Columns: Columns{
			ID: "id", Username: "email", Email: "email", EmailVerified: "email_verified_at", PasswordHash: "password",
		},
		Attributes: map[string]string{"name": "name"},
	}
}

// keycloak is Keycloak's own database: user_entity joined with its
// "password" credential, in the realm named by Config.Realm (bound as $2).
// Keycloak stores usernames and emails lower-cased. The hash is the
// passhash "keycloak" format: Encoded is credential_data
// ({"hashIterations","algorithm"}) and Salt is secret_data ({"value","salt"}).
func keycloak(d dialect, c Config) Config {
	sel := `SELECT u."id", u."username", u."email", u."email_verified", u."enabled", u."first_name", u."last_name", ` +
		`c."credential_data", c."secret_data" FROM "user_entity" u JOIN "realm" r ON r."id" = u."realm_id" ` +
		`LEFT JOIN "credential" c ON c."user_id" = u."id" AND c."type" = 'password' WHERE `
	cfg := Config{
		Fold: FoldLower,
		Query: Queries{
			ByUsername: d.sql(sel + `u."username" = $1 AND r."name" = $2`),
			ByEmail:    d.sql(sel + `u."email" = $1 AND r."name" = $2`),
			Sample:     d.sql(`SELECT "credential_data", "secret_data" FROM "credential" WHERE "type" = 'password' LIMIT 1`),
			Migrated:   markStatement(d, "user_entity", "id"),
		},
		Columns: Columns{
			ID: "id", Username: "username", Email: "email", EmailVerified: "email_verified", Enabled: "enabled",
			PasswordHash: "credential_data", Salt: "secret_data",
		},
		Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
		HashFormat: "keycloak",
	}
	if c.Realm != "" {
		cfg.Params = []string{c.Realm}
	}
	return cfg
}

// isNone reports whether a statement is switched off.
func isNone(q string) bool {
	q = strings.TrimSpace(q)
	return q == "" || strings.EqualFold(q, "none")
}
