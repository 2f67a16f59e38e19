package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the legacy store of the black-box benchmark is a real PostgreSQL
	"golang.org/x/crypto/bcrypt"
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
