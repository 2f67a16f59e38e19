package e2e

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

const (
	killUsers     = 48 // legacy accounts signed in concurrently
	killAfter     = 16 // sign-ins started before the SIGKILL
	killPassword  = "Legacy#Pass1"
	killWorkers   = 4
	killRunBudget = 90 * time.Second
)

// djangoHash is Django's pbkdf2_sha256 encoding of password (few
// iterations: the cost does not matter to the test).
func djangoHash(t *testing.T, password, salt string) string {
	t.Helper()
	const iter = 1000
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), iter, 32)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", iter, salt, base64.StdEncoding.EncodeToString(key))
}

// djangoDB writes a SQLite Django auth_user table (with Ferry's migration
// mark column) holding usernames, each with an email of its own.
func djangoDB(t *testing.T, path string, usernames []string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl, err := sqlsource.Schema("django", sqlsource.DriverSQLite)
	if err == nil {
		// SQLite runs a script of statements in one Exec.
		_, err = db.Exec(strings.Join(ddl, ";\n"))
	}
	if err != nil {
		t.Fatalf("Django schema: %v", err)
	}
	for i, u := range usernames {
		if _, err := db.Exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
			VALUES (?, 0, ?, '', '', ?, 0, 1, '2020-01-02 03:04:05')`,
			djangoHash(t, killPassword, "salt"+strconv.Itoa(i)), u, "acct"+strconv.Itoa(i)+"@example.com"); err != nil {
			t.Fatal(err)
		}
	}
}

// djangoServeConfig writes dir/ferry.yaml for `ferry serve`: the Django
// preset on the SQLite file legacy, in a case-insensitive pool as serve
// makes it, failures answered empty, plus the migration settings given
// (one "key: value" each), and returns its path.
func djangoServeConfig(t *testing.T, dir, legacy string, migration ...string) string {
	t.Helper()
	cfg := filepath.Join(dir, "ferry.yaml")
	extra := ""
	for _, m := range migration {
		extra += "  " + m + "\n"
	}
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`sources:
  - name: django
    type: sql
    config: {preset: django, driver: sqlite, dsn: "file:%s"}
migration:
  pool_case_sensitive: false
  assume_email_verified: true
%strigger:
  failure_style: empty
`, legacy, extra)), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// serveProcess is one `ferry serve` child process.
type serveProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startServe(t *testing.T, bin, dataDir, addr, cfg string) *serveProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", addr, "--config", cfg, "--log-level", "error")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ferry serve: %v", err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	testenv.WaitHealthy(t, "http://"+addr+"/health", 60*time.Second)
	return p
}

// defaultPool returns the pool and client ferry serve --config wired to
// its in-process trigger.
func defaultPool(t *testing.T, api *cip.Client) (poolID, clientID string) {
	t.Helper()
	ctx := t.Context()
	pools, err := api.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools.UserPools {
		if aws.ToString(p.Name) == "ferry" {
			poolID = aws.ToString(p.Id)
		}
	}
	if poolID == "" {
		t.Fatal("ferry serve created no pool named ferry")
	}
	clients, err := api.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(60)})
	if err != nil || len(clients.UserPoolClients) == 0 {
		t.Fatalf("ListUserPoolClients: %v (%d clients)", err, len(clients.UserPoolClients))
	}
	return poolID, aws.ToString(clients.UserPoolClients[0].ClientId)
}

// poolUsernames lists every user of the pool (ListUsers, paginated).
func poolUsernames(t *testing.T, api *cip.Client, poolID string) []string {
	t.Helper()
	var names []string
	var token *string
	for range 100 {
		out, err := api.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(60), PaginationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
		if token = out.PaginationToken; aws.ToString(token) == "" {
			break
		}
	}
	return names
}

func signIn(ctx context.Context, api *cip.Client, clientID, username, password string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}})
	return err
}

// TestKillNineLeavesNoMarkedAbsent drives concurrent first sign-ins through
// the real `ferry serve` (a SQL source with mark_migrated on), kills it with
// SIGKILL mid-run, restarts it on the same data, and has `ferry status
// --user-pool-id` reconcile the marks with the pool: in ferry serve the
// mark follows the pool's commit, so no user is marked but absent. Then,
// through the restarted server, every spelling of an account (username,
// email, other casing, full-width, ſ/ı, NFD) leaves at most one pool user
// per legacy account.
func TestKillNineLeavesNoMarkedAbsent(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	bin := buildFerry(t)
	dir := t.TempDir()
	usernames := make([]string, 0, killUsers+2)
	for i := range killUsers {
		usernames = append(usernames, fmt.Sprintf("user%03d", i))
	}
	usernames = append(usernames, "mississ", "jos\u00e9")
	legacy := filepath.Join(dir, "legacy.db")
	djangoDB(t, legacy, usernames)
	cfg := djangoServeConfig(t, dir, legacy, "mark_migrated: true")
	data := filepath.Join(dir, "data")
	addr := testenv.FreeAddr(t)
	url := "http://" + addr

	first := startServe(t, bin, data, addr, cfg)
	api := cognitotest.NewClient(url)
	poolID, clientID := defaultPool(t, api)

	ctx, cancel := context.WithTimeout(t.Context(), killRunBudget)
	defer cancel()
	var (
		next    atomic.Int32
		started atomic.Int32
		wg      sync.WaitGroup
		killed  = make(chan struct{})
		once    sync.Once
	)
	for range killWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= killUsers || ctx.Err() != nil {
					return
				}
				select {
				case <-killed:
					return
				default:
				}
				if started.Add(1) == killAfter {
					once.Do(func() {
						// SIGKILL by PID while other sign-ins are in flight.
						_ = syscall.Kill(first.cmd.Process.Pid, syscall.SIGKILL)
						close(killed)
					})
				}
				_ = signIn(ctx, api, clientID, usernames[i], killPassword)
			}
		})
	}
	wg.Wait()
	select {
	case <-first.done:
	case <-time.After(10 * time.Second):
		t.Fatal("ferry serve still runs after SIGKILL")
	}

	startServe(t, bin, data, addr, cfg)
	status := exec.CommandContext(ctx, bin, "status", "--config", cfg, "--user-pool-id", poolID, "--endpoint-url", url, "--json")
	status.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret", "AWS_REGION=us-east-1")
	out, err := status.Output()
	if err != nil {
		t.Fatalf("ferry status: %v\n%s", err, out)
	}
	var report struct {
		Sources []struct {
			MarkedMigrated    int               `json:"marked_migrated"`
			InPool            *int              `json:"in_pool"`
			MarkedAbsent      *int              `json:"marked_absent"`
			MarkedAbsentUsers []json.RawMessage `json:"marked_absent_users"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(out, &report); err != nil || len(report.Sources) != 1 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	s := report.Sources[0]
	if s.MarkedAbsent == nil || s.InPool == nil {
		t.Fatalf("status --user-pool-id did not reconcile with the pool:\n%s", out)
	}
	t.Logf("after SIGKILL: %d marked, %d in the pool, %d marked but absent", s.MarkedMigrated, *s.InPool, *s.MarkedAbsent)
	if *s.MarkedAbsent != 0 || len(s.MarkedAbsentUsers) != 0 {
		t.Errorf("%d users marked but absent after SIGKILL: %s", *s.MarkedAbsent, s.MarkedAbsentUsers)
	}
	if s.MarkedMigrated == 0 || *s.InPool < s.MarkedMigrated {
		t.Errorf("marks %d, in the pool %v: want some users migrated before the kill, each marked one in the pool", s.MarkedMigrated, s.InPool)
	}

	// One account, one pool user, whatever the spelling.
	last := killUsers - 1
	spellings := []string{
		usernames[last], strings.ToUpper(usernames[last]), fmt.Sprintf("acct%d@example.com", last),
		"ＵＳＥＲ０４６", "USER046", "user046",
		"mıſſiss", "MISSISS", "mississ", "acct48@example.com",
		"jose\u0301", "JOS\u00c9", "jos\u00e9", "acct49@example.com",
	}
	for _, name := range spellings {
		_ = signIn(t.Context(), api, clientID, name, killPassword)
	}
	accounts := map[string][]string{}
	for _, n := range poolUsernames(t, api, poolID) {
		k := identity.Key(n) // every spelling of one name shares a key
		accounts[k] = append(accounts[k], n)
		if strings.Contains(n, "@") {
			t.Errorf("pool user %q: an email became a username in a username pool", n)
		}
	}
	for k, ns := range accounts {
		if len(ns) != 1 {
			t.Errorf("account %q has %d pool users: %q", k, len(ns), ns)
		}
	}
	for _, want := range []string{usernames[last], "user046", "mississ", "jos\u00e9"} {
		if len(accounts[identity.Key(want)]) != 1 {
			t.Errorf("account %q: pool users %q, want exactly one", want, accounts[want])
		}
	}
}
