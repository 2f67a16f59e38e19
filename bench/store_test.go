package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

// The store benchmarks compare the SQLite user-pool store at 1,000 and
// 1,000,000 users. Seeding a million users takes minutes, so seeded
// databases are kept under os.TempDir(), keyed by the schema version and
// the seed's own version; delete ferry-bench-store-* there to re-seed.
const (
	storeBenchPool = "us-east-1_bench"
	// storeSeedVersion changes whenever the seeded users change shape.
	storeSeedVersion = 1
	// storeSeedBatch users go in per transaction: large enough that commits
	// do not dominate, small enough to hold little memory while seeding.
	storeSeedBatch = 10_000
)

// storeSeeded returns the data directory of a store holding n users,
// seeding it (through the ImportUsers bulk path) on the first run.
func storeSeeded(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ferry-bench-store-s%d-v%d-%d", sqlitestore.SchemaVersion, storeSeedVersion, n))
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	tmp := dir + ".seeding"
	if err := os.RemoveAll(tmp); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, sqlitestore.Config{Dir: tmp}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.CreatePool(ctx, &userpool.Pool{ID: storeBenchPool, Name: "bench", CreatedAt: start, UpdatedAt: start}); err != nil {
		b.Fatal(err)
	}
	batch := make([]*userpool.User, 0, storeSeedBatch)
	for i := range n {
		batch = append(batch, storeBenchUser(i, start))
		if len(batch) == cap(batch) || i == n-1 {
			if err := s.ImportUsers(ctx, batch); err != nil {
				b.Fatalf("seed: %v", err)
			}
			batch = batch[:0]
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users in %s into %s", n, time.Since(start).Round(time.Second), dir)
	return dir
}

// storeBenchUser is a migrated user as the trigger creates one: email
// alias, names, a 3072-bit SRP verifier.
func storeBenchUser(i int, now time.Time) *userpool.User {
	name := fmt.Sprintf("user%07d", i)
	email := name + "@example.com"
	return &userpool.User{
		PoolID: storeBenchPool, Username: name, UsernameKey: name,
		Sub:    fmt.Sprintf("5f2b1c9e-0000-4000-8000-%012d", i),
		Status: "CONFIRMED", Enabled: true, Origin: "migration",
		Attributes: map[string]string{
			"email": email, "email_verified": "true", "given_name": "Given" + strconv.Itoa(i%1000),
			"family_name": "Family" + strconv.Itoa(i%5000), "custom:legacy_id": strconv.Itoa(i),
		},
		Aliases:   map[string]string{"email": email},
		Password:  &userpool.Verifier{Salt: []byte(name[:8] + "saltsalt"), V: []byte(strings.Repeat(name, 384/len(name)+1)[:384])},
		CreatedAt: now, UpdatedAt: now,
	}
}

// storeOp is one store operation on user i of a store of n users.
type storeOp func(ctx context.Context, s *sqlitestore.Store, n, i int) error

// storeLatencies runs op alternately on a small and a large store, on
// random users, so both see the same machine load (the figures compare
// sizes, not moments), and reports each one's median and 99th percentile
// and the ratio of the medians.
func storeLatencies(b *testing.B, small, large *sqlitestore.Store, nSmall, nLarge int, op storeOp) {
	b.Helper()
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	// Warm up: the page cache and prepared statements, as a running pool has.
	for range 2000 {
		if err := op(ctx, small, nSmall, rng.IntN(nSmall)); err != nil {
			b.Fatal(err)
		}
		if err := op(ctx, large, nLarge, rng.IntN(nLarge)); err != nil {
			b.Fatal(err)
		}
	}
	var latSmall, latLarge []time.Duration
	for b.Loop() {
		i, j := rng.IntN(nSmall), rng.IntN(nLarge)
		start := time.Now()
		if err := op(ctx, small, nSmall, i); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := op(ctx, large, nLarge, j); err != nil {
			b.Fatal(err)
		}
		latSmall, latLarge = append(latSmall, mid.Sub(start)), append(latLarge, time.Since(mid))
	}
	pct := func(lat []time.Duration, p int) float64 {
		slices.Sort(lat)
		return float64(lat[len(lat)*p/100].Nanoseconds()) / 1000
	}
	p50s, p50l := pct(latSmall, 50), pct(latLarge, 50)
	b.ReportMetric(p50s, "p50-small-µs")
	b.ReportMetric(p50l, "p50-large-µs")
	b.ReportMetric(pct(latSmall, 99), "p99-small-µs")
	b.ReportMetric(pct(latLarge, 99), "p99-large-µs")
	b.ReportMetric(p50l/p50s, "p50-ratio")
	b.ReportMetric(storeRSSMiB("VmRSS"), "rss-MiB")
	b.ReportMetric(0, "ns/op") // two stores per iteration: the average means little
}

// storeRSSMiB reads a memory figure of this process from /proc.
func storeRSSMiB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkStore measures user lookups and ListUsers by email on a
// 1,000-user and a 1,000,000-user store in one run, and the process's
// memory. Set FERRY_BENCH_STORE_USERS to change the large size (e.g.
// 100000 for a quick look).
func BenchmarkStore(b *testing.B) {
	large := 1_000_000
	if v := os.Getenv("FERRY_BENCH_STORE_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("FERRY_BENCH_STORE_USERS=%q: want a number >= 1000", v)
		}
		large = n
	}
	const small = 1000
	open := func(n int) *sqlitestore.Store {
		s, err := sqlitestore.Open(b.Context(), sqlitestore.Config{Dir: storeSeeded(b, n)}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	sSmall, sLarge := open(small), open(large)
	ops := []struct {
		name string
		op   storeOp
	}{
		{"GetUser", func(ctx context.Context, s *sqlitestore.Store, _, i int) error {
			_, err := s.GetUser(ctx, storeBenchPool, fmt.Sprintf("user%07d", i))
			return err
		}},
		{"GetUserByAlias", func(ctx context.Context, s *sqlitestore.Store, _, i int) error {
			_, err := s.GetUserByAlias(ctx, storeBenchPool, "email", fmt.Sprintf("user%07d@example.com", i))
			return err
		}},
		{"GetUserBySub", func(ctx context.Context, s *sqlitestore.Store, _, i int) error {
			_, err := s.GetUserBySub(ctx, storeBenchPool, fmt.Sprintf("5f2b1c9e-0000-4000-8000-%012d", i))
			return err
		}},
		{"ListUsersEmail", func(ctx context.Context, s *sqlitestore.Store, _, i int) error {
			users, _, err := s.ListUsers(ctx, storeBenchPool, userpool.ListUsersQuery{
				Attribute: "email", Value: fmt.Sprintf("USER%07d@example.com", i), Limit: 60})
			if err == nil && len(users) != 1 {
				err = fmt.Errorf("email filter found %d users", len(users))
			}
			return err
		}},
		{"ListUsersEmailPrefix", func(ctx context.Context, s *sqlitestore.Store, _, i int) error {
			// "user000120" matches ten users (user0001200..user0001209).
			_, _, err := s.ListUsers(ctx, storeBenchPool, userpool.ListUsersQuery{
				Attribute: "email", Prefix: true, Value: fmt.Sprintf("user%06d", i/10), Limit: 60})
			return err
		}},
	}
	for _, o := range ops {
		b.Run(fmt.Sprintf("%s/users=%d-vs-%d", o.name, small, large), func(b *testing.B) {
			storeLatencies(b, sSmall, sLarge, small, large, o.op)
		})
	}
	b.Logf("memory: VmRSS %.0f MiB, VmHWM (peak) %.0f MiB", storeRSSMiB("VmRSS"), storeRSSMiB("VmHWM"))
}
