package sqlsource

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// frameworkDDL holds the frameworks' own DDL, one file per preset, driver and
// variant: ddl/<preset>/<driver>.sql is what the framework's default
// migration creates on that database, ddl/<preset>/<driver>.<variant>.sql a
// documented variant of it (a module switched on, an older version). Each
// file names where it came from on a "-- Source:" line and ends with the
// one statement that is Ferry's, not the framework's: the MigratedColumn of
// the preset's write-back. ddl/README.md says how each file was made.
//
//go:embed ddl
var frameworkDDL embed.FS

// sourceLine starts the provenance line every DDL file must have.
const sourceLine = "-- Source: "

// Schema returns the DDL of preset's tables for driver, one statement per
// element: the framework's own DDL where ddl/ holds it for driver, else
// Ferry's portable rendering of the same tables (the columns the preset
// reads, plus the ones around them that make seeding realistic). Both end
// with the MigratedColumn the preset's write-back sets. It is used by tests
// and `ferry demo`, and documents what each preset expects.
func Schema(preset, driver string) ([]string, error) {
	return SchemaVariant(preset, "", driver)
}

// SchemaVariant returns variant's DDL of preset for driver ("" is the
// framework's default); see SchemaVariants.
func SchemaVariant(preset, variant, driver string) ([]string, error) {
	if _, ok := presets[preset]; !ok {
		return nil, fmt.Errorf("unknown preset %q", preset)
	}
	d, ok := dialects[driver]
	if !ok {
		return nil, fmt.Errorf("unknown driver %q", driver)
	}
	name := driver
	if variant != "" {
		name += "." + variant
	}
	data, err := frameworkDDL.ReadFile(path.Join("ddl", preset, name+".sql"))
	switch {
	case err == nil:
		return splitStatements(string(data)), nil
	case variant != "":
		return nil, fmt.Errorf("preset %q has no DDL variant %q for %s (have %q)", preset, variant, driver, SchemaVariants(preset, driver))
	}
	ddl, ok := schemas[preset]
	if !ok {
		return nil, fmt.Errorf("preset %q has no DDL for %s", preset, driver)
	}
	var out []string
	for _, stmt := range strings.Split(ddl, ";\n") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			out = append(out, d.sql(schemaTypes(d).Replace(stmt)))
		}
	}
	return out, nil
}

// SchemaVariants lists the variants of preset's framework DDL for driver,
// "" (the default) first; it is [""] where only the portable rendering
// exists.
func SchemaVariants(preset, driver string) []string {
	entries, _ := fs.ReadDir(frameworkDDL, path.Join("ddl", preset))
	out := []string{""}
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		if drv, variant, found := strings.Cut(base, "."); drv == driver && found {
			out = append(out, variant)
		}
	}
	slices.Sort(out[1:])
	return out
}

// splitStatements splits a DDL script into statements: at a ';' that ends a
// line, or at a line holding only GO (SQL Server's batch separator), outside
// quotes. Comment lines ("--") are dropped; statements keep their text
// otherwise, so the database sees what the framework wrote.
func splitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	quote := byte(0)
	for line := range strings.Lines(script) {
		trimmed := strings.TrimSpace(line)
		if quote == 0 {
			if strings.HasPrefix(trimmed, "--") {
				continue
			}
			if strings.EqualFold(trimmed, "GO") {
				flush()
				continue
			}
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"' || c == '`':
				quote = c
			}
		}
		cur.WriteString(line)
		if quote == 0 && strings.HasSuffix(trimmed, ";") {
			s := strings.TrimSpace(cur.String())
			cur.Reset()
			cur.WriteString(strings.TrimSuffix(s, ";"))
			flush()
		}
	}
	flush()
	return out
}
