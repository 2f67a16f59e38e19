package audit_test

import (
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// auditSQLite opens the preset source on a SQLite file that seed fills
// and audits it with the trigger's default policy and budget.
func auditSQLite(t *testing.T, preset string, seed []string) audit.SourceReport {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "legacy.db"))
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := sqlsource.Schema(preset, sqlsource.DriverSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range append(ddl, seed...) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()
	path := filepath.Join(dir, "ferry.yaml")
	yaml := fmt.Sprintf("sources:\n  - name: legacy\n    type: sql\n    config: {preset: %s, driver: sqlite, dsn: %q}\nmigration: {assume_email_verified: true}\n",
		preset, "file:"+filepath.Join(dir, "legacy.db"))
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := setup.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := setup.OpenSource(t.Context(), cfg.Sources[0], slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer source.Close(s)
	policy := cfg.Migration.WithDefaults()
	r, err := audit.Audit(t.Context(), "legacy", "sql", s, audit.Options{Policy: policy, Limits: passhash.LimitsFor(policy.Deadline, 0, false)})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete {
		t.Fatalf("audit incomplete: %+v", r.Findings)
	}
	return r
}

func finding(r audit.SourceReport, code string) (audit.Finding, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return audit.Finding{}, false
}

// TestManyUsers audits 50,000 Django users on SQLite: every user counted
// once, the examples and groups bounded whatever the number of users
// concerned, and the walk fast (the million-user figure is in bench/).
func TestManyUsers(t *testing.T) {
	t.Parallel()
	n := 50_000
	if raceEnabled {
		// The race detector slows the pure-Go SQLite some fiftyfold.
		n = 5_000
	}
	start := time.Now()
	// One user in 10 has a weak unsalted MD5 hash, the others PBKDF2 at
	// current guidance (a value that parses; the audit verifies nothing);
	// one in 100 a username that folds onto its neighbour's, one in 1,000
	// no email.
	r := auditSQLite(t, "django", []string{fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT CASE WHEN i %% 10 = 0 THEN '08ae2bef9fb22fa07fa4a75f10a325f3'
  ELSE 'pbkdf2_sha256$600000$IWdPZMJeV89FnM2rJdoxzl$ddGuUQ5NIajm493/la4gembDFW5q0XyN63BKkbLtTJg=' END, 0,
  CASE WHEN i %% 100 = 1 AND i > 1 THEN 'USER' || (i - 1) ELSE 'user' || i END, 'F', 'L',
  CASE WHEN i %% 1000 = 5 THEN '' ELSE 'user' || i || '@example.com' END, 0, 1, '2020-01-01' FROM n`, n)})
	t.Logf("%d users audited in %s", n, time.Since(start).Round(time.Millisecond))
	if r.Users != n || r.Hashes.Sampled != n {
		t.Fatalf("users %d, hashes %d, want %d", r.Users, r.Hashes.Sampled, n)
	}
	checks := []struct {
		code  string
		count int
	}{{"hash_weak", n / 10}, {"folded_names", 2 * (n/100 - 1)}, {"no_verified_channel", n / 1000}, {"mixed_hash_costs", 0}}
	for _, c := range checks {
		f, ok := finding(r, c.code)
		if !ok || f.Count != c.count {
			t.Errorf("%s: %+v, want count %d", c.code, f, c.count)
		}
		if len(f.Examples) > audit.DefaultExamples || len(f.Groups) > audit.DefaultExamples {
			t.Errorf("%s: %d examples, %d groups: unbounded", c.code, len(f.Examples), len(f.Groups))
		}
	}
}

// TestFrameworkRows audits the rows Django and WordPress themselves wrote
// (internal/source/sqlsource/testdata/rows, made by its gen.py with each
// framework's own hashing code): every family is recognised, none is
// unusable, and the legacy digests are flagged weak.
func TestFrameworkRows(t *testing.T) {
	t.Parallel()
	inserts := map[string]string{
		"django": `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
			VALUES ('%s', 0, '%s', '', '', '%[2]s@example.com', 0, 1, '2020-01-01')`,
		"wordpress": `INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, user_activation_key, user_status, display_name)
			VALUES ('%[2]s', '%[1]s', '%[2]s', '%[2]s@example.com', '', '2020-01-01', '', 0, '%[2]s')`,
	}
	weak := map[string]bool{"dj_sha1": true, "dj_md5": true, "dj_unsalted_sha1": true, "dj_unsalted_md5": true, "wp_phpass": true, "wp_md5": true}
	for preset, insert := range inserts {
		t.Run(preset, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("..", "source", "sqlsource", "testdata", "rows", preset+".tsv"))
			if err != nil {
				t.Fatal(err)
			}
			var seed []string
			weakRows := 0
			for line := range strings.SplitSeq(string(data), "\n") {
				f := strings.Split(line, "\t")
				if len(f) != 3 || strings.HasPrefix(line, "#") {
					continue
				}
				seed = append(seed, fmt.Sprintf(insert, f[2], f[0]))
				if weak[f[0]] {
					weakRows++
				}
			}
			r := auditSQLite(t, preset, seed)
			h := r.Hashes
			if h.Sampled != len(seed) || len(h.Unusable) != 0 || h.NoPassword != 0 {
				t.Fatalf("hashes: %+v", *h)
			}
			families := 0
			for _, f := range h.Families {
				families += f.Count
			}
			if families != len(seed) {
				t.Errorf("%d rows recognised of %d: %+v", families, len(seed), h.Families)
			}
			// The rows are made at the frameworks' lowest costs, so more
			// than the legacy digests may be weak; those must be.
			if f, ok := finding(r, "hash_weak"); !ok || f.Count < weakRows {
				t.Errorf("hash_weak: %+v, want at least the %d legacy digests", f, weakRows)
			}
			if r.Users != len(seed) {
				t.Errorf("users %d, want %d", r.Users, len(seed))
			}
		})
	}
}
