package e2e

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/testenv"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// endToEnd skips t in -short mode (make test-short runs unit tests only):
// every test here starts servers and real clients.
func endToEnd(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
}

// nodeDir is test/clients/node, where the JavaScript clients are installed.
func nodeDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "clients", "node")
}

// requireNode returns the node binary and the JavaScript clients' directory,
// or skips (fails under FERRY_REQUIRE_INTEGRATION=1) when either is missing.
func requireNode(t *testing.T) (node, dir string) {
	t.Helper()
	node = testenv.Tool(t, "node")
	dir = nodeDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "aws-jwt-verify")); err != nil {
		testenv.Missing(t, "the JavaScript clients (npm ci in test/clients/node)")
	}
	return node, dir
}

// legacyUser is one row of the legacy database the trigger reads.
type legacyUser struct {
	username, email, password string
}

// legacyDB writes a SQLite legacy database of users with bcrypt hashes
// (cost 4: the cost does not matter to the flows, and it keeps the suite
// fast).
func legacyDB(t *testing.T, users []legacyUser) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "legacy.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,
		email TEXT NOT NULL, email_verified INTEGER NOT NULL, password_hash TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		h, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO users VALUES (?, ?, ?, 1, ?)`, i+1, u.username, u.email, string(h)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// ferryConfig is the trigger configuration of the suite over a fresh
// legacy database of users.
func ferryConfig(t *testing.T, users []legacyUser) string {
	t.Helper()
	return fmt.Sprintf(`
sources:
  - name: legacy
    type: sql
    config:
      driver: sqlite
      dsn: file:%s?mode=ro
      lookup: both
      fold: lower
      query:
        by_username: SELECT id, username, email, email_verified, password_hash FROM users WHERE lower(username) = $1
        by_email: SELECT id, username, email, email_verified, password_hash FROM users WHERE lower(email) = $1
        sample: SELECT password_hash FROM users LIMIT 1
      columns:
        id: id
        username: username
        email: email
        email_verified: email_verified
        password_hash: password_hash
migration:
  pool_mode: alias
  password_policy: {min_length: 8, require_lowercase: true, require_numbers: true, require_symbols: true}
trigger:
  failure_style: empty
`, legacyDB(t, users))
}

// ferryTrigger builds Ferry's own trigger handler, as `ferry serve --config`
// and the Lambda do, over a SQLite legacy database: a pool with email
// aliases, RESET_REQUIRED for legacy passwords that fail the pool's policy,
// and empty answers for users it does not migrate (so the app client's
// PreventUserExistenceErrors decides what the caller sees).
func ferryTrigger(t *testing.T, users []legacyUser) *setup.App {
	t.Helper()
	cfg, err := setup.Load([]byte(ferryConfig(t, users)))
	if err != nil {
		t.Fatalf("trigger configuration: %v", err)
	}
	app, err := setup.Build(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("build the trigger: %v", err)
	}
	t.Cleanup(func() { _ = app.Close() })
	return app
}

// pool is a running local pool with two app clients that differ only in
// PreventUserExistenceErrors.
type pool struct {
	*cognitotest.Server
	legacyClient  string // PreventUserExistenceErrors LEGACY (the API default)
	enabledClient string // PreventUserExistenceErrors ENABLED
}

// newPool starts the local pool (AWS-form issuer, as aws-jwt-verify needs;
// email alias, auto-verified email) with its UserMigration trigger on inv;
// opts adjust it further.
func newPool(t *testing.T, inv userpool.Invoker, opts ...cognitotest.Option) *pool {
	t.Helper()
	s := cognitotest.NewServer(t, append([]cognitotest.Option{
		cognitotest.WithMigration(inv),
		cognitotest.WithConfig(func(c *userpool.Config) { c.AWSIssuer = true }),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
			in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
		}),
	}, opts...)...)
	out, err := s.API.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(s.PoolID), ClientName: aws.String("enabled"),
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return &pool{Server: s, legacyClient: s.ClientID, enabledClient: aws.ToString(out.UserPoolClient.ClientId)}
}

// outboxCode returns the newest code the pool sent to username, read from
// GET /_ferry/outbox as every client's scenario does.
func outboxCode(ctx context.Context, endpoint, poolID, username string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/_ferry/outbox?pool="+poolID, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Messages []struct {
			Username, Destination, Code string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	code := ""
	for _, m := range out.Messages {
		if m.Code != "" && (strings.EqualFold(m.Username, username) || strings.EqualFold(m.Destination, username)) {
			code = m.Code
		}
	}
	if code == "" {
		return "", fmt.Errorf("outbox: no code for %s", username)
	}
	return code, nil
}

// absent reports whether username is not a user of the pool.
func (p *pool) absent(ctx context.Context, username string) (bool, error) {
	_, err := p.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(username)})
	if _, ok := errors.AsType[*types.UserNotFoundException](err); ok {
		return true, nil
	}
	return false, err
}

// driverLine is one line of driver.mjs's output.
type driverLine struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail struct {
		Got     string          `json:"got"`
		Message string          `json:"message"`
		Error   string          `json:"error"`
		Claims  json.RawMessage `json:"claims"`
	} `json:"detail"`
}

// runDriver runs test/clients/node/driver.mjs with input on stdin and
// returns its lines by step. A non-zero exit is expected when a step fails;
// the caller judges the lines.
func runDriver(t *testing.T, p *pool, input any, extraArgs ...string) map[string]driverLine {
	t.Helper()
	lines, _ := runScript(t, append([]string{"driver.mjs", "--endpoint", p.URL, "--pool", p.PoolID, "--client", p.legacyClient}, extraArgs...), input)
	return lines
}

// runScript runs node with args in test/clients/node, input as JSON on
// stdin, and returns the JSON lines it printed by step, and its stderr.
func runScript(t *testing.T, args []string, input any) (map[string]driverLine, string) {
	t.Helper()
	node, dir := requireNode(t)
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v\n%s", args[0], err, stderr.String())
	}
	lines := map[string]driverLine{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l driverLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s printed %q: %v\nstderr: %s", args[0], sc.Text(), err, stderr.String())
		}
		lines[l.Step] = l
	}
	if len(lines) == 0 {
		t.Fatalf("%s printed nothing (exit %v)\nstderr: %s", args[0], err, stderr.String())
	}
	return lines, stderr.String()
}

// tokenSet is one sign-in's tokens, for verification by aws-jwt-verify.
type tokenSet struct {
	Step     string `json:"step"`
	ID       string `json:"id"`
	Access   string `json:"access"`
	ClientID string `json:"clientId"`
	refresh  string // kept for the refresh step, never verified (it is opaque)
}

// verifyTokens has aws-jwt-verify check every token set; each must verify.
func verifyTokens(t *testing.T, p *pool, sets []tokenSet) {
	t.Helper()
	if len(sets) == 0 {
		t.Fatal("no tokens were issued to verify")
	}
	lines := runDriver(t, p, sets, "--verify")
	for _, s := range sets {
		l, ok := lines[s.Step]
		switch {
		case !ok:
			t.Errorf("%s: aws-jwt-verify printed nothing for these tokens", s.Step)
		case !l.OK:
			t.Errorf("%s: aws-jwt-verify rejected the tokens: %s", s.Step, l.Detail.Error)
		}
	}
}

// startNodeLambda starts test/clients/node/migration-lambda.js on
// 127.0.0.1 and returns its base URL; the process is stopped (by its PID)
// when the test ends.
func startNodeLambda(t *testing.T) string {
	t.Helper()
	return startNodeScript(t, "migration-lambda.js")
}

// startNodeScript starts an Invoke API server written in Node (a script of
// test/clients/node that prints {"listening":<url>} once ready) on
// 127.0.0.1 and returns its base URL; the process is stopped (by its PID)
// when the test ends.
func startNodeScript(t *testing.T, script string) string {
	t.Helper()
	node, dir := requireNode(t)
	cmd := exec.Command(node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l struct{ Listening string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Listening != "" {
				ready <- l.Listening
			}
		}
		close(ready)
	}()
	select {
	case url, ok := <-ready:
		if !ok {
			t.Fatalf("%s exited before listening", script)
		}
		return url
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not listen within 30 s", script)
	}
	return ""
}
