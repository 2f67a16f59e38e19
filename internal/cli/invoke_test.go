package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// legacySQLiteConfig makes an SQLite Django database holding alice
// (password "Corr3ct-horse") and writes a configuration for it; extra is
// appended to the configuration.
func legacySQLiteConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "legacy.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl, err := sqlsource.Schema("django", sqlsource.DriverSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	h, err := bcrypt.GenerateFromPassword([]byte("Corr3ct-horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO auth_user (username, email, first_name, last_name, is_active, password, is_superuser, is_staff, date_joined)
		VALUES ('alice', 'alice@example.com', 'Alice', 'Liddell', 1, ?, 0, 0, CURRENT_TIMESTAMP)`, string(h)); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "ferry.yaml")
	cfg := fmt.Sprintf(`sources:
  - name: django
    type: sql
    config: {preset: django, driver: sqlite, dsn: "file:%s"}
migration:
  assume_email_verified: true
%s`, dbPath, extra)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	cfg := legacySQLiteConfig(t, "")
	dir := t.TempDir()
	eventFile := filepath.Join(dir, "event.json")
	ev, _ := json.Marshal(trigger.Event{
		Version: "1", TriggerSource: trigger.SourceAuthentication, UserName: "alice",
		Request: trigger.Request{Password: "Corr3ct-horse"},
	})
	if err := os.WriteFile(eventFile, ev, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantStatus string
		wantNoUser bool
		wantErr    string
	}{
		{name: "event file", args: []string{eventFile}, wantStatus: "CONFIRMED"},
		{name: "event on stdin", stdin: string(ev), args: []string{"-"}, wantStatus: "CONFIRMED"},
		{name: "password on stdin", stdin: "Corr3ct-horse\n", args: []string{"--user", "alice", "--password-stdin"}, wantStatus: "CONFIRMED"},
		{name: "password flag", args: []string{"--user", "alice", "--password", "Corr3ct-horse"}, wantStatus: "CONFIRMED"},
		{name: "forgot password", args: []string{"--user", "alice", "--forgot"}, wantStatus: "RESET_REQUIRED"},
		// A username pool cannot resolve an email to alice's user; a
		// forgot-password that migrates nobody is answered empty, whatever
		// the failure style, so that Cognito's answer does not tell.
		{name: "forgot password by email in a username pool", args: []string{"--user", "alice@example.com", "--forgot"}, wantNoUser: true},
		{name: "wrong password", args: []string{"--user", "alice", "--password", "nope"}, wantErr: "invocation failed: user not migrated"},
		{name: "malformed event", stdin: "{", args: []string{"-"}, wantErr: "malformed event"},
		{name: "no password", args: []string{"--user", "alice"}, wantErr: "--password, --password-stdin or --forgot"},
		{name: "forgot with password", args: []string{"--user", "alice", "--forgot", "--password", "x"}, wantErr: "no password"},
		{name: "empty stdin password", stdin: "\n", args: []string{"--user", "alice", "--password-stdin"}, wantErr: "empty password"},
		{name: "nothing to invoke", args: nil, wantErr: "give an event file"},
		{name: "missing event file", args: []string{filepath.Join(dir, "none.json")}, wantErr: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, stderr, err := ferryRun(t, tc.stdin, append([]string{"invoke", "--config", cfg}, tc.args...)...)
			if strings.Contains(out+stderr, "Corr3ct-horse") {
				t.Errorf("password printed:\n%s\n%s", out, stderr)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.HasPrefix(tc.wantErr, "invocation failed") && !strings.Contains(out, `"errorType": "MigrationError"`) {
					t.Errorf("no error document printed:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			var got trigger.Event
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if tc.wantNoUser {
				if len(got.Response.UserAttributes) != 0 || got.Response.FinalUserStatus != "" {
					t.Errorf("answer migrates a user:\n%s", out)
				}
				return
			}
			if got.Response.FinalUserStatus != tc.wantStatus || got.Response.UserAttributes["email"] != "alice@example.com" {
				t.Errorf("answer:\n%s", out)
			}
		})
	}
}

func TestInvokeNeedsConfig(t *testing.T) {
	t.Parallel()
	_, _, err := ferryRun(t, "", "invoke", "--user", "alice", "--forgot")
	if err == nil || !strings.Contains(err.Error(), "--config is required") {
		t.Errorf("err = %v", err)
	}
}
