package realapps

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// ddlGenerators are the presets whose framework DDL (internal/source/
// sqlsource/ddl/<preset>/) a generator in frameworksDir/<preset>/gen.sh
// writes by running the framework itself, with the files that framework
// needs.
var ddlGenerators = map[string][]string{
	"django":    {python, "/usr/lib/python3/dist-packages/django/__init__.py"},
	"devise":    {ruby, deviseGem},
	"laravel":   {"/usr/bin/php", "/usr/share/php/Illuminate/Database/Capsule/Manager.php"},
	"wordpress": {"/usr/bin/php", filepath.Join(wordpressRoot, "wp-settings.php")},
}

// TestFrameworkDDLReproduced re-runs each generator for every checked-in
// DDL file of its preset, on the file's database, and requires the same
// bytes: the files are what the frameworks print, not edited by hand.
func TestFrameworkDDLReproduced(t *testing.T) {
	t.Parallel()
	ddlDir := filepath.Join(frameworksDir, "..", "..", "ddl")
	for preset, needs := range ddlGenerators {
		files, err := filepath.Glob(filepath.Join(ddlDir, preset, "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no DDL files in %s (%v)", preset, ddlDir, err)
		}
		gen, err := filepath.Abs(filepath.Join(frameworksDir, preset, "gen.sh"))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(preset, func(t *testing.T) {
			t.Parallel()
			requireFiles(t, "the framework "+preset+"'s generator runs", needs...)
			for _, file := range files {
				base := strings.TrimSuffix(filepath.Base(file), ".sql")
				driver, variant, _ := strings.Cut(base, ".")
				t.Run(base, func(t *testing.T) {
					t.Parallel()
					switch driver {
					case "postgres":
						testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
					case "mysql":
						testenv.Env(t, "FERRY_TEST_MYSQL_DSN", "MariaDB")
					}
					out := filepath.Join(t.TempDir(), base+".sql")
					mustRun(t, os.Environ(), "", gen, driver, cmp.Or(variant, "default"), out)
					want, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					got, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s: %s %s %s writes something else; first difference:\n%s", file, gen, driver, cmp.Or(variant, "default"), firstDiff(got, want))
					}
				})
			}
		})
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		gl, wl := "(end)", "(end)"
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, gl, wl)
		}
	}
	return "(none)"
}
