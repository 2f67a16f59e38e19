package demo

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// ---- step 1: the legacy directory -----------------------------------------

func (d *demo) createLegacy(ctx context.Context) error {
	d.dbPath = filepath.Join(d.dir, "legacy.db")
	db, err := sql.Open("sqlite", "file:"+d.dbPath+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return fmt.Errorf("open legacy database: %w", err)
	}
	d.legacy = db
	for _, preset := range []string{"aspnet-identity", "wordpress"} {
		ddl, err := sqlsource.Schema(preset, sqlsource.DriverSQLite)
		if err != nil {
			return err
		}
		for _, stmt := range ddl {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create %s schema: %w", preset, err)
			}
		}
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	for _, u := range d.users {
		pw := u.password
		if p, ok := d.opts.legacyPassword[u.username]; ok {
			pw = p
		}
		encoded, err := u.hash(pw)
		if err != nil {
			return fmt.Errorf("hash %s's password: %w", u.username, err)
		}
		switch u.table {
		case "AspNetUsers":
			_, err = db.ExecContext(ctx, `INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email",
				"NormalizedEmail", "EmailConfirmed", "PasswordHash", "SecurityStamp", "ConcurrencyStamp",
				"PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
				VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 0, 0, 1, 0)`,
				uuid.NewString(), u.username, strings.ToUpper(u.username), u.email, strings.ToUpper(u.email),
				encoded, strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")), uuid.NewString())
		case "wp_users":
			_, err = db.ExecContext(ctx, `INSERT INTO "wp_users" ("user_login", "user_pass", "user_nicename",
				"user_email", "user_url", "user_registered", "user_activation_key", "user_status", "display_name")
				VALUES (?, ?, ?, ?, '', ?, '', 0, ?)`,
				u.username, encoded, u.username, u.email, now, u.name)
		default:
			err = fmt.Errorf("unknown table %q", u.table)
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", u.username, err)
		}
		info, err := passhash.Identify(passhash.Hash{Encoded: encoded, Format: identifyFormat(u.table)})
		if err != nil {
			return fmt.Errorf("%s's stored hash is not recognised: %w", u.username, err)
		}
		d.say("%-6s %-12s %s  [%s]", u.username, u.table, u.format, info.Family)
	}
	d.ok("%d legacy users in %s (SQLite), passwords hashed by the legacy algorithms", len(d.users), d.dbPath)
	return nil
}

// identifyFormat is the passhash format to name for a table's hashes: the
// ASP.NET Identity blob does not describe itself, the WordPress ones do.
func identifyFormat(table string) string {
	if table == "AspNetUsers" {
		return "aspnet-identity"
	}
	return ""
}

// ---- step 9: bookkeeping -----------------------------------------------------

func (d *demo) summary(ctx context.Context) error {
	n, err := d.poolUsers(ctx)
	if err != nil {
		return err
	}
	if n != len(d.users) {
		return fmt.Errorf("the pool holds %d users, want %d", n, len(d.users))
	}
	var marked int
	for _, q := range []string{
		`SELECT COUNT(*) FROM "AspNetUsers" WHERE "` + sqlsource.MigratedColumn + `" IS NOT NULL`,
		`SELECT COUNT(*) FROM "wp_users" WHERE "` + sqlsource.MigratedColumn + `" IS NOT NULL`,
	} {
		var c int
		if err := d.legacy.QueryRowContext(ctx, q).Scan(&c); err != nil {
			return fmt.Errorf("count migrated legacy rows: %w", err)
		}
		marked += c
	}
	if marked != len(d.users) {
		return fmt.Errorf("%d legacy rows carry %s, want %d", marked, sqlsource.MigratedColumn, len(d.users))
	}
	d.say("pool users: %d; legacy rows marked %s: %d; trigger invocations: %d",
		n, sqlsource.MigratedColumn, marked, d.invocations.Load())
	d.ok("every legacy user is in the pool and the legacy directory knows it")
	return nil
}
