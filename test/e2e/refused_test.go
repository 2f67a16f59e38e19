package e2e

import (
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestRefusedAnswersEndKnown signs in, through the real `ferry serve`, the
// Django users whose answers Cognito refuses — one with no email and no
// names (the answer would carry no attribute), one whose login has a space
// (not a Cognito username) — next to one that migrates, and follows each
// to its end: the refused ones are not in the pool and not marked, `ferry
// status --user-pool-id` agrees, and `ferry export --user-pool-id` accounts
// for each of them by a named reason.
func TestRefusedAnswersEndKnown(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	bin := buildFerry(t)
	dir := t.TempDir()
	legacy := filepath.Join(dir, "legacy.db")
	djangoDB(t, legacy, []string{"ok"})
	db, err := sql.Open("sqlite", legacy)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{"nomail", "ann smith"} {
		if _, err := db.Exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
			VALUES (?, 0, ?, '', '', '', 0, 1, '2020-01-02 03:04:05')`, djangoHash(t, killPassword, "refused"+strconv.Itoa(i)), u); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	cfg := djangoServeConfig(t, dir, legacy, "mark_migrated: true")
	addr := testenv.FreeAddr(t)
	url := "http://" + addr
	startServe(t, bin, filepath.Join(dir, "data"), addr, cfg)
	api := cognitotest.NewClient(url)
	poolID, clientID := defaultPool(t, api)

	if err := signIn(t.Context(), api, clientID, "ok", killPassword); err != nil {
		t.Fatalf("a migratable user: %v", err)
	}
	for _, name := range []string{"nomail", "ann smith"} {
		if err := signIn(t.Context(), api, clientID, name, killPassword); err == nil {
			t.Errorf("%q signed in although Cognito refuses the answer", name)
		}
	}
	if got := poolUsernames(t, api, poolID); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("pool users %q, want only ok", got)
	}

	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, append(args, "--config", cfg, "--user-pool-id", poolID, "--endpoint-url", url, "--json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret", "AWS_REGION=us-east-1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ferry %s: %v\n%s", args[0], err, out)
		}
		return out
	}
	var status struct {
		Sources []struct {
			Listed         int  `json:"listed"`
			MarkedMigrated int  `json:"marked_migrated"`
			InPool         *int `json:"in_pool"`
			MarkedAbsent   *int `json:"marked_absent"`
		} `json:"sources"`
	}
	out := run("status")
	if err := json.Unmarshal(out, &status); err != nil || len(status.Sources) != 1 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if s := status.Sources[0]; s.MarkedMigrated != 1 || s.InPool == nil || *s.InPool != 1 || s.MarkedAbsent == nil || *s.MarkedAbsent != 0 {
		t.Errorf("status: want 1 marked, 1 in the pool, 0 marked but absent:\n%s", out)
	}

	var export struct {
		Exported int                 `json:"exported"`
		InPool   int                 `json:"in_pool"`
		Skipped  map[string]int      `json:"skipped"`
		Examples map[string][]string `json:"examples"`
	}
	out = run("export", "--out", filepath.Join(dir, "stragglers.csv"))
	if err := json.Unmarshal(out, &export); err != nil {
		t.Fatalf("export --json: %v\n%s", err, out)
	}
	skipped := 0
	for _, n := range export.Skipped {
		skipped += n
	}
	if export.InPool != 1 || export.Exported+skipped != 2 || skipped == 0 {
		t.Errorf("export: want ok in the pool and both refused users accounted for, each skipped by a named reason or exported:\n%s", out)
	}
	t.Logf("export: %s", out)
}
