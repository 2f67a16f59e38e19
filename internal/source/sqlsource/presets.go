package sqlsource

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MigratedColumn is the column the presets' write-back sets. It is not part
// of any of the legacy schemas: add it to the users table (see
// docs/sources.md, or Schema's DDL) to record progress, or set
// query.migrated to "none".
const MigratedColumn = "ferry_migrated_at"

// shape is one preset's users, written once: the lookup queries, the
// listing and the count are all built from it, so sign-in, `ferry status`
// and `ferry export` read the same rows. Everything is in the presets'
// house style ($n placeholders, "ident" quoting; see dialect.sql).
type shape struct {
	// sel is the SELECT list, from the FROM clause.
	sel, from string
	// where is a fixed condition, numbered over Params from $1 (the lookups
	// shift it past the name); empty for none.
	where string
	// byUsername and byEmail are the lookup conditions on the name ($1).
	byUsername, byEmail string
	// key is the unique key the listing pages by; keySel, when set, is how
	// it is selected for binding back (a SQL Server uniqueidentifier scans
	// as mixed-endian bytes, its text form binds back as itself).
	key, keySel string
	// mark is the MigratedColumn, always qualified with its table: SQLite
	// reads an unqualified "name" that is no column as a string literal,
	// which would make a missing column look like a mark on every row.
	mark string
	// markTable and markKey are where the write-back sets the mark.
	markTable, markKey string
	// sample selects one real user's hash columns (the dummy hash).
	sample string
	// cfg holds the preset's Lookup, Fold, Columns, Attributes, HashFormat
	// and its private rules.
	cfg Config
}

// presetDef is a preset: the tables whose columns it looks at when the
// source first connects (the optional columns of its framework's schema)
// and the shape it then builds.
type presetDef struct {
	tables func(c Config) []string
	build  func(d dialect, c Config, t *tables) shape
}

var presets = map[string]presetDef{
	"aspnet-identity":   {tables: fixedTables(identityTable), build: aspnetIdentity},
	"aspnet-membership": {build: aspnetMembership},
	"django":            {build: django},
	"wordpress":         {tables: wordpressTables, build: wordpress},
	"devise":            {tables: fixedTables("users"), build: devise},
	"laravel":           {build: laravel},
	"keycloak":          {tables: fixedTables(keycloakUsers, strings.ToUpper(keycloakUsers)), build: keycloak},
}

func fixedTables(names ...string) func(Config) []string {
	return func(Config) []string { return names }
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
// before any override and for the framework's default schema (optional
// columns are looked for only when a source connects): what `ferry check`
// shows and what docs/sources.md documents.
func PresetConfig(name, driver string) (Config, bool) {
	p, ok := presets[name]
	d, dok := dialects[driver]
	if !ok || !dok {
		return Config{}, false
	}
	c := p.build(d, Config{}, nil).config(d)
	c.Preset, c.Driver = name, driver
	return c, true
}

// config returns the Config the shape stands for in dialect d.
func (s shape) config(d dialect) Config {
	c := s.cfg
	lookup := func(cond string) string {
		return d.sql(`SELECT ` + s.sel + ` FROM ` + s.from + ` WHERE ` + cond + andFixed(s.where, 1))
	}
	c.Query.ByUsername = lookup(s.byUsername)
	if s.byEmail != "" {
		c.Query.ByEmail = lookup(s.byEmail)
	}
	c.Query.Sample = d.sql(s.sample)
	c.Query.Migrated = d.sql(`UPDATE "` + s.markTable + `" SET "` + MigratedColumn + `" = ` + d.now +
		` WHERE "` + s.markKey + `" = $1 AND "` + MigratedColumn + `" IS NULL`)
	return c
}

// andFixed returns " AND " + fixed with its placeholders shifted by n, or
// "" for no fixed condition.
func andFixed(fixed string, n int) string {
	if fixed == "" {
		return ""
	}
	return " AND " + shift(fixed, n)
}

var placeholderRE = regexp.MustCompile(`\$[1-9][0-9]*`)

// shift renumbers the house-style placeholders of q by n ($1 → $1+n).
func shift(q string, n int) string {
	return placeholderRE.ReplaceAllStringFunc(q, func(p string) string {
		i, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(i+n)
	})
}

// tables is what the source found when it first connected: each probed
// table's columns, lower-cased, and nil for a table that is not there. A nil
// *tables (before connecting, or for documentation) answers as the
// framework's default schema.
type tables struct {
	cols map[string]map[string]bool
}

// exists reports whether table was found; def when nothing was probed.
func (t *tables) exists(table string, def bool) bool {
	if t == nil {
		return def
	}
	return t.cols[table] != nil
}

// has reports whether table has column col; def when nothing was probed.
func (t *tables) has(table, col string, def bool) bool {
	if t == nil {
		return def
	}
	return t.cols[table][strings.ToLower(col)]
}

// The ASP.NET Identity table; Core and EF6 Identity 2 share its name.
const identityTable = "AspNetUsers"

// aspnetIdentity is ASP.NET Identity's AspNetUsers, as ASP.NET Core
// Identity's EF Core migrations create it, or as EF6's ASP.NET Identity 2
// does (told apart by its columns: Identity 2 has LockoutEndDateUtc and no
// Normalized* columns). Core looks names up through the upper-cased
// Normalized* columns, as UserManager does; Identity 2's UserStore compares
// UserName.ToUpper(). PasswordHash is the V2/V3 base64 blob. A lockout
// applies while LockoutEnd(DateUtc) is in the future and LockoutEnabled is
// set; EmailConfirmed and PhoneNumberConfirmed verify the email and phone.
func aspnetIdentity(_ dialect, _ Config, t *tables) shape {
	ef6 := t.has(identityTable, "LockoutEndDateUtc", false) && !t.has(identityTable, "NormalizedUserName", true)
	lockoutEnd, byName, byEmail := "LockoutEnd", `"NormalizedUserName" = $1`, `"NormalizedEmail" = $1`
	if ef6 {
		lockoutEnd, byName, byEmail = "LockoutEndDateUtc", `UPPER("UserName") = $1`, `UPPER("Email") = $1`
	}
	return shape{
		sel: `"Id", "UserName", "Email", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", ` +
			`"PasswordHash", "` + lockoutEnd + `", "LockoutEnabled"`,
		from: `"AspNetUsers"`, byUsername: byName, byEmail: byEmail,
		key: `"Id"`, mark: `"AspNetUsers"."` + MigratedColumn + `"`, markTable: "AspNetUsers", markKey: "Id",
		sample: `SELECT "PasswordHash" FROM "AspNetUsers" WHERE "PasswordHash" IS NOT NULL LIMIT 1`,
		cfg: Config{
			Fold: FoldUpper,
			Columns: Columns{
				ID: "Id", Username: "UserName", Email: "Email", EmailVerified: "EmailConfirmed",
				Phone: "PhoneNumber", PhoneVerified: "PhoneNumberConfirmed", PasswordHash: "PasswordHash",
				LockoutEnd: lockoutEnd, LockoutEnabled: "LockoutEnabled",
			},
			// A bare base64 blob says nothing about itself: V2 and V3 are
			// told apart by their first byte once the format is known.
			HashFormat: "aspnet-identity",
		},
	}
}

// aspnetMembership is the SqlMembershipProvider schema (aspnet_Users joined
// with aspnet_Membership), restricted to application_name (matched against
// aspnet_Applications.LoweredApplicationName, as the provider does) when it
// is set. Only PasswordFormat 1 (hashed) rows carry a verifiable hash; clear
// (0) and encrypted (2) rows answer as having no password. IsApproved false
// or IsLockedOut true disables the user. The hash algorithm is a
// machine.config setting, so the preset assumes the .NET 2.0–3.5 default,
// SHA1; set hash_format for HMACSHA256.
func aspnetMembership(d dialect, c Config, _ *tables) shape {
	userID, keySel := `u."UserId"`, ""
	if d.driver == DriverSQLServer {
		userID = `CAST(u."UserId" AS NVARCHAR(36)) AS "UserId"`
		keySel = `CAST(u."UserId" AS NVARCHAR(36))`
	}
	s := shape{
		sel: userID + `, u."UserName", m."Email", ` +
			`CASE WHEN m."PasswordFormat" = 1 THEN m."Password" END AS "PasswordHash", m."PasswordSalt", ` +
			`m."IsApproved", m."IsLockedOut"`,
		from:       `"aspnet_Users" u JOIN "aspnet_Membership" m ON m."UserId" = u."UserId"`,
		byUsername: `u."LoweredUserName" = $1`, byEmail: `m."LoweredEmail" = $1`,
		key: `u."UserId"`, keySel: keySel, mark: `m."` + MigratedColumn + `"`,
		markTable: "aspnet_Membership", markKey: "UserId",
		sample: `SELECT "Password" AS "PasswordHash", "PasswordSalt" FROM "aspnet_Membership" ` +
			`WHERE "PasswordFormat" = 1 LIMIT 1`,
		cfg: Config{
			Fold: FoldLower,
			Columns: Columns{
				ID: "UserId", Username: "UserName", Email: "Email", PasswordHash: "PasswordHash",
				Salt: "PasswordSalt", Enabled: "IsApproved", Disabled: "IsLockedOut",
			},
			HashFormat: "aspnet-membership-sha1",
		},
	}
	if c.ApplicationName != "" {
		s.from += ` JOIN "aspnet_Applications" a ON a."ApplicationId" = u."ApplicationId"`
		s.where = `a."LoweredApplicationName" = $1`
		s.cfg.Params = []string{strings.ToLower(c.ApplicationName)}
	}
	return s
}

// django is django.contrib.auth's auth_user. Passwords are self-describing
// ("pbkdf2_sha256$…", "argon2$…", "bcrypt_sha256$…", "sha1$$…"), except
// UnsaltedMD5PasswordHasher's bare 32 lower-case hex digits, which Django's
// identify_hasher recognises by their length. An unusable password ("!…")
// reads as no password; is_active false disables the user. Usernames match
// exactly, as Django does; emails case-insensitively.
func django(_ dialect, _ Config, _ *tables) shape {
	return shape{
		sel: `"id", "username", "email", "first_name", "last_name", "is_active", ` +
			`CASE WHEN "password" LIKE '!%' THEN NULL ELSE "password" END AS "password"`,
		from: `"auth_user"`, byUsername: `"username" = $1`, byEmail: `LOWER("email") = LOWER($1)`,
		key: `"id"`, mark: `"auth_user"."` + MigratedColumn + `"`, markTable: "auth_user", markKey: "id",
		sample: `SELECT "password" FROM "auth_user" WHERE "password" NOT LIKE '!%' LIMIT 1`,
		cfg: Config{
			Columns: Columns{
				ID: "id", Username: "username", Email: "email", PasswordHash: "password", Enabled: "is_active",
			},
			Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
			bareHex:    map[int]string{32: "unsalted_md5"},
		},
	}
}

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

// Devise's unlock strategies (config.unlock_strategy).
const (
	UnlockBoth  = "both"
	UnlockTime  = "time"
	UnlockEmail = "email"
	UnlockNone  = "none"
)

// DefaultUnlockIn is Devise's config.unlock_in default.
const DefaultUnlockIn = time.Hour

// devise is a Rails Devise users table as the generator's migration creates
// it: users sign in by email, which Devise stores down-cased;
// encrypted_password is bcrypt over password+pepper (set pepper or
// pepper_file). Confirmable and Lockable are optional in the migration and
// apply only when their columns are there: without confirmed_at a user
// needs no confirmation; with it, an unconfirmed user is refused unless
// their confirmation_sent_at is within allow_unconfirmed_access_for (as
// Devise's active_for_authentication?). A locked_at user is refused, until
// unlock_in has passed when unlock_strategy lets time unlock (time or both,
// Devise's default).
func devise(_ dialect, c Config, t *tables) shape {
	sel := `"id", "email", "encrypted_password"`
	cfg := Config{
		Lookup: LookupEmail,
		Fold:   FoldLower,
		Columns: Columns{
			ID: "id", Username: "email", Email: "email", PasswordHash: "encrypted_password",
		},
	}
	confirmable := t.has("users", "confirmed_at", false)
	lockable := t.has("users", "locked_at", false)
	if confirmable {
		sel += `, "confirmed_at"`
		cfg.Columns.EmailVerified = "confirmed_at"
		if t.has("users", "confirmation_sent_at", false) {
			sel += `, "confirmation_sent_at"`
		}
	}
	if lockable {
		sel += `, "locked_at"`
	}
	if confirmable || lockable {
		cfg.rule = deviseRule(c, confirmable, lockable)
	}
	return shape{
		sel: sel, from: `"users"`, byUsername: `"email" = $1`, byEmail: `"email" = $1`,
		key: `"id"`, mark: `"users"."` + MigratedColumn + `"`, markTable: "users", markKey: "id",
		sample: `SELECT "encrypted_password" FROM "users" WHERE "encrypted_password" <> '' LIMIT 1`,
		cfg:    cfg,
	}
}

// deviseRule is Devise's active_for_authentication? for the Confirmable and
// Lockable modules that are present.
func deviseRule(c Config, confirmable, lockable bool) func(r row, now time.Time) (bool, error) {
	unlockIn := DefaultUnlockIn
	if c.UnlockIn > 0 {
		unlockIn = c.UnlockIn
	}
	strategy := c.UnlockStrategy
	if strategy == "" {
		strategy = UnlockBoth
	}
	allow := c.AllowUnconfirmedAccessFor
	return func(r row, now time.Time) (bool, error) {
		if lockable {
			at, locked, err := asTime(r.get("locked_at"))
			if err != nil {
				return false, err
			}
			byTime := strategy == UnlockTime || strategy == UnlockBoth
			if locked && (!byTime || now.Before(at.Add(unlockIn))) {
				return true, nil
			}
		}
		if confirmable {
			_, confirmed, err := asTime(r.get("confirmed_at"))
			if err != nil || confirmed {
				return false, err
			}
			if allow <= 0 {
				return true, nil
			}
			sent, ok, err := asTime(r.get("confirmation_sent_at"))
			if err != nil {
				return false, err
			}
			return !ok || sent.Before(now.Add(-allow)), nil
		}
		return false, nil
	}
}

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

// keycloakUsers is Keycloak's users table as PostgreSQL keeps it; Liquibase
// leaves every table upper-case on MySQL and MariaDB.
const keycloakUsers = "user_entity"

// keycloak is Keycloak's own database: user_entity joined with its
// "password" credential, in the realm named by realm (bound as a
// parameter). Keycloak stores usernames and emails lower-cased. Service
// accounts (service_account_client_link set) are clients, not people: they
// are neither signed in, listed nor counted. A user whose credentials live
// in a federation provider (federation_link) has no local password row and
// answers as having no password. The hash is the passhash "keycloak"
// format: Encoded is credential_data ({"hashIterations","algorithm"}) and
// Salt is secret_data ({"value","salt"}). Table names follow the database:
// upper-case where Liquibase made them so.
func keycloak(_ dialect, c Config, t *tables) shape {
	name := func(n string) string { return n }
	if !t.exists(keycloakUsers, true) && t.exists(strings.ToUpper(keycloakUsers), false) {
		name = strings.ToUpper
	}
	users, realm, cred := name("user_entity"), name("realm"), name("credential")
	s := shape{
		sel: `u."id", u."username", u."email", u."email_verified", u."enabled", u."first_name", u."last_name", ` +
			`c."credential_data", c."secret_data"`,
		from: `"` + users + `" u JOIN "` + realm + `" r ON r."id" = u."realm_id" ` +
			`LEFT JOIN "` + cred + `" c ON c."user_id" = u."id" AND c."type" = 'password'`,
		where:      `r."name" = $1 AND u."service_account_client_link" IS NULL`,
		byUsername: `u."username" = $1`, byEmail: `u."email" = $1`,
		key: `u."id"`, mark: `u."` + MigratedColumn + `"`, markTable: users, markKey: "id",
		sample: `SELECT "credential_data", "secret_data" FROM "` + cred + `" WHERE "type" = 'password' LIMIT 1`,
		cfg: Config{
			Fold: FoldLower,
			Columns: Columns{
				ID: "id", Username: "username", Email: "email", EmailVerified: "email_verified", Enabled: "enabled",
				PasswordHash: "credential_data", Salt: "secret_data",
			},
			Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
			HashFormat: "keycloak",
		},
	}
	if c.Realm != "" {
		s.cfg.Params = []string{c.Realm}
	}
	return s
}

// isNone reports whether a statement is switched off.
func isNone(q string) bool {
	q = strings.TrimSpace(q)
	return q == "" || strings.EqualFold(q, "none")
}
