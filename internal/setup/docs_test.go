package setup

import (
	"os"
	"strings"
	"testing"
)

// TestSourcesGuideExamples loads every configuration example in
// docs/sources.md (each ```yaml block with a sources: list) through the
// whole loader — strict keys, every backend's Validate, the migration
// policy — so the guide's examples stay valid for every source type.
// ${VAR} references and *_file secrets resolve to placeholders; an
// example whose only problem is a file it names (a CA bundle) passes.
func TestSourcesGuideExamples(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("../../docs/sources.md")
	if err != nil {
		t.Fatal(err)
	}
	l := loader(sourceTypes())
	l.LookupEnv = func(string) (string, bool) { return "placeholder", true }
	l.ReadFile = func(string) ([]byte, error) { return []byte("cGxhY2Vob2xkZXItc2VjcmV0\n"), nil } // base64, as some secrets must be
	types := map[string]int{}
	for _, block := range strings.Split(string(md), "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if !strings.HasPrefix(block, "sources:") {
			continue
		}
		cfg, err := l.Load([]byte(block))
		if err != nil {
			for line := range strings.SplitSeq(err.Error(), "\n") {
				if line != "invalid configuration:" && !strings.Contains(line, "no such file or directory") {
					t.Errorf("example:\n%s\n%s", block, line)
				}
			}
			continue
		}
		names := make([]string, len(cfg.Sources))
		for i, b := range cfg.Sources {
			names[i] = b.Name
			types[b.Type]++
		}
		if err := cfg.Migration.ValidateRouting(names); err != nil {
			t.Errorf("example:\n%s\n%v", block, err)
		}
	}
	for typ := range sourceTypes() {
		if types[typ] == 0 {
			t.Errorf("docs/sources.md has no loadable example of type %s", typ)
		}
	}
}
