package sqlsource

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestExamples decodes the source configuration of every example in
// examples/sql strictly and validates it, and checks that every preset has
// an example.
func TestExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../../examples/sql/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Sources []struct {
					Name   string    `yaml:"name"`
					Type   string    `yaml:"type"`
					Config yaml.Node `yaml:"config"`
				} `yaml:"sources"`
			}
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Sources) != 1 || doc.Sources[0].Type != "sql" {
				t.Fatalf("want one source of type sql, got %+v", doc.Sources)
			}
			raw, err := yaml.Marshal(&doc.Sources[0].Config)
			if err != nil {
				t.Fatal(err)
			}
			dec := yaml.NewDecoder(bytes.NewReader(raw))
			dec.KnownFields(true)
			var c Config
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			seen[c.Preset] = true
			if want := strings.TrimSuffix(filepath.Base(f), ".yaml"); c.Preset != "" && c.Preset != want {
				t.Errorf("file %s configures preset %q", filepath.Base(f), c.Preset)
			}
		})
	}
	for _, p := range Presets() {
		if !seen[p] {
			t.Errorf("preset %q has no example in examples/sql", p)
		}
	}
}
