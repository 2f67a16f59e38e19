package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// The markers, each on the line right before a ```sh fence. A runnable
// marker may name what the block's output must contain, each text in
// backquotes: <!-- runnable, prints: `0 blocker(s)` `nothing changed` -->
// (compared with runs of white space folded to one space).
const (
	runnableMarker    = "<!-- runnable -->"
	runnablePrefix    = "<!-- runnable, prints:"
	notRunnablePrefix = "<!-- not runnable:"
)

var printed = regexp.MustCompile("`([^`]+)`")

// block is one fenced shell block of a document.
type block struct {
	line     int    // line of the opening fence, 1-based
	runnable bool   // marked runnable
	reason   string // why it cannot run, when marked so
	prints   []string
	text     string // the block, with the fence's indentation removed
}

var fence = regexp.MustCompile("^( *)```(\\w*)\\s*$")

// parseBlocks returns the shell blocks (```sh, ```bash, ```console) of a
// Markdown document with the marker of each.
func parseBlocks(doc string) []block {
	lines := strings.Split(doc, "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil || m[2] == "" {
			continue
		}
		indent, lang := m[1], m[2]
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "```" {
				break
			}
			body = append(body, strings.TrimPrefix(lines[j], indent))
		}
		if lang == "sh" || lang == "bash" || lang == "console" {
			b := block{line: i + 1, text: strings.Join(body, "\n") + "\n"}
			if i > 0 {
				prev := strings.TrimSpace(lines[i-1])
				b.runnable = prev == runnableMarker
				if r, ok := strings.CutPrefix(prev, runnablePrefix); ok {
					b.runnable = true
					for _, m := range printed.FindAllStringSubmatch(r, -1) {
						b.prints = append(b.prints, m[1])
					}
				}
				if r, ok := strings.CutPrefix(prev, notRunnablePrefix); ok {
					b.reason = strings.TrimSpace(strings.TrimSuffix(r, "-->"))
				}
			}
			blocks = append(blocks, b)
		}
		i = j
	}
	return blocks
}

func TestParseBlocks(t *testing.T) {
	doc := "text\n" +
		"<!-- runnable, prints: `ok` `0  blockers` -->\n```sh\nferry check\n```\n" +
		"1. step\n\n   <!-- not runnable: needs AWS -->\n   ```sh\n   aws x \\\n     --y\n   ```\n" +
		"```yaml\na: b\n```\n" +
		"```sh\nunmarked\n```\n"
	got := parseBlocks(doc)
	want := []block{
		{line: 3, runnable: true, prints: []string{"ok", "0  blockers"}, text: "ferry check\n"},
		{line: 9, reason: "needs AWS", text: "aws x \\\n  --y\n"},
		{line: 16, text: "unmarked\n"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("parseBlocks:\n got %+v\nwant %+v", got, want)
	}
}

// repoRoot is the module root, two levels above this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// documents are README.md and docs/*.md, relative to the root.
func documents(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, d := range docs {
		out = append(out, filepath.Join("docs", filepath.Base(d)))
	}
	return out
}

// TestEveryShellBlockIsClassified keeps the docs honest: a shell block is
// either run by TestDocsRunAsWritten or says why it cannot run here.
func TestEveryShellBlockIsClassified(t *testing.T) {
	root := repoRoot()
	for _, doc := range documents(t, root) {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "<!-- runnable") && !strings.HasPrefix(l, notRunnablePrefix) {
				continue
			}
			m := []string(nil)
			if i+1 < len(lines) {
				m = fence.FindStringSubmatch(lines[i+1])
			}
			if m == nil || (m[2] != "sh" && m[2] != "bash" && m[2] != "console") {
				t.Errorf("%s:%d: %s is not right before a shell block's fence, so it marks nothing", doc, i+1, l)
			} else if strings.HasPrefix(l, "<!-- runnable") && l != runnableMarker && !strings.HasPrefix(l, runnablePrefix) {
				t.Errorf("%s:%d: %s: write %s, or %s `text` … -->", doc, i+1, l, runnableMarker, runnablePrefix)
			}
		}
		for _, b := range parseBlocks(string(data)) {
			if !b.runnable && b.reason == "" {
				t.Errorf("%s:%d: a shell block without %s or %s reason -->; mark it, or say why it cannot run here:\n%s",
					doc, b.line, runnableMarker, notRunnablePrefix, b.text)
			}
		}
	}
}
