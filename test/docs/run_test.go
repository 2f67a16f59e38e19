package docs

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// docsAddr is the endpoint the documents write; each run replaces it with
// the address of the server it started.
const docsAddr = "127.0.0.1:9229"

// blockTimeout bounds one block: the slowest runnable block makes a handful
// of AWS CLI calls, each well under a few seconds.
const blockTimeout = 60 * time.Second

// serveLine is a line that starts the local pool: the test runs it itself,
// in the background on a free port, and the block goes on once it is up.
var serveLine = regexp.MustCompile(`^(?:go run \./cmd/ferry|ferry) (serve\b[^&#]*?)\s*&?\s*(?:#.*)?$`)

// TestDocsRunAsWritten runs every runnable block of every document, in
// order, in one shell per document: a fresh directory holding a
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
			s := newReader(t, root, path)
			for _, b := range runnable {
				s.run(t, doc, b)
			}
		})
	}
}

// reader is one reader's shell working through one document.
type reader struct {
	dir, state string
	env        []string
	addr       string // the running server's address, if any
	pool       string
	client     string
	stop       func()
	moved      map[string]string // a background server's documented address → its real one
}

func newReader(t *testing.T, root, path string) *reader {
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
	s := &reader{
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
func (s *reader) run(t *testing.T, doc string, b block) {
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
// reader's.
func (s *reader) substitute(t *testing.T, doc string, line int, text string) string {
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
func (s *reader) movedAddrs(text string) string {
	for from, to := range s.moved {
		text = strings.ReplaceAll(text, from, to)
	}
	return text
}

// shell runs lines in the reader's shell, from its directory, with the
// variables earlier blocks exported.
func (s *reader) shell(t *testing.T, doc string, line int, lines []string) []byte {
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

// serve starts `ferry <args>` on a free port in the reader's directory
// and waits until it answers; its banner gives the pool and client ids.
func (s *reader) serve(t *testing.T, doc string, line int, args string) {
	t.Helper()
	if s.stop != nil {
		s.stop()
		s.stop, s.addr = nil, ""
	}
	s.addr = testenv.FreeAddr(t)
	script := "if [ -f " + shQuote(s.state) + " ]; then . " + shQuote(s.state) + "; fi\n" +
		"exec ferry " + args + " --addr " + s.addr + "\n"
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := logFile(t)
	cmd.Stderr = stderr
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
	s.stop = stopGroup(cmd, done)
	var text string
	select {
	case text = <-banner:
	case <-time.After(blockTimeout):
		t.Fatalf("%s:%d: ferry %s printed no banner in %v; stderr:\n%s", doc, line, args, blockTimeout, readLog(stderr))
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
		t.Fatalf("%s:%d: ferry %s: no pool or client id in its banner:\n%s\nstderr:\n%s", doc, line, args, text, readLog(stderr))
	}
	waitListening(t, fmt.Sprintf("%s:%d: ferry %s", doc, line, args), s.addr, done, stderr)
}

// backgroundLine is a command the document leaves running with `&` (other
// than ferry serve): a server that later lines talk to.
var backgroundLine = regexp.MustCompile(`(?s)^\s*(.*?\S)\s+&\s*(?:#[^\n]*)?$`)

// hostPort is a loopback address a background command listens on.
var hostPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// background starts command, which listens on the loopback address it
// names, on a free port instead — later blocks are rewritten to match —
// and waits until the port accepts connections.
func (s *reader) background(t *testing.T, doc string, line int, command string) {
	t.Helper()
	documented := hostPort.FindString(command)
	if documented == "" {
		t.Fatalf("%s:%d: `%s` runs in the background without a 127.0.0.1:port to wait for", doc, line, command)
	}
	addr := testenv.FreeAddr(t)
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
	out := logFile(t)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s:%d: start %s: %v", doc, line, command, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(stopGroup(cmd, done))
	waitListening(t, fmt.Sprintf("%s:%d: `%s`", doc, line, command), addr, done, out)
}

// stopGroup returns a function that stops cmd, started in a process group
// of its own, and all it started (go run's program): SIGTERM, then SIGKILL
// after 10 s. done is closed when cmd has exited.
func stopGroup(cmd *exec.Cmd, done <-chan struct{}) func() {
	return func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
}

// logFile is a file for a background process's output: the process
// writes it, the test reads it only to report a failure.
func logFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "output-*.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readLog(f *os.File) string {
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return err.Error()
	}
	return string(data)
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

// waitListening waits until addr accepts connections; what names the
// process, whose output is in log, for a failure.
func waitListening(t *testing.T, what, addr string, exited <-chan struct{}, log *os.File) {
	t.Helper()
	deadline := time.Now().Add(blockTimeout)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before it listened on %s:\n%s", what, addr, readLog(log))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within %v:\n%s", what, addr, blockTimeout, readLog(log))
		}
	}
}
