package passhash

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// aspnetV3 builds an ASP.NET Identity V3 value: HMACSHA1, iter iterations,
// a 16-byte salt and a subkey of keyLen bytes.
func aspnetV3(iter uint32, keyLen int) string {
	raw := make([]byte, 13+16+keyLen)
	raw[0] = 1
	binary.BigEndian.PutUint32(raw[5:9], iter)
	binary.BigEndian.PutUint32(raw[9:13], 16)
	return base64.StdEncoding.EncodeToString(raw)
}

// overBudgetCases are hashes inside the per-parameter bounds whose real
// cost is beyond the default limits (3 s, 416 MiB), with the password that
// makes them so.
var overBudgetCases = []struct {
	name     string
	hash     Hash
	password string
}{
	{"pbkdf2-sha1 10M iterations, 128-byte key", Hash{Encoded: "pbkdf2:sha1:10000000$salt$" + strings.Repeat("ab", 128)}, "password"},
	{"aspnet-identity-v3 10M iterations, 128-byte key", Hash{Format: "aspnet-identity", Encoded: aspnetV3(10_000_000, 128)}, "password"},
	{"argon2id m=1GiB t=10", Hash{Encoded: "$argon2id$v=19$m=1048576,t=10,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}, "password"},
	{"argon2id m=512MiB t=1", Hash{Encoded: "$argon2id$v=19$m=524288,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}, "password"},
	{"scrypt N=2^20 r=8", Hash{Encoded: "$scrypt$ln=20,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)}, "password"},
	{"sha512-crypt, 80 KB password", Hash{Encoded: "$6$salt$" + strings.Repeat("a", 86)}, strings.Repeat("p", 80<<10)},
	{"phpass, 900 KB password", Hash{Encoded: "$P$B" + strings.Repeat("a", 30)}, strings.Repeat("p", 900<<10)},
	{"md5-crypt, 900 KB password", Hash{Encoded: "$1$salt$" + strings.Repeat("a", 22)}, strings.Repeat("p", 900<<10)},
}

// TestOverBudgetRefusedBeforeWork: each case is ErrOverBudget (and
// ErrCostTooHigh) without allocating anything proportional to its cost.
// Not parallel: it reads the process-wide allocation counter.
func TestOverBudgetRefusedBeforeWork(t *testing.T) {
	v := mustNew(Options{Limits: &DefaultLimits})
	for _, c := range overBudgetCases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := v.Verify(t.Context(), c.password, c.hash)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrOverBudget) || !errors.Is(err, ErrCostTooHigh) {
			t.Errorf("%s: Verify = %v, want ErrOverBudget", c.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("%s: allocated %d bytes before refusing", c.name, n)
		}
		if err := v.Budget(c.hash, len(c.password)); !errors.Is(err, ErrOverBudget) {
			t.Errorf("%s: Budget = %v, want ErrOverBudget", c.name, err)
		}
	}
}

// TestBudgetGrowsWithPassword: the families whose work grows with the
// password are in budget for a typical password and over it for a long one.
func TestBudgetGrowsWithPassword(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{Limits: &DefaultLimits})
	for _, h := range []Hash{
		{Encoded: "$6$salt$" + strings.Repeat("a", 86)},
		{Encoded: "$5$salt$" + strings.Repeat("a", 43)},
		{Encoded: "$P$B" + strings.Repeat("a", 30)},
		{Encoded: "$S$D" + strings.Repeat("a", 51)},
		{Encoded: "$1$salt$" + strings.Repeat("a", 22)},
	} {
		if err := v.Budget(h, 1024); err != nil {
			t.Errorf("Budget(%.8q, 1024 bytes) = %v, want in budget", h.Encoded, err)
		}
		if _, err := v.Identify(h); err != nil {
			t.Errorf("Identify(%.8q) = %v", h.Encoded, err)
		}
		if err := v.Budget(h, 4<<20); !errors.Is(err, ErrOverBudget) {
			t.Errorf("Budget(%.8q, 4 MiB) = %v, want ErrOverBudget", h.Encoded, err)
		}
	}
}

// TestIdentifyOverBudget: the audit sees an over-budget hash without any
// hashing.
func TestIdentifyOverBudget(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{Limits: &DefaultLimits})
	_, err := v.Identify(Hash{Encoded: "$argon2id$v=19$m=1048576,t=10,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)})
	if !errors.Is(err, ErrOverBudget) {
		t.Fatalf("Identify = %v, want ErrOverBudget", err)
	}
	if _, err := v.Identify(Hash{Encoded: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}); err != nil {
		t.Fatalf("Identify(64 MiB) = %v, want in budget", err)
	}
}

// TestCPUShareScalesTheBudget: a quarter of a core makes a hash four times
// slower, so what fits one core may not fit a small function.
func TestCPUShareScalesTheBudget(t *testing.T) {
	t.Parallel()
	h := Hash{Encoded: "$2b$14$" + strings.Repeat("a", 53)}
	if err := mustNew(Options{Limits: &Limits{Time: 3 * time.Second, CPUShare: 1}}).Budget(h, 8); err != nil {
		t.Fatalf("bcrypt 14 on a full core: %v", err)
	}
	small := LimitsFor(4*time.Second, 512, true)
	if err := mustNew(Options{Limits: &small}).Budget(h, 8); !errors.Is(err, ErrOverBudget) {
		t.Fatalf("bcrypt 14 on a 512 MB Lambda: %v, want ErrOverBudget", err)
	}
}

func TestLimitsFor(t *testing.T) {
	t.Parallel()
	l := LimitsFor(4*time.Second, 1024, true)
	if l.Time != 3*time.Second || l.Memory != (1024-96)<<20 || l.CPUShare >= 1 || l.CPUShare < 0.5 {
		t.Fatalf("LimitsFor(4s, 1024, lambda) = %+v", l)
	}
	if l := LimitsFor(0, 0, false); l != DefaultLimits {
		t.Fatalf("LimitsFor(0, 0) = %+v, want the defaults", l)
	}
	if got := MemoryFor(128); got != 64<<20 {
		t.Fatalf("MemoryFor(128) = %d, want half", got)
	}
}

// TestMemoryGate: a memory-hard verification waits for room in the gate,
// and gives up when its context ends while waiting.
func TestMemoryGate(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{Limits: &Limits{Time: time.Hour, Memory: 48 << 20}})
	h := Hash{Encoded: "$argon2id$v=19$m=32768,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}
	if err := v.own.gate.Acquire(t.Context(), 32<<20); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := v.Verify(ctx, "password", h); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify with the gate full = %v, want DeadlineExceeded", err)
	}
	done := make(chan error, 1)
	go func() { _, err := v.Verify(t.Context(), "password", h); done <- err }()
	v.own.gate.Release(32 << 20)
	if err := <-done; err != nil {
		t.Fatalf("Verify once the gate has room = %v", err)
	}
	// Over the whole gate: refused, not queued forever.
	big := Hash{Encoded: "$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}
	if _, err := v.Verify(t.Context(), "password", big); !errors.Is(err, ErrOverBudget) {
		t.Fatalf("Verify(64 MiB, gate 48 MiB) = %v, want ErrOverBudget", err)
	}
}

// TestMemoryGateCollectsForWaiters: the gate forces a collection only when
// a verification needs room that finished ones have not yet given back —
// one waiting when another finishes, or one arriving at a gate full of
// their garbage — and never for verifications that find room.
func TestMemoryGateCollectsForWaiters(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	t.Run("verifications that find room", func(t *testing.T) {
		t.Parallel()
		v := mustNew(Options{Limits: &Limits{Time: time.Hour, Memory: 96 * mib}})
		var n atomic.Int32
		v.own.collect = func() { n.Add(1) }
		h := Hash{Encoded: "$argon2id$v=19$m=16384,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)} // 16 MiB
		for i := range 3 {
			if _, err := v.Verify(t.Context(), "password", h); err != nil {
				t.Fatal(err)
			}
			if got := n.Load(); got != 0 {
				t.Fatalf("after %d lone verifications: %d collections, want none", i+1, got)
			}
		}
	})
	t.Run("waiters", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			v := mustNew(Options{Limits: &Limits{Time: time.Hour, Memory: 48 * mib}})
			var n atomic.Int32
			v.own.collect = func() { n.Add(1) }
			admit := func() func() {
				release, err := v.admit(t.Context(), "argon2id", cost{mem: 32 * mib})
				if err != nil {
					t.Fatal(err)
				}
				return release
			}
			admit()() // nobody waits: no collection, its 32 MiB left as garbage
			if got := n.Load(); got != 0 {
				t.Fatalf("a lone verification collected %d times, want none", got)
			}
			first := admit() // 32 MiB of garbage + 32 > 48: it collects first
			if got := n.Load(); got != 1 {
				t.Fatalf("a verification arriving at a gate full of garbage: %d collections, want 1", got)
			}
			second := make(chan func())
			go func() { second <- admit() }()
			synctest.Wait() // the second waits for room
			first()
			if got := n.Load(); got != 2 {
				t.Fatalf("a verification finishing with another waiting: %d collections, want 2", got)
			}
			(<-second)()
			if got := n.Load(); got != 2 {
				t.Errorf("the last verification, nobody waiting: %d collections, want still 2", got)
			}
		})
	})
}
