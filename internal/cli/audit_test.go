package cli

import (
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// auditRow is one auth_user row of the audited directory.
type auditRow struct {
	username, email, first, hash string
	active                       bool
}

var (
	goodHash    = "pbkdf2_sha256$600000$s4lt$" + strings.Repeat("A", 43) + "="
	weakHash    = "sha1$s4lt$" + strings.Repeat("a", 40)
	costlyHash  = "pbkdf2_sha256$20000000$s4lt$" + strings.Repeat("A", 43) + "="
	garbageHash = "not-a-hash"
	brokenHash  = "pbkdf2_sha256$many$s4lt$xx"
)

// auditDirectory holds one row for each finding ferry audit reports on a
// Django table; the comments name the finding. Ids are 1-based, in order.
var auditDirectory = []auditRow{
	{"alice", "alice@example.com", "Alice", goodHash, true},  // 1: fine
	{"bob smith", "bob@example.com", "Bob", goodHash, true},  // 2: unmigratable username_pattern
	{"ghost", "", "", goodHash, true},                        // 3: unmigratable no_attributes
	{"carol", "not-an-email", "Carol", goodHash, true},       // 4: attribute_dropped email, no channel
	{"MixedCase", "mixed1@example.com", "M", goodHash, true}, // 5: folded_names with 6
	{"mixedcase", "mixed2@example.com", "m", goodHash, true}, // 6
	{"dan", "shared@example.com", "Dan", goodHash, true},     // 7: shared_emails with 8
	{"eve", "SHARED@example.com", "Eve", goodHash, true},     // 8
	{"fay", "fay@example.com", "Fay", weakHash, true},        // 9: hash_weak, mixed costs
	{"gus", "gus@example.com", "Gus", garbageHash, true},     // 10: hash_unknown
	{"hal", "hal@example.com", "Hal", brokenHash, true},      // 11: hash_malformed
	{"ivy", "ivy@example.com", "Ivy", costlyHash, true},      // 12: hash_over_budget
	{"jon", "jon@example.com", "Jon", "!unusable", true},     // 13: no_password
	{"kim", "kim@example.com", "Kim", goodHash, false},       // 14: disabled
	{"lee", "", "Lee", goodHash, true},                       // 15: no_verified_channel
	{"ＭＩＸＥＤＣＡＳＥ", "mixed3@example.com", "W", goodHash, true}, // 16: full-width, folds with 5 and 6
}

// auditDjangoConfig seeds rows into a Django auth_user table on driver
// (sqlite, or the PostgreSQL and MariaDB of the integration environment,
// in a namespace of their own) and writes a configuration for it with
// the extra migration settings.
func auditDjangoConfig(t *testing.T, driver string, rows []auditRow, migration string) string {
	t.Helper()
	dir := t.TempDir()
	ns := "ferry_audit_" + strings.ToLower(rand.Text()[:10])
	var sqlDriver, dsn string
	switch driver {
	case sqlsource.DriverSQLite:
		sqlDriver, dsn = "sqlite", "file:"+filepath.Join(dir, "legacy.db")
	case sqlsource.DriverPostgres:
		base := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
		openAdmin(t, "pgx", base, "CREATE SCHEMA "+ns, "DROP SCHEMA "+ns+" CASCADE")
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", ns)
		u.RawQuery = q.Encode()
		sqlDriver, dsn = "pgx", u.String()
	case sqlsource.DriverMySQL:
		base := testenv.Env(t, "FERRY_TEST_MYSQL_DSN", "MariaDB")
		// A binary collation, as a case-sensitive Django database has: the
		// one where usernames that fold together can exist at all.
		openAdmin(t, "mysql", base, "CREATE DATABASE "+ns+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "DROP DATABASE "+ns)
		cfg, err := mysql.ParseDSN(base)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DBName = ns
		sqlDriver, dsn = "mysql", cfg.FormatDSN()
	default:
		t.Fatalf("no test directory on %s", driver)
	}
	db := djangoTables(t, sqlDriver, dsn, driver)
	insert := `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, ` +
		`is_active, date_joined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CURRENT_TIMESTAMP)`
	if driver != sqlsource.DriverPostgres {
		insert = regexp.MustCompile(`\$\d+`).ReplaceAllString(insert, "?")
	}
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.PrepareContext(t.Context(), insert)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := stmt.ExecContext(t.Context(), r.hash, false, r.username, r.first, "", r.email, false, r.active); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ferry.yaml")
	cfg := fmt.Sprintf("sources:\n  - name: django\n    type: sql\n    config: {preset: django, driver: %s, dsn: %q}\nmigration:\n%slog: {level: error}\n",
		driver, dsn, migration)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openAdmin runs create on base and drop when the test ends.
func openAdmin(t *testing.T, driver, base, create, drop string) *sql.DB {
	t.Helper()
	admin, err := sql.Open(driver, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), create); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(drop); err != nil {
			t.Errorf("%s: %v", drop, err)
		}
	})
	return admin
}

// findingsByKey indexes a source's findings by code and reason.
func findingsByKey(r audit.SourceReport) map[string]audit.Finding {
	out := map[string]audit.Finding{}
	for _, f := range r.Findings {
		k := f.Code
		if f.Reason != "" {
			k += "/" + f.Reason
		}
		out[k] = f
	}
	return out
}

// TestAuditFindings audits the same Django table on SQLite, PostgreSQL and
// MariaDB and checks every finding by its JSON fields.
func TestAuditFindings(t *testing.T) {
	t.Parallel()
	for _, driver := range []string{sqlsource.DriverSQLite, sqlsource.DriverPostgres, sqlsource.DriverMySQL} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			cfg := auditDjangoConfig(t, driver, auditDirectory, "  assume_email_verified: true\n")
			out, _, err := ferryRun(t, "", "audit", "--config", cfg, "--json")
			if err == nil || !strings.Contains(err.Error(), "blocker") {
				t.Fatalf("err = %v, want the blockers reported", err)
			}
			var rep audit.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if rep.Schema != audit.Schema || len(rep.Sources) != 1 {
				t.Fatalf("report: %+v", rep)
			}
			r := rep.Sources[0]
			if r.Name != "django" || r.Type != "sql" || !r.Complete || r.Users != len(auditDirectory) || r.Disabled != 1 || r.Marked != 0 {
				t.Errorf("source: name %q type %q complete %v users %d disabled %d marked %d", r.Name, r.Type, r.Complete, r.Users, r.Disabled, r.Marked)
			}
			got := findingsByKey(r)
			want := []struct {
				key, severity string
				count         int
				examples      []string
			}{
				{"unmigratable/username_pattern", audit.Blocker, 1, []string{"2"}},
				{"unmigratable/no_attributes", audit.Blocker, 1, []string{"3"}},
				{"attribute_dropped/email_format", audit.Warning, 1, []string{"4"}},
				{"attribute_dropped/verified_without_value", audit.Warning, 1, []string{"4"}},
				{"no_verified_channel", audit.Warning, 2, []string{"4", "15"}},
				{"folded_names", audit.Blocker, 3, nil},
				{"shared_emails", audit.Warning, 2, nil},
				{"hash_weak", audit.Warning, 1, []string{"9"}},
				{"hash_unknown", audit.Blocker, 1, []string{"10"}},
				{"hash_malformed", audit.Blocker, 1, []string{"11"}},
				{"hash_over_budget", audit.Blocker, 1, []string{"12"}},
				{"no_password", audit.Warning, 1, []string{"13"}},
				{"mixed_hash_costs", audit.Warning, 0, nil},
			}
			blockers := 0
			for _, w := range want {
				f, ok := got[w.key]
				if !ok {
					t.Errorf("no %s finding in %+v", w.key, r.Findings)
					continue
				}
				if f.Severity != w.severity || f.Count != w.count || (w.examples != nil && !slices.Equal(f.Examples, w.examples)) || f.Message == "" {
					t.Errorf("%s: severity %s count %d examples %v, want %s %d %v (message %q)", w.key, f.Severity, f.Count, f.Examples, w.severity, w.count, w.examples, f.Message)
				}
				if f.Severity == audit.Blocker {
					blockers++
				}
			}
			if len(r.Findings) != len(want) || rep.Blockers != blockers || rep.Warnings != len(want)-blockers {
				t.Errorf("%d findings (%d blockers, %d warnings), want %d (%d blockers): %+v", len(r.Findings), rep.Blockers, rep.Warnings, len(want), blockers, r.Findings)
			}
			if g := got["folded_names"].Groups; len(g) != 1 || !slices.Equal(g[0], []string{"5", "6", "16"}) {
				t.Errorf("folded names groups %v, want [[5 6 16]]", g)
			}
			if g := got["shared_emails"].Groups; len(g) != 1 || !slices.Equal(g[0], []string{"7", "8"}) {
				t.Errorf("shared emails groups %v, want [[7 8]]", g)
			}
			if !strings.Contains(got["mixed_hash_costs"].Message, "django-pbkdf2-sha256 prf=sha256 iterations=600000") {
				t.Errorf("mixed costs message does not name the expensive group: %s", got["mixed_hash_costs"].Message)
			}
			h := r.Hashes
			if h == nil {
				t.Fatal("no hashes section")
			}
			if h.Sampled != len(auditDirectory) || h.NoPassword != 1 || h.DummyFits || len(h.Unusable) != 3 {
				t.Errorf("hashes: %+v", *h)
			}
			fams := map[string]audit.Family{}
			for _, f := range h.Families {
				fams[f.Label()] = f
			}
			if f := fams["django-pbkdf2-sha256 prf=sha256 iterations=600000"]; f.Count != 11 || f.Weak || f.EstimateMS <= 0 {
				t.Errorf("pbkdf2 group: %+v (all %+v)", f, h.Families)
			}
			if f := fams["django-sha1"]; f.Count != 1 || !f.Weak {
				t.Errorf("sha1 group: %+v (all %+v)", f, h.Families)
			}
		})
	}
}

// TestAuditText checks the operator's report and the exit codes: clean,
// warnings only, blockers, and a source that cannot be audited.
func TestAuditText(t *testing.T) {
	t.Parallel()
	clean := auditDjangoConfig(t, sqlsource.DriverSQLite, auditDirectory[:1], "  assume_email_verified: true\n")
	warnings := auditDjangoConfig(t, sqlsource.DriverSQLite, auditDirectory[:1], "  assume_email_verified: false\n")
	blocked := auditDjangoConfig(t, sqlsource.DriverSQLite, auditDirectory, "  assume_email_verified: true\n  pool_mode: alias\n")
	down := downAndLiteConfig(t, clean)
	tests := []struct {
		name    string
		args    []string
		wantErr string
		want    []string
	}{
		{name: "clean", args: []string{"--config", clean},
			want: []string{"source django (sql): 1 users, 0 disabled or locked, 0 marked migrated", "audit: 0 blocker(s), 0 warning(s) in 1 source(s)"}},
		{name: "warnings only", args: []string{"--config", warnings},
			want: []string{"WARNING no_verified_channel: 1 user(s), e.g. legacy id 1", "assume_email_verified: true", "audit: 0 blocker(s), 1 warning(s)"}},
		{name: "blockers", args: []string{"--config", blocked}, wantErr: "audit found 7 blocker(s)",
			want: []string{"BLOCKER unmigratable (username_pattern): 1 user(s), e.g. legacy id 2", "BLOCKER folded_names: 3 user(s) [5 = 6 = 16]",
				"BLOCKER shared_emails: 2 user(s) [7 = 8]", "WARNING attribute_dropped (email: email_format)", "mixed costs:"}},
		{name: "only one source", args: []string{"--config", down, "--source", "lite"},
			want: []string{"source lite (sql): 1 users", "in 1 source(s)"}},
		{name: "a source that is down", args: []string{"--config", down}, wantErr: "audit found 1 blocker(s)",
			want: []string{"source pg (sql): not audited (see source_unavailable)", "BLOCKER source_unavailable", "ferry check shows its health", "source lite (sql): 1 users"}},
		{name: "unknown source", args: []string{"--config", down, "--source", "nope"}, wantErr: `--source "nope": the configuration has no such source (it has: pg, lite)`},
		{name: "no config", args: nil, wantErr: "--config is required"},
		{name: "bad memory", args: []string{"--config", clean, "--memory-mb", "-1"}, wantErr: "--memory-mb -1"},
		{name: "memory below Lambda's", args: []string{"--config", clean, "--memory-mb", "64"}, wantErr: "want 128..10240"},
		{name: "a Lambda's memory", args: []string{"--config", clean, "--memory-mb", "512"},
			want: []string{"audit: 0 blocker(s), 0 warning(s) in 1 source(s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", append([]string{"audit"}, tc.args...)...)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q\n%s", err, tc.wantErr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestAuditDocsExample runs the example of docs/operations.md's "Audit
// before go-live" as written: its users.yaml and ferry.yaml, then ferry
// audit, whose output must hold every line of the report the docs show
// (estimated times and column widths aside).
func TestAuditDocsExample(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(md), "\n## Audit before go-live\n")
	if !ok {
		t.Fatal("docs/operations.md has no Audit before go-live section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?s)```(\\w*)\n(.*?)```").FindAllStringSubmatch(section, -1)
	var yamls []string
	var report string
	for _, b := range blocks {
		switch {
		case b[1] == "yaml":
			yamls = append(yamls, b[2])
		case b[1] == "" && strings.HasPrefix(b[2], "source "):
			report = b[2]
		}
	}
	if len(yamls) != 2 || report == "" {
		t.Fatalf("want users.yaml, ferry.yaml and a report in the section, got %d yaml blocks, report %q", len(yamls), report)
	}
	dir := t.TempDir()
	// The docs run in the directory of both files; the test names the
	// users file by its full path instead (tests run in parallel).
	users := filepath.Join(dir, "users.yaml")
	cfg := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(users, []byte(yamls[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(yamls[1], "path: users.yaml", "path: "+users, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := ferryRun(t, "", "audit", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "3 blocker(s)") {
		t.Fatalf("err = %v, want the example's 3 blockers\n%s", err, out)
	}
	estimate := regexp.MustCompile(`~\d+ ms|<1 ms`)
	for line := range strings.SplitSeq(strings.TrimRight(report, "\n"), "\n") {
		re := regexp.QuoteMeta(strings.TrimSpace(line))
		re = estimate.ReplaceAllString(re, `(~\d+|<1) ms`)
		re = regexp.MustCompile(` +`).ReplaceAllString(re, ` +`)
		if !regexp.MustCompile(`(?m)^ *` + re + `$`).MatchString(out) {
			t.Errorf("the docs show %q, the output lacks it:\n%s", line, out)
		}
	}
}

// TestAuditDjangoSite runs check and audit on a database that Django
// itself made (testdata/django_site.py: its migrations, its create_user
// and default hasher), untouched by Ferry: check passes without the
// write-back column while mark_migrated is off and names the statement
// once it is on; audit reports each case the script seeds.
func TestAuditDjangoSite(t *testing.T) {
	t.Parallel()
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import django").Run(); err != nil {
		testenv.Missing(t, "Django for "+python+" (Debian python3-django)")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "legacy.db")
	if out, err := exec.CommandContext(t.Context(), python, filepath.Join("testdata", "django_site.py"), db).CombinedOutput(); err != nil {
		t.Fatalf("django_site.py: %v\n%s", err, out)
	}
	write := func(name, migration string) string {
		path := filepath.Join(dir, name)
		cfg := fmt.Sprintf("sources:\n  - name: django\n    type: sql\n    config: {preset: django, driver: sqlite, dsn: %q}\nmigration: {%s}\nlog: {level: error}\n", "file:"+db, migration)
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	plain, marking := write("plain.yaml", ""), write("marking.yaml", "mark_migrated: true")

	out, _, err := ferryRun(t, "", "check", "--config", plain)
	if err != nil || !strings.Contains(out, "sources: 1 of 1 healthy") ||
		!regexp.MustCompile(`(?m)^    django-pbkdf2-sha256 prf=sha256 iterations=\d+ +7  100\.0%`).MatchString(out) {
		t.Errorf("check without write-back: %v\n%s", err, out)
	}
	out, _, err = ferryRun(t, "", "check", "--config", marking)
	if err == nil || !strings.Contains(out, "migrated statement:") || !strings.Contains(out, sqlsource.MigratedColumn) {
		t.Errorf("check with write-back on a schema without its column: %v\n%s", err, out)
	}

	out, _, err = ferryRun(t, "", "audit", "--config", plain, "--json")
	if err == nil {
		t.Fatalf("audit: no error, want blockers\n%s", out)
	}
	var rep audit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	r := rep.Sources[0]
	if r.Users != 8 || r.Disabled != 1 || r.Hashes == nil || r.Hashes.NoPassword != 1 {
		t.Fatalf("source: %+v", r)
	}
	got := findingsByKey(r)
	for key, ids := range map[string][]string{
		"unmigratable/username_pattern": {"3"}, "unmigratable/no_attributes": {"8"}, "no_password": {"4"},
	} {
		if f := got[key]; !slices.Equal(f.Examples, ids) {
			t.Errorf("%s: %+v, want users %v", key, f, ids)
		}
	}
	if g := got["folded_names"].Groups; len(g) != 1 || !slices.Equal(g[0], []string{"1", "2"}) {
		t.Errorf("folded names: %v, want [[1 2]]", g)
	}
	if g := got["shared_emails"].Groups; len(g) != 1 || !slices.Equal(g[0], []string{"6", "7"}) {
		t.Errorf("shared emails: %v, want [[6 7]]", g)
	}
	// Django does not verify addresses: without assume_email_verified no
	// active user with a migratable answer has a verified channel.
	if f := got["no_verified_channel"]; f.Count != 5 {
		t.Errorf("no verified channel: %+v, want 5 users", f)
	}
}
