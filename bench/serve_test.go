package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	_ "github.com/jackc/pgx/v5/stdlib" // the legacy store of the black-box benchmark is a real PostgreSQL
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// postgresVar names the PostgreSQL the black-box benchmarks seed a scratch
// schema in.
const postgresVar = "FERRY_TEST_POSTGRES_DSN"

// postgresDSN is $FERRY_TEST_POSTGRES_DSN, or skips b saying how to run
// the benchmark.
func postgresDSN(b *testing.B) string {
	b.Helper()
	dsn := os.Getenv(postgresVar)
	if dsn == "" {
		b.Skipf("skipping: $%s is not set; start PostgreSQL with "+
			"`eval \"$(scripts/services.sh start /tmp/ferry-sql)\"` and run the benchmark again", postgresVar)
	}
	return dsn
}

// pgSchema is a scratch PostgreSQL schema, dropped when b ends; dsn
// reaches it (search_path is the schema).
type pgSchema struct {
	db   *sql.DB
	dsn  string
	name string
}

func newPGSchema(b *testing.B, base string) *pgSchema {
	b.Helper()
	name := "ferry_bench_" + strings.ToLower(rand.Text()[:10])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(b.Context(), "CREATE SCHEMA "+name); err != nil {
		b.Fatalf("create schema: %v", err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			b.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatalf("$%s: %v", postgresVar, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return &pgSchema{db: db, dsn: u.String(), name: name}
}

// bcryptAt is a well-formed bcrypt hash of cost cost (two digits) that no
// password matches: verifying it does all of that cost's work. It is made
// at the minimum cost and relabelled, which costs nothing here.
func bcryptAt(b *testing.B, cost string) string {
	b.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.MinCost)
	if err != nil {
		b.Fatal(err)
	}
	return strings.Replace(string(h), "$04$", "$"+cost+"$", 1)
}

// unmatchedPBKDF2 is a Django pbkdf2_sha256 hash at iterations with a random
// salt and key: no password matches it, and verifying it does all the
// iterations.
func unmatchedPBKDF2(iterations int) string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", iterations, rand.Text()[:22], base64.StdEncoding.EncodeToString(key))
}

// ferryBinary builds cmd/ferry into a temporary directory.
func ferryBinary(b *testing.B) string {
	b.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(b.TempDir(), "ferry")
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/ferry")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/ferry: %v\n%s", err, out)
	}
	return bin
}

// servedFerry is a running `ferry serve --config` and its default pool
// and app client (PreventUserExistenceErrors ENABLED).
type servedFerry struct {
	cmd              *exec.Cmd
	api              *cip.Client
	poolID, clientID string
	logPath          string
}

// serveFerry starts bin as `ferry serve --ephemeral --config cfg` on a
// free port of 127.0.0.1, stopped (by its PID) when b ends.
func serveFerry(b *testing.B, bin, cfg string) *servedFerry {
	b.Helper()
	dir := b.TempDir()
	path := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freeLocalPort(b))
	sf := &servedFerry{logPath: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(sf.logPath)
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close() // the child holds its own descriptor
	sf.cmd = exec.Command(bin, "serve", "--ephemeral", "--addr", addr, "--config", path, "--log-level", "warn")
	sf.cmd.Stdout, sf.cmd.Stderr = nil, logFile
	if err := sf.cmd.Start(); err != nil {
		b.Fatalf("start ferry serve: %v", err)
	}
	b.Cleanup(func() {
		_ = sf.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = sf.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = sf.cmd.Process.Kill()
			<-done
		}
		if b.Failed() {
			log, _ := os.ReadFile(sf.logPath)
			b.Logf("ferry serve's log:\n%s", log[max(0, len(log)-4<<10):])
		}
	})
	endpoint := "http://" + addr
	waitForHealth(b, endpoint+"/health")
	sf.api = cognitotest.NewClient(endpoint)
	pools, err := sf.api.ListUserPools(b.Context(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(pools.UserPools) != 1 {
		b.Fatalf("ListUserPools = %v, %v; want the one default pool", pools, err)
	}
	sf.poolID = aws.ToString(pools.UserPools[0].Id)
	clients, err := sf.api.ListUserPoolClients(b.Context(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(sf.poolID)})
	if err != nil || len(clients.UserPoolClients) != 1 {
		b.Fatalf("ListUserPoolClients = %v, %v; want the one default client", clients, err)
	}
	sf.clientID = aws.ToString(clients.UserPoolClients[0].ClientId)
	return sf
}

func freeLocalPort(b *testing.B) int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitForHealth polls url until it answers 200, for at most 60 s.
func waitForHealth(b *testing.B, url string) {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.Context(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("%s did not answer within 60 s", url)
}
