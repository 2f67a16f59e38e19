package realapps

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// commandTimeout bounds every child command the suite runs.
const commandTimeout = 2 * time.Minute

// runCmd runs name with args and stdin, returning stdout, stderr and the
// error (an *exec.ExitError for a non-zero exit).
func runCmd(t *testing.T, env []string, stdin string, name string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), ctx.Err())
	}
	return out.String(), errOut.String(), err
}

// mustRun is runCmd for commands that must succeed.
func mustRun(t *testing.T, env []string, stdin string, name string, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, env, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, errOut, out)
	}
	return out
}

// outcomeRE finds the outcome of Ferry's per-invocation log line (text format).
var outcomeRE = regexp.MustCompile(`msg="(?:user migrated|user not migrated|user cannot migrate|no verified channel for the reset code|migration fault)".*? outcome=(\S+)`)

// outcomes returns the outcomes logged in text, in order.
func outcomes(text string) []string {
	var out []string
	for _, m := range outcomeRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// invokeRunner reaches Ferry through `ferry invoke`, as the Lambda function
// would run on the event Cognito sends.
type invokeRunner struct{ config string }

func (invokeRunner) name() string   { return "ferry invoke" }
func (invokeRunner) prefix() string { return "inv_" }

// answer is the part of Cognito's migration response the suite reads.
type answer struct {
	Response struct {
		UserAttributes  map[string]string `json:"userAttributes"`
		FinalUserStatus string            `json:"finalUserStatus"`
	} `json:"response"`
}

// invoke runs `ferry invoke` on one event. A sign-in that migrates nobody
// fails (failure_style error); a forgot-password that migrates nobody is
// answered with an empty response, so that Cognito's answer does not tell
// an unknown name from a legacy user. An invocation that ran out of its
// deadline is tried again, as Cognito tries a trigger that timed out (3
// attempts in all, like the pool's).
func (r invokeRunner) invoke(t *testing.T, forgot bool, stdin string, args ...string) result {
	t.Helper()
	var out, errOut string
	var err error
	var res result
	for attempt := 1; ; attempt++ {
		out, errOut, err = runCmd(t, os.Environ(), stdin, ferryBin, append([]string{"invoke", "--config", r.config}, args...)...)
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("ferry invoke: %v", err)
		}
		logged := outcomes(errOut)
		if len(logged) != 1 {
			t.Fatalf("ferry invoke %v: %d outcome lines, want 1:\n%s", args, len(logged), errOut)
		}
		res = result{outcome: logged[0]}
		if res.outcome == "fault" || strings.Contains(errOut, `msg="migration write-back"`) {
			// A scenario or the counts that follow may fail; this says why
			// (on a loaded machine, most often the deadline).
			t.Logf("ferry invoke %v, attempt %d:\n%s", args, attempt, errOut)
		}
		if res.outcome != "fault" || !strings.Contains(errOut, context.DeadlineExceeded.Error()) || attempt == triggerAttempts {
			break
		}
	}
	if (err == nil) != (res.outcome == "migrated" || forgot) {
		t.Fatalf("ferry invoke %v: exit %v with outcome %s:\n%s", args, err, res.outcome, errOut)
	}
	if err == nil {
		var a answer
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("ferry invoke: answer is not JSON: %v\n%s", err, out)
		}
		res.status, res.attrs = a.Response.FinalUserStatus, a.Response.UserAttributes
		if res.outcome != "migrated" && (len(res.attrs) != 0 || res.status != "") {
			t.Errorf("ferry invoke %v: outcome %s answered with a user:\n%s", args, res.outcome, out)
		}
	}
	return res
}

func (r invokeRunner) signIn(t *testing.T, typed, password string) result {
	return r.invoke(t, false, password+"\n", "--user", typed, "--password-stdin")
}

func (r invokeRunner) forgot(t *testing.T, typed string) result {
	return r.invoke(t, true, "", "--user", typed, "--forgot")
}

func (invokeRunner) attributes(_ *testing.T, _ string, got result) map[string]string {
	return got.attrs
}

func (invokeRunner) readsPool() bool { return false }

func (r invokeRunner) status(t *testing.T) statusReport {
	return ferryStatus(t, r.config)
}

func (r invokeRunner) export(t *testing.T) []string {
	return ferryExport(t, r.config)
}

func ferryStatus(t *testing.T, config string, extra ...string) statusReport {
	t.Helper()
	out := mustRun(t, os.Environ(), "", ferryBin, append([]string{"status", "--config", config, "--json"}, extra...)...)
	var rep statusReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("ferry status --json: %v\n%s", err, out)
	}
	return rep
}

// ferryExport runs `ferry export` and returns the sorted cognito:username
// column of the file it wrote.
func ferryExport(t *testing.T, config string, extra ...string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.csv")
	mustRun(t, os.Environ(), "", ferryBin, append([]string{"export", "--config", config, "--out", path, "--json"}, extra...)...)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // nobody to export: no file
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no header", path)
	}
	col := slices.Index(rows[0], "cognito:username")
	if col < 0 {
		t.Fatalf("%s: no cognito:username column in %q", path, rows[0])
	}
	var names []string
	for _, row := range rows[1:] {
		names = append(names, row[col])
	}
	slices.Sort(names)
	return names
}

// ferryAudit runs `ferry audit --json`. It exits non-zero when it finds a
// blocker, with the report on stdout all the same.
func ferryAudit(t *testing.T, config string) auditReport {
	t.Helper()
	out, errOut, err := runCmd(t, os.Environ(), "", ferryBin, "audit", "--config", config, "--json")
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("ferry audit: %v\n%s", err, errOut)
	}
	var rep auditReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("ferry audit --json: %v\n%s%s", err, out, errOut)
	}
	if (err != nil) != (rep.Blockers > 0) {
		t.Errorf("ferry audit: exit %v with %d blockers:\n%s", err, rep.Blockers, errOut)
	}
	return rep
}

// poolRunner reaches Ferry as Cognito does: a `ferry serve` pool whose
// UserMigration trigger is Ferry's own (--config), driven by the AWS CLI.
type poolRunner struct {
	config           string
	aws              string
	endpoint         string
	poolID, clientID string
	log              *testenv.Buffer
	awsCLI           *awsCLI
}

func (*poolRunner) name() string   { return "ferry serve + AWS CLI" }
func (*poolRunner) prefix() string { return "cli_" }

var (
	poolLineRE   = regexp.MustCompile(`(?m)^pool:\s+(\S+)`)
	clientLineRE = regexp.MustCompile(`(?m)^client:\s+(\S+)`)
)

// startPool starts `ferry serve --ephemeral --config config` on a free
// loopback port and stops it when t ends.
func startPool(t *testing.T, config string) *poolRunner {
	t.Helper()
	r := &poolRunner{config: config, aws: testenv.Tool(t, "aws"), log: &testenv.Buffer{}}
	addr := testenv.FreeAddr(t)
	r.endpoint = "http://" + addr
	stdout := &testenv.Buffer{}
	cmd := exec.Command(ferryBin, "serve", "--ephemeral", "--addr", addr, "--config", config, "--log-level", "info")
	cmd.Stdout, cmd.Stderr = stdout, r.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("ferry serve: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		waitOrKill(cmd)
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(r.endpoint + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ferry serve did not answer within 60 s:\n%s%s", stdout, r.log)
		}
		select {
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	for r.poolID == "" || r.clientID == "" {
		banner := stdout.String()
		if m := poolLineRE.FindStringSubmatch(banner); m != nil {
			r.poolID = m[1]
		}
		if m := clientLineRE.FindStringSubmatch(banner); m != nil {
			r.clientID = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("ferry serve printed no pool and client:\n%s", banner)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.awsCLI = startCLI(t)
	r.checkBinary(t)
	return r
}

// waitOrKill waits for a child asked to stop, and kills it after 10 s.
func waitOrKill(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// cliEnv is the AWS CLI's environment: fake credentials and a region, no
// configuration files of the machine's.
func cliEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_ACCESS_KEY_ID=AKIDREALAPPS", "AWS_SECRET_ACCESS_KEY=realapps-secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

// cognitoErrRE is the error code the AWS CLI prints for a refused call.
var cognitoErrRE = regexp.MustCompile(`An error occurred \((\w+)\)`)

// awsCLI runs AWS CLI commands in one long-lived Python process through the
// CLI's own entry point (testdata/awscli/run.py), one command at a time:
// the CLI spends about a second starting up, which a table of a few dozen
// commands per pool would otherwise pay each time.
type awsCLI struct {
	mu    sync.Mutex
	in    io.WriteCloser
	lines chan string
}

// startCLI starts the CLI process, stopped when t ends.
func startCLI(t *testing.T) *awsCLI {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "awscli", "run.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script)
	cmd.Env = cliEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut := &testenv.Buffer{}
	cmd.Stderr = errOut
	if err := cmd.Start(); err != nil {
		t.Fatalf("the AWS CLI (%s %s): %v", python, script, err)
	}
	c := &awsCLI{in: in, lines: make(chan string)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		in.Close() // run.py ends at the end of its input
		waitOrKill(cmd)
		if s := errOut.String(); s != "" && t.Failed() {
			t.Logf("AWS CLI process stderr:\n%s", s)
		}
	})
	return c
}

// run runs `aws args…` and returns its exit code, stdout and stderr.
func (c *awsCLI) run(t *testing.T, args ...string) (rc int, stdout, stderr string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, _ := json.Marshal(args)
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		t.Fatalf("aws %s: the CLI process is gone: %v", strings.Join(args, " "), err)
	}
	select {
	case line, ok := <-c.lines:
		if !ok {
			t.Fatalf("aws %s: the CLI process ended without an answer", strings.Join(args, " "))
		}
		var a struct {
			RC             int
			Stdout, Stderr string
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, line)
		}
		return a.RC, a.Stdout, a.Stderr
	case <-time.After(commandTimeout):
		t.Fatalf("aws %s: no answer within %v", strings.Join(args, " "), commandTimeout)
	}
	return 0, "", ""
}

// cli runs `aws cognito-idp args…` against the pool; code is the Cognito
// error code when the call failed.
func (r *poolRunner) cli(t *testing.T, args ...string) (out, code string) {
	t.Helper()
	args = append([]string{"cognito-idp", "--endpoint-url", r.endpoint, "--output", "json"}, args...)
	rc, out, errOut := r.awsCLI.run(t, args...)
	if rc == 0 {
		return out, ""
	}
	m := cognitoErrRE.FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), rc, errOut)
	}
	return out, m[1]
}

// checkBinary runs one command through the `aws` program itself, so the
// suite also proves the CLI as users start it.
func (r *poolRunner) checkBinary(t *testing.T) {
	t.Helper()
	out := mustRun(t, cliEnv(), "", r.aws, "cognito-idp", "--endpoint-url", r.endpoint, "--output", "json",
		"describe-user-pool-client", "--user-pool-id", r.poolID, "--client-id", r.clientID)
	if !strings.Contains(out, r.clientID) {
		t.Fatalf("aws describe-user-pool-client: the client is not in the answer:\n%s", out)
	}
}

// attemptFailedRE is the pool's line for a trigger attempt that timed out
// or failed; like Cognito, the pool then tries again (3 attempts in all).
var attemptFailedRE = regexp.MustCompile(`msg="trigger attempt failed"`)

// triggerAttempts is how many times Cognito invokes a trigger at most.
const triggerAttempts = 3

// step runs fn and returns the outcome the trigger logged meanwhile: one
// per attempt, the last one counting. The trigger may log its line just
// after the pool has answered (a migration's mark and log follow the
// pool's commit), so the log is watched for a while.
func (r *poolRunner) step(t *testing.T, what string, fn func()) string {
	t.Helper()
	before := len(r.log.String())
	fn()
	deadline := time.Now().Add(10 * time.Second)
	for {
		segment := r.log.String()[before:]
		logged := outcomes(segment)
		want := min(len(attemptFailedRE.FindAllString(segment, -1))+1, triggerAttempts)
		switch {
		case len(logged) == want:
			if want > 1 {
				t.Logf("%s: the pool tried the trigger %d times (a slow machine?); outcomes %v", what, want, logged)
			}
			return logged[len(logged)-1]
		case len(logged) > want || time.Now().After(deadline):
			t.Fatalf("%s: the pool's trigger logged %d outcomes, want %d:\n%s", what, len(logged), want, segment)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *poolRunner) signIn(t *testing.T, typed, password string) result {
	t.Helper()
	params, _ := json.Marshal(map[string]string{"USERNAME": typed, "PASSWORD": password})
	var code string
	res := result{}
	res.outcome = r.step(t, "initiate-auth "+typed, func() {
		_, code = r.cli(t, "initiate-auth", "--auth-flow", "USER_PASSWORD_AUTH", "--client-id", r.clientID,
			"--auth-parameters", string(params))
	})
	if res.outcome != "migrated" {
		if code != "UserLambdaValidationException" {
			t.Errorf("initiate-auth %s: Cognito error %q after outcome %s, want UserLambdaValidationException", typed, code, res.outcome)
		}
		return res
	}
	// The pool says the status. Cognito's answer must agree: tokens for
	// CONFIRMED; for RESET_REQUIRED PasswordResetRequiredException, which a
	// client that prevents user-existence errors (ferry serve's) masks as
	// NotAuthorizedException.
	res.status, res.attrs = r.pooled(t, typed)
	switch {
	case res.status == "CONFIRMED" && code == "":
	case res.status == "RESET_REQUIRED" && (code == "PasswordResetRequiredException" || code == "NotAuthorizedException"):
	default:
		t.Errorf("initiate-auth %s: Cognito error %q for a migrated user in status %s", typed, code, res.status)
	}
	return res
}

func (r *poolRunner) forgot(t *testing.T, typed string) result {
	t.Helper()
	var out, code string
	res := result{}
	res.outcome = r.step(t, "forgot-password "+typed, func() {
		out, code = r.cli(t, "forgot-password", "--client-id", r.clientID, "--username", typed)
	})
	switch {
	case res.outcome == "migrated" && (code != "" || !strings.Contains(out, "CodeDeliveryDetails")):
		t.Errorf("forgot-password %s: Cognito error %q, output %q after a migration", typed, code, out)
	case res.outcome == "migrated":
		res.status = "RESET_REQUIRED" // every forgot-password migration
	}
	return res
}

// attributes are the migrated user's, read back from the pool.
func (r *poolRunner) attributes(t *testing.T, typed string, got result) map[string]string {
	t.Helper()
	if got.attrs == nil {
		_, got.attrs = r.pooled(t, typed)
	}
	return got.attrs
}

// pooled reads the migrated user back from the pool.
func (r *poolRunner) pooled(t *testing.T, typed string) (string, map[string]string) {
	t.Helper()
	out, code := r.cli(t, "admin-get-user", "--user-pool-id", r.poolID, "--username", typed)
	if code != "" {
		t.Fatalf("admin-get-user %s: %s", typed, code)
	}
	var u struct {
		UserStatus     string
		UserAttributes []struct{ Name, Value string }
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatalf("admin-get-user: %v\n%s", err, out)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[a.Name] = a.Value
	}
	return u.UserStatus, attrs
}

func (r *poolRunner) poolFlags() []string {
	return []string{"--user-pool-id", r.poolID, "--endpoint-url", r.endpoint, "--region", "us-east-1"}
}

func (*poolRunner) readsPool() bool { return true }

func (r *poolRunner) status(t *testing.T) statusReport {
	return ferryStatus(t, r.config, r.poolFlags()...)
}

func (r *poolRunner) export(t *testing.T) []string {
	return ferryExport(t, r.config, r.poolFlags()...)
}

// scratchName is a fresh name for a test's own schema or database.
func scratchName() string { return "realapps_" + strings.ToLower(rand.Text()[:10]) }

// writeConfig writes a ferry configuration file into t's temporary directory.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// requireFiles skips t (or fails it under FERRY_REQUIRE_INTEGRATION=1) when
// a file the suite runs is missing.
func requireFiles(t *testing.T, what string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, what+" ("+p+")")
		}
	}
}

var _ io.Writer = (*testenv.Buffer)(nil)
