package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ferrySpan is a command written in prose: `ferry status --config …`.
var ferrySpan = regexp.MustCompile("`((?:go run \\./cmd/)?ferry [^`]+)`")

// ferryCommands returns every `ferry …` command of a document — the lines
// of all its shell blocks, runnable or not (continuation lines joined), and
// the commands in its prose — with the line each starts on.
func ferryCommands(doc string) map[string]int {
	cmds := map[string]int{}
	for _, b := range parseBlocks(doc) {
		lines := strings.Split(strings.ReplaceAll(b.text, "\\\n", " "), "\n")
		for i, l := range lines {
			for _, part := range regexp.MustCompile(`\|\||&&|\||;|\$\(`).Split(l, -1) {
				if j := strings.Index(part, "ferry "); j >= 0 {
					if _, ok := cmds[part[j:]]; !ok {
						cmds[part[j:]] = b.line + 1 + i
					}
				}
			}
		}
	}
	for i, l := range strings.Split(doc, "\n") {
		for _, m := range ferrySpan.FindAllStringSubmatch(l, -1) {
			c := m[1][strings.Index(m[1], "ferry "):]
			if _, ok := cmds[c]; !ok {
				cmds[c] = i + 1
			}
		}
	}
	return cmds
}

// TestDocsCommandsUseRealFlags checks every ferry command the documents
// write, including those that cannot run here: its subcommand exists and
// every --flag it passes is one that subcommand takes.
func TestDocsCommandsUseRealFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ferry: skipped with -short")
	}
	root := repoRoot()
	bin := ferryBin
	helps := map[string]string{}
	help := func(path []string) (string, error) {
		key := strings.Join(path, " ")
		if h, ok := helps[key]; ok {
			return h, nil
		}
		out, err := exec.Command(bin, append(path, "--help")...).CombinedOutput()
		if err != nil {
			return string(out), err
		}
		helps[key] = string(out)
		return string(out), nil
	}
	flagName := regexp.MustCompile(`^--([a-z0-9][a-z0-9-]*)`)
	checked, flags := 0, 0
	defer func() { t.Logf("%d ferry commands with %d flags checked", checked, flags) }()
	for _, doc := range documents(t, root) {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for cmd, line := range ferryCommands(string(data)) {
			words := strings.Fields(cmd)
			if i := slices.Index(words, "#"); i >= 0 {
				words = words[:i]
			}
			if len(words) < 2 || !regexp.MustCompile(`^[a-z]+$`).MatchString(words[1]) {
				continue // `ferry …`, `ferry <command>`: no command named
			}
			path := []string{words[1]}
			if len(words) > 2 && regexp.MustCompile(`^[a-z]+$`).MatchString(words[2]) {
				if h, err := help([]string{words[1], words[2]}); err == nil && strings.Contains(h, "ferry "+words[1]+" "+words[2]) {
					path = append(path, words[2])
				}
			}
			h, err := help(path)
			if err != nil || !strings.Contains(h, "ferry "+strings.Join(path, " ")) {
				t.Errorf("%s:%d: `%s`: ferry has no command %q: %s", doc, line, cmd, strings.Join(path, " "), h)
				continue
			}
			checked++
			for _, w := range words[1:] {
				if m := flagName.FindStringSubmatch(w); m != nil {
					flags++
				}
				if m := flagName.FindStringSubmatch(w); m != nil && !strings.Contains(h, "--"+m[1]+" ") && !strings.Contains(h, "--"+m[1]+"\n") {
					t.Errorf("%s:%d: `%s`: ferry %s has no flag --%s", doc, line, cmd, strings.Join(path, " "), m[1])
				}
			}
		}
	}
}
