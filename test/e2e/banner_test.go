package e2e

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestServeBannerWorksAsPrinted runs the README's `ferry serve` line and
// pastes what its banner prints — the environment, then the sign-in and
// list-users commands — into a shell that has nothing else set, with every
// AWS CLI on PATH: what a newcomer does in their first minutes.
func TestServeBannerWorksAsPrinted(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	clis := awsCLIs()
	if len(clis) == 0 {
		t.Skip("no aws on PATH") // reported by TestScenarios' aws-cli subtest
	}
	bin := buildFerry(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	addr := testenv.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--ephemeral", "--addr", addr, "--config", "examples/file/ferry.yaml")
	cmd.Dir = root
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ferry serve: %v", err)
	}
	stopOnCleanup(t, cmd)
	var exports, signIn, listUsers []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && listUsers == nil {
		l := strings.TrimSpace(lines.Text())
		switch {
		case strings.HasPrefix(l, "export "):
			exports = append(exports, l)
		case strings.HasPrefix(l, "aws cognito-idp initiate-auth"):
			signIn = []string{l}
			for strings.HasSuffix(signIn[len(signIn)-1], `\`) && lines.Scan() {
				signIn = append(signIn, strings.TrimSpace(lines.Text()))
			}
		case strings.HasPrefix(l, "aws cognito-idp list-users"):
			listUsers = []string{l}
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if len(exports) == 0 || signIn == nil || listUsers == nil {
		t.Fatalf("the banner lacks the environment or the commands: exports %q, sign-in %q, list-users %q", exports, signIn, listUsers)
	}
	testenv.WaitHealthy(t, "http://"+addr+"/health", 60*time.Second)

	script := strings.Join(exports, "\n") + "\n" +
		strings.NewReplacer("<legacy user>", "alice", "<their password>", "Alice-demo-1").Replace(strings.Join(signIn, "\n")) +
		" --query AuthenticationResult.TokenType --output text\n" +
		listUsers[0] + " --query 'length(Users)' --output text\n"
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			sh := exec.CommandContext(ctx, "/bin/sh", "-e")
			sh.Stdin = strings.NewReader(script)
			// Only what a fresh shell has: no AWS settings, no config files.
			sh.Env = []string{"PATH=" + filepath.Dir(cli) + ":/usr/bin:/bin", "HOME=" + t.TempDir()}
			out, err := sh.CombinedOutput()
			if err != nil {
				t.Fatalf("the banner's commands failed: %v\n%s\nscript:\n%s", err, out, script)
			}
			if got := strings.Fields(string(out)); len(got) != 2 || got[0] != "Bearer" || got[1] == "0" {
				t.Errorf("sign-in then list-users printed %q, want Bearer and at least one user", out)
			}
		})
	}
}
