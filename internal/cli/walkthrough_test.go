package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestOperationsWalkthrough runs the newcomer walkthrough of
// docs/operations.md against the local pool: ferry serve with a legacy
// WordPress database, ferry preflight, ferry attach, sign-ins with the AWS
// CLI, and the EMF metric lines in the server's log stream.
func TestOperationsWalkthrough(t *testing.T) {
	t.Parallel()
	awsCLI := testenv.Tool(t, "aws")
	dir := t.TempDir()
	dbPath := wordpressLegacyDB(t, dir)
	confPath := filepath.Join(dir, "ferry.yaml")
	conf := fmt.Sprintf(`sources:
  - name: blog
    type: sql
    config:
      preset: wordpress
      driver: sqlite
      dsn: %q
migration:
  pool_case_sensitive: false
  lookup: username
metrics:
  namespace: Ferry/local
`, "file:"+dbPath)
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	// 1. ferry serve --config ferry.yaml
	endpoint, stdout, stderr := startServe(t, serveOptions{ephemeral: true, configPath: confPath, issuer: "aws", logLevel: "info"})
	banner := stdout.String()
	pool := regexp.MustCompile(`pool:\s+(\S+)`).FindStringSubmatch(banner)
	client := regexp.MustCompile(`client:\s+(\S+)`).FindStringSubmatch(banner)
	if pool == nil || client == nil {
		t.Fatalf("banner:\n%s", banner)
	}
	region := "eu-west-1"

	// 2. ferry preflight: the pool as ferry serve made it is ready.
	out, _, err := ferryRun(t, "", "preflight", "--user-pool-id", pool[1], "--endpoint-url", endpoint, "--region", region, "--config", confPath)
	if err != nil {
		t.Fatalf("ferry preflight: %v\n%s", err, out)
	}
	// 3. ferry attach: pointing the trigger at the function it already
	// names changes nothing.
	out, _, err = ferryRun(t, "", "attach", "--user-pool-id", pool[1], "--endpoint-url", endpoint, "--region", region,
		"--function-arn", inProcessTriggerARN(region))
	if err != nil {
		t.Fatalf("ferry attach: %v\n%s", err, out)
	}

	// 4. Sign-ins with the AWS CLI: the first migrates ann, a wrong
	// password is refused.
	aws := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), awsCLI, append([]string{"cognito-idp", "--endpoint-url", endpoint, "--region", region, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local", "AWS_CONFIG_FILE=/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	signIn := func(password string) (string, error) {
		return aws("initiate-auth", "--auth-flow", "USER_PASSWORD_AUTH", "--client-id", client[1],
			"--auth-parameters", "USERNAME=ann,PASSWORD="+password)
	}
	if out, err := signIn("Legacy-pass1"); err != nil || !strings.Contains(out, "IdToken") {
		t.Fatalf("aws cognito-idp initiate-auth: %v\n%s\n%s", err, out, stderr.String())
	}
	if out, err := signIn("Legacy-pass1"); err != nil || !strings.Contains(out, "IdToken") {
		t.Fatalf("second sign-in (no trigger): %v\n%s", err, out)
	}
	if out, err := aws("initiate-auth", "--auth-flow", "USER_PASSWORD_AUTH", "--client-id", client[1],
		"--auth-parameters", "USERNAME=nobody,PASSWORD=Legacy-pass1"); err == nil {
		t.Fatalf("unknown user signed in:\n%s", out)
	}

	// 5. The metric lines: one per trigger invocation (the second sign-in
	// of a migrated user does not reach the trigger), in the configured
	// namespace, valid EMF, with no username or password.
	lines, err := emftest.Lines([]byte(stderr.String()))
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, l := range lines {
		outcomes = append(outcomes, l.Dim("Outcome")+"/"+l.Dim("TriggerSource"))
		if d, _, _ := l.Metric("Migrations"); d.Namespace != "Ferry/local" {
			t.Errorf("namespace %q", d.Namespace)
		}
	}
	if len(lines) > 0 && lines[0].Dim("HashFamily") != "phpass" {
		t.Errorf("HashFamily = %q, want phpass", lines[0].Dim("HashFamily"))
	}
	want := "migrated/UserMigration_Authentication unknown/UserMigration_Authentication"
	if got := strings.Join(outcomes, " "); got != want {
		t.Errorf("EMF outcomes = %s, want %s\n%s", got, want, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, `"_aws"`) && (strings.Contains(line, "ann") || strings.Contains(line, "nobody") || strings.Contains(line, "Legacy-pass1")) {
			t.Errorf("EMF line with personal data: %s", line)
		}
	}
}
