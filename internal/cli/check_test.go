package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/source"
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
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr bool
	}{
		{name: "healthy SQLite source", args: []string{"--config", good}, want: []string{"config " + good + ": ok, 1 source(s)", "source django (sql):", "health: ok", "hashes:"}},
		{name: "every config problem", args: []string{"--config", bad}, wantErr: true, want: []string{"sources[0].config.drver: unknown field", "migration: pool_mode:"}},
		{name: "unreachable server", args: []string{"--config", unreachable}, wantErr: true, want: []string{"source pg (sql):", "health: error:"}},
		{name: "bad sample size", args: []string{"--config", good, "--sample", "0"}, wantErr: true},
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
		})
	}
}

func TestHashReport(t *testing.T) {
	t.Parallel()
	strong, _ := bcrypt.GenerateFromPassword([]byte("a"), 10)
	weak, _ := bcrypt.GenerateFromPassword([]byte("a"), 5)
	got := hashReport([]source.HashSample{
		{Encoded: string(strong)}, {Encoded: string(strong)}, {Encoded: string(weak)}, {Encoded: "garbage"},
	})
	want := []string{
		"bcrypt                        2  ok",
		"bcrypt                        1  weak",
		"unrecognised                  1  error: unknown hash format",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
