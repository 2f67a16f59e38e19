package httpsource_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source/httpsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestExampleProgram builds examples/http-source, runs it on 127.0.0.1 with
// a users file and an HMAC key file as a legacy team would, and signs a user
// in through it.
func TestExampleProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	t.Parallel()
	goTool := testenv.Tool(t, "go")
	dir := t.TempDir()
	bin := filepath.Join(dir, "http-source")
	build := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, "../../../examples/http-source")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	usersJSON, err := json.Marshal(users(t))
	if err != nil {
		t.Fatal(err)
	}
	usersFile := filepath.Join(dir, "users.json")
	keyFile := filepath.Join(dir, "hmac.key")
	if err := os.WriteFile(usersFile, usersJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte("example-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-users", usersFile, "-hmac-key-file", keyFile)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("first line %q (%v); stderr: %s", line, err, stderr.String())
	}
	s := open(t, httpsource.Config{URL: url, Auth: httpsource.Auth{Type: httpsource.AuthHMAC, HMACKeyFile: keyFile}}, nil)
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	u, err := s.Authenticate(t.Context(), "alice", alicePassword)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if d := diff(wantAlice, u); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// SIGTERM stops it cleanly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
		}
		exited <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Error("still running 10 s after SIGTERM")
	}
	if strings.Contains(stderr.String(), alicePassword) {
		t.Errorf("the example logged a password: %s", stderr.String())
	}
}
