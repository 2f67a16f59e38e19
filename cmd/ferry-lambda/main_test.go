package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/trigger/lambdatest"
)

// legacyFile writes a file source holding bcrypt users (cost 10, as PHP,
// Devise and Laravel store them) and returns the Ferry configuration that
// points at it.
func legacyFile(t *testing.T) string {
	t.Helper()
	var users strings.Builder
	users.WriteString("users:\n")
	for i, u := range []struct{ name, email, password string }{
		{"alice", "alice@example.com", "Corr3ct-horse"},
		{"bob", "bob@example.com", "hunter22"},
	} {
		h, err := bcrypt.GenerateFromPassword([]byte(u.password), 10)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&users, "  - {id: %q, username: %s, email: %s, email_verified: true, password_hash: %q, attributes: {given_name: %s}}\n",
			fmt.Sprint(i+1), u.name, u.email, h, strings.ToUpper(u.name[:1])+u.name[1:])
	}
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, []byte(users.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`
sources:
  - name: legacy
    type: file
    config: {path: %q}
migration:
  attributes: [email, email_verified, given_name]
log: {level: debug}
metrics: {namespace: Ferry/test}
`, path)
}

func event(triggerSource, user, password string) []byte {
	ev := trigger.Event{
		Version: "1", TriggerSource: triggerSource, Region: "eu-west-1", UserPoolID: "eu-west-1_Ferry1234",
		UserName: user, CallerContext: trigger.CallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: "client"},
		Request: trigger.Request{Password: password},
	}
	b, _ := json.Marshal(ev)
	return b
}

// TestBootstrapUnderRuntimeAPI builds the real bootstrap, runs it against a
// loopback Lambda Runtime API and hands it both trigger events.
func TestBootstrapUnderRuntimeAPI(t *testing.T) {
	t.Parallel()
	bin := lambdatest.Build(t, "./cmd/ferry-lambda", t.TempDir())
	// The binary Lambda loads on every cold start stays under 36 MB, as
	// `make lambda` builds it (SQLite left out). It was 13.1 MB before the
	// AWS clients the trigger now carries: Secrets Manager and SSM (secret
	// references), DynamoDB (shared throttle counts), Cognito (pool-to-pool
	// migration) and the SDK's default configuration; 18.6 MB with them.
	// The phone-number normalisation of migration answers (libphonenumber's
	// port) takes it to 33.5 MB: the port's protobuf reflection keeps
	// methods the linker would otherwise drop. The bound catches the next
	// jump; bringing the size back down is open work.
	if fi, err := os.Stat(bin); err != nil {
		t.Fatal(err)
	} else if fi.Size() > 36<<20 {
		t.Errorf("bootstrap is %.1f MB, over the 36 MB budget", float64(fi.Size())/(1<<20))
	}
	rt := lambdatest.NewRuntime(t)
	p := lambdatest.Start(t, bin, rt.Env("FERRY_CONFIG="+legacyFile(t)))

	tests := []struct {
		name       string
		payload    []byte
		wantStatus string // "" means the invocation must fail
	}{
		{name: "authentication", payload: event(trigger.SourceAuthentication, "alice", "Corr3ct-horse"), wantStatus: "CONFIRMED"},
		{name: "authentication retried", payload: event(trigger.SourceAuthentication, "alice", "Corr3ct-horse"), wantStatus: "CONFIRMED"},
		{name: "forgot password", payload: event(trigger.SourceForgotPassword, "bob", ""), wantStatus: "RESET_REQUIRED"},
		{name: "wrong password", payload: event(trigger.SourceAuthentication, "alice", "hunter22")},
		{name: "unknown user", payload: event(trigger.SourceAuthentication, "mallory", "hunter22")},
		{name: "malformed event", payload: []byte(`{"triggerSource": 42}`)},
		{name: "other trigger", payload: event("PreSignUp_SignUp", "alice", "x")},
	}
	for _, tc := range tests { // one instance serves one event at a time, in order
		res, err := rt.Invoke(t.Context(), tc.payload, 0)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, p.Stderr)
		}
		if tc.wantStatus == "" {
			doc, err := res.Doc()
			if !res.Error || err != nil || doc.ErrorType != "MigrationError" || doc.ErrorMessage != trigger.MigrationMessage {
				t.Errorf("%s: error=%v body %s, want MigrationError %q", tc.name, res.Error, res.Body, trigger.MigrationMessage)
			}
			continue
		}
		if res.Error {
			t.Fatalf("%s: failed: %s\n%s", tc.name, res.Body, p.Stderr)
		}
		var ev trigger.Event
		if err := json.Unmarshal(res.Body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Response.FinalUserStatus != tc.wantStatus || ev.Response.MessageAction != "SUPPRESS" || ev.Response.UserAttributes["email"] == "" {
			t.Errorf("%s: response %s", tc.name, res.Body)
		}
	}
	// The function writes its logs and metric lines before it answers, but
	// they reach the buffer through a pipe: only once the process has ended
	// is every line of the last invocation surely in it.
	p.Stop()
	logs := p.Stderr.String()
	for _, secret := range []string{"Corr3ct-horse", "hunter22"} {
		if strings.Contains(logs, secret) {
			t.Errorf("password %q in the function's logs:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"request_id":"8476a536-e9f4-11e8-9739-`) {
		t.Errorf("logs lack the Lambda request id:\n%s", logs)
	}

	// One EMF line per invocation on stdout, in the configured namespace,
	// with no username or password in any of them.
	lines, err := emftest.Lines([]byte(logs))
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, l := range lines {
		outcomes = append(outcomes, l.Dim("Outcome"))
		if d, _, _ := l.Metric("Migrations"); d.Namespace != "Ferry/test" {
			t.Errorf("namespace %q, want Ferry/test", d.Namespace)
		}
		if l.Dim("RequestId") == "" {
			t.Errorf("EMF line without RequestId: %v", l.Members)
		}
	}
	want := "migrated migrated migrated wrong_password unknown fault fault"
	if got := strings.Join(outcomes, " "); got != want {
		t.Errorf("EMF outcomes = %s, want %s", got, want)
	}
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"_aws"`) {
			continue
		}
		for _, personal := range []string{"alice", "bob", "mallory", "Corr3ct-horse", "hunter22"} {
			if strings.Contains(line, personal) {
				t.Errorf("EMF line holds %q: %s", personal, line)
			}
		}
	}
}

func TestBootstrapBadConfigExits(t *testing.T) {
	t.Parallel()
	bin := lambdatest.Build(t, "./cmd/ferry-lambda", t.TempDir())
	rt := lambdatest.NewRuntime(t)
	p := lambdatest.Start(t, bin, rt.Env("FERRY_CONFIG=sources: [{name: a, type: file, config: {pth: x}}]"))
	res, err := rt.Invoke(t.Context(), event(trigger.SourceAuthentication, "alice", "x"), 0)
	if err == nil {
		t.Fatalf("invocation answered %s with an invalid configuration", res.Body)
	}
	doc, derr := res.Doc()
	if derr != nil || doc.ErrorType != "MigrationError" || doc.ErrorMessage != trigger.MigrationMessage || res.ErrorType != "Runtime.MigrationError" {
		t.Errorf("init error %+v (header %q), want the fixed MigrationError", doc, res.ErrorType)
	}
	<-p.Exited()
	if p.Err() == nil {
		t.Fatal("bootstrap exited cleanly with an invalid configuration")
	}
	if logs := p.Stderr.String(); !strings.Contains(logs, "sources[0].config.pth: unknown field") {
		t.Errorf("logs lack the configuration problem:\n%s", logs)
	}
}

// TestBootstrapLeavesThePoolOut checks the trigger does not link the local
// user pool or its stores: they belong to `ferry serve`, and pulling them in
// through a shared package once added 4 MB to every cold start.
func TestBootstrapLeavesThePoolOut(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc,ferry_nosqlite", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for pkg := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(pkg, "github.com/ferry-migrate/ferry/internal/userpool") {
			t.Errorf("the bootstrap links %s", pkg)
		}
	}
}
