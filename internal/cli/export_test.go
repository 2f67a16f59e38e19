package cli

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/export/exporttest"
	"github.com/ferry-migrate/ferry/internal/progress"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// readExport parses every file of an export into rows keyed by
// cognito:username, checking each file's header and that no value is a
// password hash.
func readExport(t *testing.T, files []string, wantHeader []string) map[string]map[string]string {
	t.Helper()
	rows := map[string]map[string]string{}
	for _, path := range files {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 (personal data)", path, fi.Mode().Perm())
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		header, recs, err := exporttest.Read(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if diff := cmp.Diff(wantHeader, header); diff != "" {
			t.Errorf("%s header (-want +got):\n%s", path, diff)
		}
		for _, r := range recs {
			for c, v := range r {
				if strings.Contains(v, "pbkdf2") || strings.Contains(c, "password") {
					t.Errorf("%s: column %s holds %q", path, c, v)
				}
			}
			rows[r[export.ColumnUsername]] = r
		}
	}
	return rows
}

func TestExport(t *testing.T) {
	t.Parallel()
	forEachLegacyDriver(t, func(t *testing.T, cfg string) {
		srv := poolWithOneLegacyUser(t)
		tests := []struct {
			name      string
			args      []string
			wantUsers []string
			wantFiles int
			wantPool  int
			wantNotes []string
			// wantMarkedAbsent: with the pool, the marked users it does
			// not hold are exported and counted.
			wantMarkedAbsent int
		}{
			{name: "marks only", wantUsers: []string{"user4", "user6", "user7", "user8", "user9"}, wantFiles: 1,
				wantNotes: []string{progress.MarksOptimistic}},
			{name: "every user absent from the pool, marked or not", args: []string{"--user-pool-id", srv.PoolID, "--endpoint-url", srv.URL},
				wantUsers: []string{"user0", "user1", "user4", "user7", "user8", "user9"}, wantFiles: 1, wantPool: 1, wantMarkedAbsent: 2},
			{name: "split by rows", args: []string{"--max-rows", "2"},
				wantUsers: []string{"user4", "user6", "user7", "user8", "user9"}, wantFiles: 3, wantNotes: []string{progress.MarksOptimistic}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				out := filepath.Join(t.TempDir(), "users.csv")
				stdout, _, err := ferryRun(t, "", append([]string{"export", "--config", cfg, "--out", out, "--json"}, tt.args...)...)
				if err != nil {
					t.Fatalf("export: %v\n%s", err, stdout)
				}
				var r progress.ExportReport
				if err := json.Unmarshal([]byte(stdout), &r); err != nil {
					t.Fatalf("report: %v\n%s", err, stdout)
				}
				wantReport := progress.ExportReport{
					Files: r.Files, Header: export.StandardHeader, Exported: len(tt.wantUsers),
					Listed: 10, Migrated: 2, InPool: tt.wantPool, Disabled: 1, MarkedAbsent: tt.wantMarkedAbsent, Notes: tt.wantNotes,
					Skipped:  map[string]int{"no verified email or phone number": 1, "no username cognito accepts": 1},
					Examples: map[string][]string{"no verified email or phone number": {"django/4"}, "no username cognito accepts": {"django/6"}},
				}
				if diff := cmp.Diff(wantReport, r); diff != "" {
					t.Errorf("report (-want +got):\n%s", diff)
				}
				if len(r.Files) != tt.wantFiles || r.Files[0] != out {
					t.Fatalf("files %v, want %d starting with %s", r.Files, tt.wantFiles, out)
				}
				rows := readExport(t, r.Files, export.StandardHeader)
				got := make([]string, 0, len(rows))
				for name := range rows {
					got = append(got, name)
				}
				slices.Sort(got)
				if diff := cmp.Diff(tt.wantUsers, got); diff != "" {
					t.Errorf("exported users (-want +got):\n%s", diff)
				}
				jane := rows["user4"]
				want := map[string]string{"email": "user4@example.com", "email_verified": "true", "given_name": "Jane",
					"family_name": "Doe, Jr.", "cognito:mfa_enabled": "false", "phone_number_verified": "", "name": ""}
				for c, v := range want {
					if jane[c] != v {
						t.Errorf("user4 %s = %q, want %q", c, jane[c], v)
					}
				}
			})
		}
	})
}

func TestExportFlags(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	out := filepath.Join(t.TempDir(), "users.csv")
	tests := []struct {
		name string
		args []string
	}{
		{name: "no out", args: []string{"--config", cfg}},
		{name: "no config", args: []string{"--out", out}},
		{name: "unknown pool", args: []string{"--config", cfg, "--out", out, "--user-pool-id", "us-east-1_nope", "--endpoint-url", "http://127.0.0.1:1"}},
		{name: "unwritable out", args: []string{"--config", cfg, "--out", filepath.Join(t.TempDir(), "no", "such", "dir.csv")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if stdout, _, err := ferryRun(t, "", append([]string{"export"}, tt.args...)...); err == nil {
				t.Errorf("export %v succeeded:\n%s", tt.args, stdout)
			}
		})
	}
}

func TestExportText(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	out := filepath.Join(t.TempDir(), "users.csv")
	stdout, _, err := ferryRun(t, "", "export", "--config", cfg, "--out", out)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stdout)
	}
	for _, w := range []string{
		"listed 10 legacy users: 2 marked migrated, 0 already in the pool, 1 disabled, 0 duplicate",
		"skipped 1: no verified email or phone number (e.g. [django/4])",
		"skipped 1: no username cognito accepts (e.g. [django/6])",
		"exported 5 users to 1 file(s) " + out,
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
}

func TestExportUnlistedSource(t *testing.T) {
	t.Parallel()
	cfg := withUnlistedSource(t, legacyDjangoConfig(t, sqlsource.DriverSQLite))
	out := filepath.Join(t.TempDir(), "users.csv")
	stdout, _, err := ferryRun(t, "", "export", "--config", cfg, "--out", out)
	if !errors.Is(err, progress.ErrIncomplete) {
		t.Fatalf("export = %v, want progress.ErrIncomplete\n%s", err, stdout)
	}
	for _, w := range []string{"NOT EXPORTED: source custom: count: listing users needs a preset", "exported 5 users to 1 file(s)"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if rows := readExport(t, []string{out}, export.StandardHeader); len(rows) != 5 {
		t.Errorf("%d rows, want the django source's 5", len(rows))
	}
}

// BenchmarkExport exports a SQLite Django directory of 40,000 users, a
// tenth of them marked migrated. Run with -benchtime=3x.
func BenchmarkExport(b *testing.B) {
	const n = 40_000
	dir := b.TempDir()
	dsn := "file:" + filepath.Join(dir, "legacy.db")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	ddl, err := sqlsource.Schema("django", sqlsource.DriverSQLite)
	if err != nil {
		b.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		var mark any
		if i%10 == 0 {
			mark = "2024-01-01 00:00:00"
		}
		if _, err := tx.Exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, `+
			`is_active, date_joined, ferry_migrated_at) VALUES (?, 0, ?, 'First', 'Last, Jr.', ?, 0, 1, '2019-01-01', ?)`,
			"pbkdf2_sha256$600000$s4lt$"+strings.Repeat("h", 43), fmt.Sprintf("user%06d", i), fmt.Sprintf("user%06d@example.com", i), mark); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	cfg := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("sources:\n  - {name: django, type: sql, config: {preset: django, driver: sqlite, dsn: %q}}\n"+
		"migration: {assume_email_verified: true}\n", dsn)), 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "users.csv")
	b.ReportAllocs()
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		if err := Run(b.Context(), []string{"export", "--config", cfg, "--out", out, "--json"},
			Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}); err != nil {
			b.Fatalf("export: %v\n%s", err, stderr.String())
		}
		var r progress.ExportReport
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || r.Exported != n-n/10 {
			b.Fatalf("report %+v, %v", r, err)
		}
	}
	fi, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size()), "file-bytes")
}

func TestExportRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	cfg := legacyDjangoConfig(t, sqlsource.DriverSQLite)
	out := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := ferryRun(t, "", "export", "--config", cfg, "--out", out)
	if !errors.Is(err, progress.ErrExists) || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("export over an existing file = %v, want progress.ErrExists naming the file and --force\n%s", err, stdout)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	if stdout, _, err := ferryRun(t, "", "export", "--config", cfg, "--out", out, "--force"); err != nil {
		t.Fatalf("export --force: %v\n%s", err, stdout)
	}
	if rows := readExport(t, []string{out}, export.StandardHeader); len(rows) != 5 {
		t.Errorf("--force wrote %d rows, want 5", len(rows))
	}
}

func TestExportNothingLeft(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	// One user, disabled: nothing to export.
	hash, err := bcrypt.GenerateFromPassword([]byte("Passw0rd!x"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(users, []byte("users:\n  - {id: \"1\", username: ann, email: ann@example.com, disabled: true, password_hash: '"+string(hash)+"'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  - {name: file, type: file, config: {path: "+users+"}}\nmigration: {assume_email_verified: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "users.csv")
	stdout, _, err := ferryRun(t, "", "export", "--config", cfg, "--out", out)
	if err != nil {
		t.Fatalf("export with nothing to export: %v (want exit 0)\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "note: "+progress.NothingExported) {
		t.Errorf("output does not say nothing was exported:\n%s", stdout)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written for zero users: %v", err)
	}
}
