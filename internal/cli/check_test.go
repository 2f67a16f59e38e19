package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	good := legacySQLiteConfig(t, "")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("sources:\n  - {name: a, type: sql, config: {drver: x}}\nmigration: {pool_mode: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unreachable := filepath.Join(t.TempDir(), "down.yaml")
	if err := os.WriteFile(unreachable, []byte(`sources:
  - name: pg
    type: sql
    config: {preset: django, driver: postgres, dsn: "postgres://ferry@127.0.0.1:1/none?connect_timeout=2"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	// A PostgreSQL source on a closed port next to a healthy SQLite one:
	// each is reported on its own, and the command fails.
	mixed := downAndLiteConfig(t, good)
	literal := filepath.Join(t.TempDir(), "literal.yaml")
	if err := os.WriteFile(literal, []byte(`sources:
  - name: pg
    type: sql
    config: {preset: django, driver: postgres, dsn: "postgres://ferry:pw@127.0.0.1:1/none?connect_timeout=2"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	misrouted := legacySQLiteConfig(t, "  routing:\n    - match: {email_domain: corp.example.com}\n      sources: [corp-ldap]\n")
	// A legacy schema as the framework left it, without the write-back
	// column: check passes while mark_migrated is off, and names the
	// statement once it is on.
	untouched := legacySQLiteConfig(t, "")
	dropMigratedColumn(t, untouched)
	marking := legacySQLiteConfig(t, "  mark_migrated: true\n")
	dropMigratedColumn(t, marking)
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantRe  []string
		wantErr bool
	}{
		{name: "healthy SQLite source", args: []string{"--config", good},
			want:   []string{"config " + good + ": ok, 1 source(s)", "source django (sql):", "health: ok", "hash families: 1 stored hash(es) sampled"},
			wantRe: []string{`(?m)^    bcrypt cost=4 +1  100\.0%  \S+ ms +weak$`}},
		{name: "untouched schema, no write-back", args: []string{"--config", untouched},
			want: []string{"health: ok", "hash families: 1 stored hash(es) sampled", "sources: 1 of 1 healthy"}},
		{name: "untouched schema, write-back on", args: []string{"--config", marking}, wantErr: true,
			want: []string{"health: error:", "migrated statement:", "ferry_migrated_at", "sources: 0 of 1 healthy"}},
		{name: "every config problem", args: []string{"--config", bad}, wantErr: true, want: []string{"sources[0].config.drver: unknown field"}},
		{name: "unreachable server", args: []string{"--config", unreachable}, wantErr: true, want: []string{"source pg (sql):", "health: error:"}},
		{name: "bad sample size", args: []string{"--config", good, "--sample", "0"}, wantErr: true},
		{name: "one source down, one healthy", args: []string{"--config", mixed}, wantErr: true,
			want:   []string{"config " + mixed + ": ok, 2 source(s)", "source pg (sql):", "source lite (sql):", "sources: 1 of 2 healthy"},
			wantRe: []string{`(?ms)^source pg \(sql\):\n  health: error: .+? \([0-9.]+[mµn]?s\)$`, `(?m)^source lite \(sql\):\n  health: ok \([0-9.]+[mµn]?s\)$`}},
		{name: "literal credential warns", args: []string{"--config", literal}, wantErr: true,
			want: []string{"warning: sources[0].config.dsn: a literal credential in the configuration"}},
		{name: "routing to an unknown source", args: []string{"--config", misrouted}, wantErr: true,
			want: []string{`migration.routing[0].sources[0]: unknown source "corp-ldap"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", append([]string{"check"}, tc.args...)...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v\n%s", err, tc.wantErr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, re := range tc.wantRe {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("output does not match %s:\n%s", re, out)
				}
			}
		})
	}
}

// downAndLiteConfig writes a configuration of two sources: pg, a
// PostgreSQL server on a closed port, then lite, the SQLite database next
// to the configuration cfg.
func downAndLiteConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mixed.yaml")
	if err := os.WriteFile(path, []byte(`sources:
  - name: pg
    type: sql
    config: {preset: django, driver: postgres, dsn: "postgres://ferry@127.0.0.1:1/none?connect_timeout=2"}
  - name: lite
    type: sql
    config: {preset: django, driver: sqlite, dsn: "file:`+filepath.Join(filepath.Dir(cfg), "legacy.db")+`"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dropMigratedColumn removes the write-back column from the SQLite table
// next to the configuration cfg, as a Django database that Ferry never
// touched has no such column.
func dropMigratedColumn(t *testing.T, cfg string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(cfg), "legacy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE auth_user DROP COLUMN ` + sqlsource.MigratedColumn); err != nil {
		t.Fatal(err)
	}
}

// TestHashLines: check's hash families lines come from audit's tally, one
// line per family and parameters, then the unusable ones by reason.
func TestHashLines(t *testing.T) {
	t.Parallel()
	strong, _ := bcrypt.GenerateFromPassword([]byte("a"), 10)
	weak, _ := bcrypt.GenerateFromPassword([]byte("a"), 5)
	tally, err := audit.NewHashTally(passhash.DefaultLimits, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{string(strong), string(strong), string(weak), "garbage", ""} {
		tally.Add(source.HashSample{UserID: "1", Encoded: enc})
	}
	got := strings.Join(hashLines(tally.Hashes()), "\n")
	for _, want := range []string{
		`(?m)^bcrypt cost=10 +2   66\.7%  ~\d+ ms +ok$`,
		`(?m)^bcrypt cost=5 +1   33\.3%  ~\d+ ms +weak$`,
		`(?m)^no usable password +1$`,
		`(?m)^hash_unknown +1  unusable$`,
		`(?m)^mixed costs: `,
	} {
		if !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("lines do not match %s:\n%s", want, got)
		}
	}
}
