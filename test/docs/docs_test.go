package docs

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
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

// docsAddr is the endpoint the documents write; each run replaces it with
// the address of the server it started.
const docsAddr = "127.0.0.1:9229"

// blockTimeout bounds one block: the slowest runnable block makes a handful
// of AWS CLI calls, each well under a few seconds.
const blockTimeout = 60 * time.Second

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
		for _, b := range parseBlocks(string(data)) {
			if !b.runnable && b.reason == "" {
				t.Errorf("%s:%d: a shell block without %s or %s reason -->; mark it, or say why it cannot run here:\n%s",
					doc, b.line, runnableMarker, notRunnablePrefix, b.text)
			}
		}
	}
}

// serveLine is a line that starts the local pool: the test runs it itself,
// in the background on a free port, and the block goes on once it is up.
var serveLine = regexp.MustCompile(`^(?:go run \./cmd/ferry|ferry) (serve\b[^&#]*?)\s*&?\s*(?:#.*)?$`)

// TestDocsRunAsWritten runs every runnable block of every document, in
// order, in one shell session per document: a fresh directory holding a
// copy of examples/, `ferry` on PATH, HOME empty and no AWS settings — what
// a newcomer's shell has — so a block that needs credentials or a region
// must set them itself. Variables a block exports carry over to the next
// block of the same document, as they would in the reader's shell.
// `go run ./cmd/ferry` is run as `ferry`; http://127.0.0.1:9229 and the
// <pool id> / <client id> placeholders become the started server's.
func TestDocsRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the docs against ferry serve: skipped with -short")
	}
	root := repoRoot()
	aws := "/usr/bin/aws"
	if _, err := os.Stat(aws); err != nil {
		aws = testenv.Tool(t, "aws")
	}
	for _, tool := range []string{"openssl", "curl"} { // the docs' signed-request examples
		testenv.Tool(t, tool)
	}
	bin := ferryBin
	path := filepath.Dir(bin) + ":" + filepath.Dir(aws) + ":/usr/bin:/bin:" + filepath.Join(runtime.GOROOT(), "bin")
	for _, doc := range documents(t, root) {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		var runnable []block
		for _, b := range parseBlocks(string(data)) {
			if b.runnable {
				runnable = append(runnable, b)
			}
		}
		if len(runnable) == 0 {
			continue
		}
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			s := newSession(t, root, path)
			for _, b := range runnable {
				s.run(t, doc, b)
			}
		})
	}
}

// session is one reader's shell working through one document.
type session struct {
	dir, state string
	env        []string
	addr       string // the running server's address, if any
	pool       string
	client     string
	stop       func()
	moved      map[string]string // a background server's documented address → its real one
}

func newSession(t *testing.T, root, path string) *session {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(root, "examples"))); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum"} { // examples/ is part of the module
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &session{
		dir:   dir,
		state: filepath.Join(t.TempDir(), "state.sh"),
		env:   append([]string{"PATH=" + path, "HOME=" + t.TempDir(), "LANG=C.UTF-8"}, goEnv...),
	}
	t.Cleanup(func() {
		if s.stop != nil {
			s.stop()
		}
	})
	return s
}

// run runs block b of doc: its lines up to a serve line, the server, then
// the rest.
func (s *session) run(t *testing.T, doc string, b block) {
	t.Helper()
	var chunk []string
	var out strings.Builder
	chunkLine := b.line + 1
	lines := strings.Split(strings.TrimSuffix(b.text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start, l := i, lines[i]
		for strings.HasSuffix(l, "\\") && i+1 < len(lines) {
			i++
			l += "\n" + lines[i]
		}
		if m := serveLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out.Write(s.shell(t, doc, chunkLine, chunk))
			s.serve(t, doc, b.line+1+start, m[1])
			chunk, chunkLine = nil, b.line+2+i
			continue
		}
		if m := backgroundLine.FindStringSubmatch(l); m != nil {
			out.Write(s.shell(t, doc, chunkLine, chunk))
			s.background(t, doc, b.line+1+start, m[1])
			chunk, chunkLine = nil, b.line+2+i
			continue
		}
		chunk = append(chunk, l)
	}
	out.Write(s.shell(t, doc, chunkLine, chunk))
	folded := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range b.prints {
		if !strings.Contains(folded, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("%s:%d: the block's output lacks %q, which the document promises:\n%s", doc, b.line, want, out.String())
		}
	}
}

// substitute turns the documents' endpoint and placeholders into the
// session's.
func (s *session) substitute(t *testing.T, doc string, line int, text string) string {
	t.Helper()
	if s.addr == "" {
		if strings.Contains(text, docsAddr) || strings.Contains(text, "<pool id>") || strings.Contains(text, "<client id>") {
			t.Fatalf("%s:%d: the block talks to the local pool, but no earlier block of the document starts `ferry serve`", doc, line)
		}
		return text
	}
	return strings.NewReplacer(docsAddr, s.addr, "<pool id>", s.pool, "<client id>", s.client).Replace(text)
}

// movedAddrs rewrites the addresses of the background servers started so far.
func (s *session) movedAddrs(text string) string {
	for from, to := range s.moved {
		text = strings.ReplaceAll(text, from, to)
	}
	return text
}

// shell runs lines in the session's shell, from its directory, with the
// variables earlier blocks exported.
func (s *session) shell(t *testing.T, doc string, line int, lines []string) []byte {
	t.Helper()
	body := strings.TrimSpace(strings.Join(lines, "\n"))
	if body == "" {
		return nil
	}
	body = strings.ReplaceAll(body, "go run ./cmd/ferry ", "ferry ")
	body = s.movedAddrs(s.substitute(t, doc, line, body))
	script := "set -e\n" +
		"if [ -f " + shQuote(s.state) + " ]; then . " + shQuote(s.state) + "; fi\n" +
		"cd " + shQuote(s.dir) + "\n" +
		body + "\n" +
		"export -p > " + shQuote(s.state) + "\n"
	ctx, cancel := context.WithTimeout(t.Context(), blockTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s:%d: the block does not run as written: %v\n--- block (as run)\n%s\n--- output\n%s", doc, line, err, body, out)
	}
	t.Logf("%s:%d:\n%s", doc, line, out)
	return out
}

// serve starts `ferry <args>` on a free port in the session's directory
// and waits until it answers; its banner gives the pool and client ids.
func (s *session) serve(t *testing.T, doc string, line int, args string) {
	t.Helper()
	if s.stop != nil {
		s.stop()
		s.stop, s.addr = nil, ""
	}
	s.addr = freeAddr(t)
	script := "if [ -f " + shQuote(s.state) + " ]; then . " + shQuote(s.state) + "; fi\n" +
		"exec ferry " + args + " --addr " + s.addr + "\n"
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = s.env
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s:%d: start ferry %s: %v", doc, line, args, err)
	}
	done := make(chan struct{})
	banner := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "client:") {
				break
			}
		}
		banner <- all.String() // buffered: never blocks
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { _ = cmd.Wait(); close(done) }()
	s.stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	var text string
	select {
	case text = <-banner:
	case <-time.After(blockTimeout):
		t.Fatalf("%s:%d: ferry %s printed no banner in %v; stderr:\n%s", doc, line, args, blockTimeout, stderr.String())
	}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 2 && f[0] == "pool:":
			s.pool = f[1]
		case len(f) >= 2 && f[0] == "client:":
			s.client = f[1]
		}
	}
	if s.pool == "" || s.client == "" {
		t.Fatalf("%s:%d: ferry %s: no pool or client id in its banner:\n%s\nstderr:\n%s", doc, line, args, text, stderr.String())
	}
	waitHealthy(t, "http://"+s.addr+"/health", done)
}

// backgroundLine is a command the document leaves running with `&` (other
// than ferry serve): a server that later lines talk to.
var backgroundLine = regexp.MustCompile(`(?s)^\s*(.*?\S)\s+&\s*(?:#[^\n]*)?$`)

// hostPort is a loopback address a background command listens on.
var hostPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// background starts command, which listens on the loopback address it
// names, on a free port instead — later blocks are rewritten to match —
// and waits until the port accepts connections.
func (s *session) background(t *testing.T, doc string, line int, command string) {
	t.Helper()
	documented := hostPort.FindString(command)
	if documented == "" {
		t.Fatalf("%s:%d: `%s` runs in the background without a 127.0.0.1:port to wait for", doc, line, command)
	}
	addr := freeAddr(t)
	if s.moved == nil {
		s.moved = map[string]string{}
	}
	s.moved[documented] = addr
	command = s.movedAddrs(s.substitute(t, doc, line, command))
	script := "if [ -f " + shQuote(s.state) + " ]; then . " + shQuote(s.state) + "; fi\n" + command + "\n"
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s:%d: start %s: %v", doc, line, command, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	deadline := time.Now().Add(blockTimeout)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("%s:%d: `%s` exited before it listened on %s:\n%s", doc, line, command, addr, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:%d: `%s` did not listen on %s within %v:\n%s", doc, line, command, addr, blockTimeout, out.String())
		}
	}
}

// lockedBuffer is an output buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ferryBin is cmd/ferry, built once by TestMain (empty with -short).
var ferryBin string

// goEnv is the Go toolchain's settings as this test has them, so a block's
// `go run` finds the module cache although HOME is empty.
var goEnv []string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ferry-docs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ferryBin = filepath.Join(dir, "ferry")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", ferryBin, "./cmd/ferry")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/ferry: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	vars := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GONOSUMDB", "GOSUMDB"}
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), append([]string{"env"}, vars...)...).Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go env: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	for i, v := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if i < len(vars) {
			goEnv = append(goEnv, vars[i]+"="+v)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits for the server's health endpoint, or its exit.
func waitHealthy(t *testing.T, url string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(blockTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("the server exited before answering %s", url)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not answer within %v", url, blockTimeout)
}

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
