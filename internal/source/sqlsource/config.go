// Package sqlsource is a legacy source backed by a SQL database: PostgreSQL
// (pgx), MySQL/MariaDB (go-sql-driver/mysql), SQLite (modernc.org/sqlite,
// pure Go) and SQL Server (go-mssqldb). It finds a user with one
// parameterised query, verifies the stored hash with passhash, maps columns
// to Cognito attributes, and records migrations with an idempotent UPDATE.
//
// Presets fill the queries and column names for well-known schemas
// (ASP.NET Core Identity, ASP.NET Membership, Django, WordPress, Devise,
// Laravel, Keycloak); every field a preset fills can be overridden.
package sqlsource

import (
	"time"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// Drivers.
const (
	DriverPostgres  = "postgres"
	DriverMySQL     = "mysql"
	DriverSQLite    = "sqlite"
	DriverSQLServer = "sqlserver"
)

// Lookup modes.
const (
	// LookupUsername matches every name against the by_username query.
	LookupUsername = "username"
	// LookupEmail matches every name against the by_email query.
	LookupEmail = "email"
	// LookupBoth uses by_email for a name containing "@" (falling back to
	// by_username when no email matches) and by_username otherwise.
	LookupBoth = "both"
)

// Name folding applied before a name is bound to a query.
const (
	FoldNone  = "none"
	FoldLower = "lower"
	FoldUpper = "upper"
)

// Pool defaults, sized for Lambda: one execution environment serves one
// invocation at a time, so it needs one connection for the lookup and at
// most one more for the write-back; every concurrent environment holds its
// own pool, so 1,000 warm environments × MaxOpen is what the database sees.
const (
	DefaultMaxOpen = 2
	DefaultMaxIdle = 2
	// DefaultConnMaxLifetime recycles connections before typical proxy and
	// load-balancer idle cuts (RDS Proxy, pgbouncer, NAT gateways at 350 s)
	// can leave a frozen Lambda holding a dead socket.
	DefaultConnMaxLifetime = 5 * time.Minute
	// DefaultConnMaxIdleTime closes connections of an environment that has
	// stopped receiving sign-ins, returning them to the database.
	DefaultConnMaxIdleTime = time.Minute
	// DefaultQueryTimeout bounds one query; Cognito gives the whole trigger
	// 5 seconds, and the hash verification needs its share.
	DefaultQueryTimeout = 2 * time.Second
)

// Config is the configuration of a SQL legacy source. It opens itself with
// Open. A preset fills every field it knows; each field set here overrides
// the preset's.
//
// Example (a custom schema on PostgreSQL):
//
//	driver: postgres
//	dsn_file: /run/secrets/legacy-dsn
//	lookup: both
//	fold: lower
//	query:
//	  by_username: SELECT id, login, email, email_ok, pw, salt, disabled FROM members WHERE lower(login) = $1
//	  by_email:    SELECT id, login, email, email_ok, pw, salt, disabled FROM members WHERE lower(email) = $1
//	  sample:      SELECT pw, salt FROM members WHERE pw IS NOT NULL LIMIT 1
//	  migrated:    UPDATE members SET migrated_at = now() WHERE id = $1 AND migrated_at IS NULL
//	columns:
//	  id: id
//	  username: login
//	  email: email
//	  email_verified: email_ok
//	  password_hash: pw
//	  salt: salt
//	  disabled: disabled
//	attributes:
//	  id: custom:legacy_id
//	hash_format: template:sha256($salt$password)
//
// Example (a preset):
//
//	preset: aspnet-identity
//	driver: sqlserver
//	dsn: ${LEGACY_DSN}
type Config struct {
	// Preset names a known schema (see Presets); empty for none.
	Preset string `yaml:"preset"`
	// Driver is postgres, mysql (MySQL and MariaDB), sqlite or sqlserver.
	Driver string `yaml:"driver"`
	// DSN is the driver's data source name; DSNFile names a file holding it
	// (for secrets). Exactly one is required.
	DSN     string `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	// Lookup is username, email or both (the default when by_email is set;
	// otherwise username).
	Lookup string `yaml:"lookup"`
	// Fold is how the name is case-folded before it is bound: none (the
	// default: the database's collation decides), lower or upper.
	Fold string `yaml:"fold"`
	// Query holds the statements, in the driver's placeholder style
	// ($1 for postgres, ? for mysql and sqlite, @p1 for sqlserver).
	Query Queries `yaml:"query"`
	// Params are fixed values bound after the name in the lookup queries
	// (e.g. the Keycloak realm, as $2).
	Params []string `yaml:"params"`
	// Columns names the result columns with a meaning to Ferry.
	Columns Columns `yaml:"columns"`
	// Attributes maps further result columns to Cognito attribute names
	// (e.g. FirstName: given_name, Id: custom:legacy_id).
	Attributes map[string]string `yaml:"attributes"`
	// HashFormat is the passhash Format of the stored hashes when they are
	// not self-describing (e.g. aspnet-membership-sha1); empty to detect.
	HashFormat string `yaml:"hash_format"`
	// Pepper is a site-wide secret mixed into the password as the legacy
	// application did (Devise's pepper); PepperFile names a file holding it.
	Pepper     string `yaml:"pepper"`
	PepperFile string `yaml:"pepper_file"`
	// Firebase holds the project's password hash parameters, for hashes
	// exported from Firebase Authentication (hash_format firebase-scrypt).
	Firebase passhash.FirebaseOptions `yaml:"firebase"`
	// DummyHash is a stored hash of the same family and cost as the real
	// users', verified for unknown users so that they cost the same time as
	// a wrong password. Empty: sampled once from the users table with
	// query.sample.
	DummyHash string `yaml:"dummy_hash"`
	// Realm is the Keycloak realm name (keycloak preset only).
	Realm string `yaml:"realm"`
	// TablePrefix is WordPress's $table_prefix (wordpress preset only;
	// default "wp_").
	TablePrefix string `yaml:"table_prefix"`
	// ApplicationName restricts the aspnet-membership preset to one
	// application's users (the provider's applicationName); empty for all.
	ApplicationName string `yaml:"application_name"`
	// UnlockStrategy is Devise's config.unlock_strategy (devise preset
	// only): both (the default), time, email or none. With time or both, a
	// locked user is unlocked once UnlockIn has passed since locked_at.
	UnlockStrategy string `yaml:"unlock_strategy"`
	// UnlockIn is Devise's config.unlock_in (default 1h).
	UnlockIn time.Duration `yaml:"unlock_in"`
	// AllowUnconfirmedAccessFor is Devise's
	// config.allow_unconfirmed_access_for (default 0: an unconfirmed user is
	// refused when the table has Confirmable's confirmed_at).
	AllowUnconfirmedAccessFor time.Duration `yaml:"allow_unconfirmed_access_for"`
	// Pool sizes the connection pool.
	Pool Pool `yaml:"pool"`
	// QueryTimeout bounds each query (default 2s).
	QueryTimeout time.Duration `yaml:"query_timeout"`

	// What a preset adds that has no configuration key of its own.
	//
	// bareHex maps the length of a stored value made only of lower-case hex
	// digits to the Format it is in (the framework's unsalted digests).
	bareHex map[int]string
	// trimPassword is the cutset trimmed from both ends of the typed
	// password before verification, as the framework does; empty for none.
	trimPassword string
	// rule reports a user disabled by the framework's own sign-in rules
	// (Devise's Confirmable and Lockable), beyond the columns'.
	rule func(r row, now time.Time) (bool, error)
}

// Queries are the statements a source runs. Each lookup query takes the name
// as its first parameter (then Params) and returns at most one row per user.
type Queries struct {
	ByUsername string `yaml:"by_username"`
	ByEmail    string `yaml:"by_email"`
	// Sample returns one row with the password_hash (and salt, hash_format)
	// columns of any real user; its hash becomes the dummy hash.
	Sample string `yaml:"sample"`
	// List returns every user with the lookups' columns, for `ferry
	// status`, `ferry export` and `ferry audit`; it takes Params as $1 … and
	// Ferry pages through it by columns.id. A preset lists its users with
	// its own lookups' SELECT; set list when by_username or by_email is
	// overridden (Ferry will not list rows that sign-in does not read) or
	// for a custom schema. A ferry_migrated_at column in its result is read
	// as the migration mark.
	List string `yaml:"list"`
	// Migrated records a migration; it takes the user's id as its one
	// parameter and must be idempotent. Empty or "none": nothing is recorded.
	Migrated string `yaml:"migrated"`
}

// Columns names the result columns Ferry interprets. Names match
// case-insensitively. Only ID, Username and PasswordHash are required.
type Columns struct {
	ID            string `yaml:"id"`
	Username      string `yaml:"username"`
	Email         string `yaml:"email"`
	EmailVerified string `yaml:"email_verified"`
	Phone         string `yaml:"phone"`
	PhoneVerified string `yaml:"phone_verified"`
	PasswordHash  string `yaml:"password_hash"`
	Salt          string `yaml:"salt"`
	// HashFormat is a column naming each row's passhash Format, for tables
	// holding several formats; it wins over Config.HashFormat when not empty.
	HashFormat string `yaml:"hash_format"`
	// Disabled is true (a true boolean, non-zero number or non-null
	// timestamp) when the user is disabled, e.g. a locked_at column or an
	// expression such as user_status.
	Disabled string `yaml:"disabled"`
	// Enabled is the opposite: false when the user is disabled (is_active,
	// enabled, IsApproved).
	Enabled string `yaml:"enabled"`
	// LockoutEnd is a timestamp until which the user is locked out.
	LockoutEnd string `yaml:"lockout_end"`
	// LockoutEnabled, when set, makes LockoutEnd apply only when true
	// (ASP.NET Identity's LockoutEnabled).
	LockoutEnabled string `yaml:"lockout_enabled"`
}

// Pool sizes the database/sql connection pool. Zero values take the defaults.
type Pool struct {
	MaxOpen         int           `yaml:"max_open"`
	MaxIdle         int           `yaml:"max_idle"`
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime"`
	ConnMaxIdleTime time.Duration `yaml:"conn_max_idle_time"`
}
