package ldapsource_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
)

// TestDocExamples decodes every `type: ldap` example in
// docs/sources.md strictly and validates it. Files the examples
// name (CA bundles, secrets) do not exist here; only those problems are
// tolerated.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	n := 0
	for _, cfg := range docConfigs(t, "../../../docs/sources.md", "ldap") {
		var c ldapsource.Config
		dec := yaml.NewDecoder(bytes.NewReader(cfg))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			t.Errorf("decode:\n%s\n%v", cfg, err)
			continue
		}
		if err := c.Validate(); err != nil {
			for line := range strings.SplitSeq(err.Error(), "\n") {
				if !strings.Contains(line, "no such file or directory") {
					t.Errorf("example:\n%s\n%s", cfg, line)
				}
			}
		}
		n++
	}
	if n < 3 {
		t.Errorf("found %d ldap examples, want at least 3", n)
	}
}

// docConfigs returns the config blocks of the sources of type typ in the
// ```yaml blocks of the markdown file at path.
func docConfigs(t *testing.T, path, typ string) [][]byte {
	t.Helper()
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	parts := strings.Split(string(md), "```yaml\n")
	for _, p := range parts[1:] {
		block, _, _ := strings.Cut(p, "```")
		var doc struct {
			Sources []struct {
				Type   string    `yaml:"type"`
				Config yaml.Node `yaml:"config"`
			} `yaml:"sources"`
		}
		if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
			t.Errorf("yaml block:\n%s\n%v", block, err)
			continue
		}
		for _, s := range doc.Sources {
			if s.Type != typ {
				continue
			}
			b, err := yaml.Marshal(&s.Config)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}
