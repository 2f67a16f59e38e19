package docs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// awsOnly matches a block made only of AWS CLI commands (continuation
// lines and quoted arguments aside): the blocks that need a real account.
var awsOnly = regexp.MustCompile(`^aws [a-z0-9-]+ [a-z0-9-]+`)

// TestAWSCommandsParse gives every block that cannot run here because it
// needs a real AWS account, and holds only AWS CLI commands, to the AWS CLI
// with an endpoint nothing listens on: the CLI parses and validates every
// option and parameter before it connects, so a wrong flag or a malformed
// JSON argument fails here, and a correct command ends at "Could not
// connect".
func TestAWSCommandsParse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI: skipped with -short")
	}
	aws := "/usr/bin/aws"
	if _, err := os.Stat(aws); err != nil {
		aws = testenv.Tool(t, "aws")
	}
	root := repoRoot()
	// aws runs the real CLI against a closed port and stops the block at
	// the first command the CLI refuses before connecting.
	wrapper := `aws() {
  out=$(command aws "$@" --endpoint-url http://127.0.0.1:1 2>&1) && rc=0 || rc=$?
  case "$rc:$out" in
    255:*"Could not connect to the endpoint URL"*) ;;
    *) printf 'the AWS CLI refused: aws %s\n%s\n' "$*" "$out"; exit 1 ;;
  esac
}
`
	for _, doc := range documents(t, root) {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range parseBlocks(string(data)) {
			if b.runnable || !onlyAWS(b.text) {
				continue
			}
			t.Run(strings.ReplaceAll(doc, "/", "_")+":"+strconv.Itoa(b.line), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(t.Context(), blockTimeout)
				defer cancel()
				cmd := exec.CommandContext(ctx, "/bin/sh", "-c", wrapper+b.text)
				cmd.Dir = t.TempDir()
				cmd.Env = []string{
					"PATH=" + filepath.Dir(aws) + ":/usr/bin:/bin", "HOME=" + t.TempDir(),
					"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=eu-west-1",
					"AWS_MAX_ATTEMPTS=1", // a closed port: no retries
				}
				cmd.WaitDelay = 5 * time.Second
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s:%d: %v\n%s", doc, b.line, err, out)
				}
			})
		}
	}
}

// onlyAWS reports whether every command of a block is an AWS CLI call.
func onlyAWS(text string) bool {
	cmds := 0
	inQuote := false
	for _, l := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
		if !inQuote && strings.TrimSpace(l) != "" {
			if !awsOnly.MatchString(strings.TrimSpace(l)) {
				return false
			}
			cmds++
		}
		if strings.Count(l, "'")%2 == 1 {
			inQuote = !inQuote
		}
	}
	return cmds > 0
}
