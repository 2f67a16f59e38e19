package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// migrations build the schema; migrations[i] takes a database from
// user_version i to i+1. Applied ones are never edited: a change is a new
// entry.
//
// Users are one row each: the columns that are looked up, plus the rest of
// the user as JSON in data. Aliases and filter values are index tables
// whose primary keys are the lookups themselves (WITHOUT ROWID, so a lookup
// is one B-tree descent): aliases(pool, attribute, key) is what makes an
// alias unique, user_filters(pool, attribute, value, username_key) serves
// ListUsers "=" by equality and "^=" by a range scan, already in the
// listing's order.
var migrations = []string{
	`
-- user_count is kept by every transaction that adds or removes a user, so
-- CountUsers (DescribeUserPool's EstimatedNumberOfUsers) does not scan a
-- million rows.
CREATE TABLE pools (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	settings   BLOB,
	created_at INTEGER,
	updated_at INTEGER,
	user_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE clients (
	id         TEXT PRIMARY KEY,
	pool_id    TEXT NOT NULL,
	name       TEXT NOT NULL,
	secret     TEXT NOT NULL,
	settings   BLOB,
	created_at INTEGER,
	updated_at INTEGER
);
CREATE INDEX clients_by_pool ON clients (pool_id, id);

CREATE TABLE users (
	pool_id      TEXT NOT NULL,
	username_key TEXT NOT NULL,
	username     TEXT NOT NULL,
	sub          TEXT NOT NULL,
	status       TEXT NOT NULL,
	enabled      INTEGER NOT NULL,
	version      INTEGER NOT NULL,
	data         BLOB NOT NULL,
	PRIMARY KEY (pool_id, username_key)
);
CREATE UNIQUE INDEX users_by_sub ON users (pool_id, sub);

CREATE TABLE aliases (
	pool_id      TEXT NOT NULL,
	attribute    TEXT NOT NULL,
	key          TEXT NOT NULL,
	username_key TEXT NOT NULL,
	PRIMARY KEY (pool_id, attribute, key)
) WITHOUT ROWID;

CREATE TABLE user_filters (
	pool_id      TEXT NOT NULL,
	attribute    TEXT NOT NULL,
	value        TEXT NOT NULL,
	username_key TEXT NOT NULL,
	PRIMARY KEY (pool_id, attribute, value, username_key)
) WITHOUT ROWID;

CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	pool_id    TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	username   TEXT NOT NULL,
	sub        TEXT NOT NULL,
	origin_jti TEXT NOT NULL,
	auth_time  INTEGER,
	expires_at INTEGER,
	revoked    INTEGER NOT NULL,
	created_at INTEGER
);
CREATE INDEX refresh_tokens_by_jti ON refresh_tokens (pool_id, origin_jti);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, username);

-- AUTOINCREMENT: ids are never reused, even after DeletePool removed the
-- newest messages, so a reader paging with afterID never misses one.
CREATE TABLE messages (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	pool_id     TEXT NOT NULL,
	username    TEXT NOT NULL,
	medium      TEXT NOT NULL,
	destination TEXT NOT NULL,
	kind        TEXT NOT NULL,
	code        TEXT NOT NULL,
	body        TEXT NOT NULL,
	created_at  INTEGER
);
CREATE INDEX messages_by_pool ON messages (pool_id, id);
`,
	// 2: users become a WITHOUT ROWID table clustered on (pool_id,
	// username_key). GetUser is then one B-tree descent instead of an
	// index descent plus a rowid descent, and GetUserByAlias two instead of
	// three — the difference between a lookup at a million users costing
	// about the same as at a thousand, or half again as much. New databases
	// use 8 KiB pages (see dsn) so a user's row, about 1 KiB with its SRP
	// verifier, stays on its leaf page.
	`
CREATE TABLE users_clustered (
	pool_id      TEXT NOT NULL,
	username_key TEXT NOT NULL,
	username     TEXT NOT NULL,
	sub          TEXT NOT NULL,
	status       TEXT NOT NULL,
	enabled      INTEGER NOT NULL,
	version      INTEGER NOT NULL,
	data         BLOB NOT NULL,
	PRIMARY KEY (pool_id, username_key)
) WITHOUT ROWID;
INSERT INTO users_clustered (pool_id, username_key, username, sub, status, enabled, version, data)
	SELECT pool_id, username_key, username, sub, status, enabled, version, data FROM users;
DROP TABLE users;
ALTER TABLE users_clustered RENAME TO users;
CREATE UNIQUE INDEX users_by_sub ON users (pool_id, sub);
`,
	// 3: users go back to a rowid table, and the alias and filter tables
	// point at a user by rowid. Schema 2 was measured slower, not faster:
	// in a WITHOUT ROWID table the interior B-tree pages hold whole rows,
	// so with 1 KiB users the tree was seven entries wide and six deep, and
	// a lookup at a million users read three pages the cache could not
	// hold. A rowid table's interior pages hold integers (hundreds per
	// page, all of them cached), so a lookup by alias or sub is now one
	// index leaf and one table leaf, the same as by username key. The
	// username_key columns stay in the index tables: they order ListUsers
	// and name the holder of an alias.
	`
CREATE TABLE users_v3 (
	id           INTEGER PRIMARY KEY,
	pool_id      TEXT NOT NULL,
	username_key TEXT NOT NULL,
	username     TEXT NOT NULL,
	sub          TEXT NOT NULL,
	status       TEXT NOT NULL,
	enabled      INTEGER NOT NULL,
	version      INTEGER NOT NULL,
	data         BLOB NOT NULL,
	UNIQUE (pool_id, username_key)
);
INSERT INTO users_v3 (pool_id, username_key, username, sub, status, enabled, version, data)
	SELECT pool_id, username_key, username, sub, status, enabled, version, data FROM users;
DROP TABLE users;
ALTER TABLE users_v3 RENAME TO users;
CREATE UNIQUE INDEX users_by_sub ON users (pool_id, sub);

CREATE TABLE aliases_v3 (
	pool_id      TEXT NOT NULL,
	attribute    TEXT NOT NULL,
	key          TEXT NOT NULL,
	username_key TEXT NOT NULL,
	user_id      INTEGER NOT NULL,
	PRIMARY KEY (pool_id, attribute, key)
) WITHOUT ROWID;
INSERT INTO aliases_v3 (pool_id, attribute, key, username_key, user_id)
	SELECT a.pool_id, a.attribute, a.key, a.username_key, u.id
	FROM aliases a JOIN users u ON u.pool_id = a.pool_id AND u.username_key = a.username_key;
DROP TABLE aliases;
ALTER TABLE aliases_v3 RENAME TO aliases;

CREATE TABLE user_filters_v3 (
	pool_id      TEXT NOT NULL,
	attribute    TEXT NOT NULL,
	value        TEXT NOT NULL,
	username_key TEXT NOT NULL,
	user_id      INTEGER NOT NULL,
	PRIMARY KEY (pool_id, attribute, value, username_key)
) WITHOUT ROWID;
INSERT INTO user_filters_v3 (pool_id, attribute, value, username_key, user_id)
	SELECT f.pool_id, f.attribute, f.value, f.username_key, u.id
	FROM user_filters f JOIN users u ON u.pool_id = f.pool_id AND u.username_key = f.username_key;
DROP TABLE user_filters;
ALTER TABLE user_filters_v3 RENAME TO user_filters;
`,
	// 4: messages keep their email subject (a CustomMessage trigger or a
	// template sets it).
	`ALTER TABLE messages ADD COLUMN subject TEXT NOT NULL DEFAULT '';`,
	// 5: managed login. Domains are unique across pools (the primary key);
	// resource servers are keyed per pool; a refresh token of a managed
	// login keeps its OAuth scopes, so a refresh mints the same ones.
	`
CREATE TABLE domains (
	domain     TEXT PRIMARY KEY,
	pool_id    TEXT NOT NULL,
	data       BLOB NOT NULL
);
CREATE INDEX domains_by_pool ON domains (pool_id, domain);

CREATE TABLE resource_servers (
	pool_id    TEXT NOT NULL,
	identifier TEXT NOT NULL,
	data       BLOB NOT NULL,
	PRIMARY KEY (pool_id, identifier)
);

ALTER TABLE refresh_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';
`,
	// 6: groups of a pool and their members.
	`
-- Groups of a pool (CreateGroup) and their members. Names are
-- case-sensitive, as Cognito's group names are.
CREATE TABLE user_groups (
	pool_id     TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	role_arn    TEXT NOT NULL,
	precedence  INTEGER,
	created_at  INTEGER,
	updated_at  INTEGER,
	PRIMARY KEY (pool_id, name)
) WITHOUT ROWID;

CREATE TABLE group_members (
	pool_id      TEXT NOT NULL,
	group_name   TEXT NOT NULL,
	username_key TEXT NOT NULL,
	PRIMARY KEY (pool_id, group_name, username_key)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (pool_id, username_key, group_name);

`,
}

// SchemaVersion is the user_version of a database this package has
// migrated fully.
var SchemaVersion = len(migrations)

// migrate brings db to SchemaVersion, one transaction per migration, each
// setting user_version with its schema change so a crash never leaves a
// half-applied step.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program's %d: %w", v, len(migrations), ErrSchemaTooNew)
	}
	for ; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		// PRAGMA takes no parameters; v+1 is an int from this program.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		logger.Info("migrated user pool database", "schema_version", v+1)
	}
	return nil
}
