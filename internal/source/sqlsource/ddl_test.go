package sqlsource

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// TestFrameworkDDLFiles checks every file under ddl/: it is named
// <preset>/<driver>[.<variant>].sql for a known preset and driver, says
// where it came from, and ends with Ferry's write-back column and nothing
// else of Ferry's.
func TestFrameworkDDLFiles(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(frameworkDDL, "ddl", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		n++
		preset, file := path.Base(path.Dir(p)), strings.TrimSuffix(path.Base(p), ".sql")
		driver, _, _ := strings.Cut(file, ".")
		if _, ok := presets[preset]; !ok {
			t.Errorf("%s: %q is not a preset", p, preset)
		}
		if _, ok := dialects[driver]; !ok {
			t.Errorf("%s: %q is not a driver", p, driver)
		}
		data, _ := fs.ReadFile(frameworkDDL, p)
		if !strings.HasPrefix(string(data), sourceLine) {
			t.Errorf("%s: does not start with a %q provenance line", p, sourceLine)
		}
		stmts := splitStatements(string(data))
		if len(stmts) < 2 {
			t.Fatalf("%s: %d statements", p, len(stmts))
		}
		for i, s := range stmts {
			has := strings.Contains(s, MigratedColumn)
			if last := i == len(stmts)-1; has != last {
				t.Errorf("%s: statement %d of %d mentions %s: %v (only the last one must, and it must)", p, i+1, len(stmts), MigratedColumn, has)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no framework DDL files")
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	script := "-- Source: somewhere\nCREATE TABLE a (x TEXT DEFAULT 'a;\nb');\n\nCREATE TABLE b\n  (y INT);\n" +
		"-- a comment; with a semicolon;\nINSERT INTO a VALUES ('--');\nCREATE TABLE c (z INT)\nGO\nCREATE TABLE d (w INT)\ngo\n" +
		"CREATE TABLE `e;` (v INT);\nALTER TABLE e ADD f INT"
	want := []string{
		"CREATE TABLE a (x TEXT DEFAULT 'a;\nb')",
		"CREATE TABLE b\n  (y INT)",
		"INSERT INTO a VALUES ('--')",
		"CREATE TABLE c (z INT)",
		"CREATE TABLE d (w INT)",
		"CREATE TABLE `e;` (v INT)",
		"ALTER TABLE e ADD f INT",
	}
	if got := splitStatements(script); !slices.Equal(got, want) {
		t.Errorf("splitStatements:\n got %q\nwant %q", got, want)
	}
}

// TestPresetOnEveryVariant runs every preset on every DDL variant of every
// driver it has one for: the source opens and passes its check against the
// framework's own tables (optional columns detected, not assumed), an
// unknown name is ErrUserNotFound, and counting and listing agree on an
// empty table. The presets' sign-in on framework-written rows is checked by
// the tests next to each framework's rows.
func TestPresetOnEveryVariant(t *testing.T) {
	t.Parallel()
	for _, preset := range Presets() {
		t.Run(preset, func(t *testing.T) {
			t.Parallel()
			forEachDriver(t, func(t *testing.T, driver string) {
				for _, variant := range SchemaVariants(preset, driver) {
					t.Run(cmpOr(variant, "default"), func(t *testing.T) {
						tdb := newTestDB(t, driver)
						stmts, err := SchemaVariant(preset, variant, driver)
						if err != nil {
							t.Fatal(err)
						}
						for _, s := range stmts {
							mustExec(t, tdb.db, s)
						}
						c := Config{Preset: preset}
						if preset == "keycloak" {
							c.Realm = "acme"
						}
						s := tdb.open(t, c)
						if err := s.Check(t.Context()); err != nil {
							t.Fatalf("Check: %v", err)
						}
						if _, err := s.Authenticate(t.Context(), "nobody@example.com", "Nobody-pass-1"); !errors.Is(err, source.ErrUserNotFound) {
							t.Errorf("Authenticate(unknown) = %v, want ErrUserNotFound", err)
						}
						n, err := s.Count(t.Context())
						if err != nil || n.Total != 0 || !n.Marked {
							t.Errorf("Count = %+v, %v; want 0 users, marked", n, err)
						}
						if err := s.List(t.Context(), func(e source.Entry) error { return errors.New("listed a user of an empty table") }); err != nil {
							t.Errorf("List: %v", err)
						}
					})
				}
			})
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
