package passhash

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrOverBudget: verifying the stored hash (for a password of the given
// length) would take more time or memory than Limits allow. The hash is
// refused before any work. errors.Is(err, ErrCostTooHigh) holds as well:
// both mean "this row's cost is out of bounds".
var ErrOverBudget = errors.New("hash verification exceeds the time or memory budget")

// Limits bound the work of one verification by what it really costs, as
// the cost model estimates it from the stored parameters and the password
// length, rather than by each parameter on its own.
type Limits struct {
	// Time is the wall-clock time one verification may take on the CPU
	// share the process has (see CPUShare). Zero means DefaultLimits.Time.
	Time time.Duration
	// Memory is the number of bytes that all memory-hard verifications
	// (Argon2, scrypt) running at once may hold together; one that needs
	// more is refused, and concurrent ones wait for room. Zero means
	// DefaultLimits.Memory.
	Memory int64
	// CPUShare is the fraction of one reference core the process gets:
	// 1 locally, memory/1769 MB in Lambda below one vCPU. Zero means 1.
	CPUShare float64
}

// DefaultLimits fit the default migration deadline (4 s, of which 3 s for
// the verification, the rest for the queries and the answer) and a 512 MB
// function (MemoryFor(512)).
var DefaultLimits = Limits{Time: 3 * time.Second, Memory: MemoryFor(512), CPUShare: 1}

// runtimeReserveMiB is the memory kept for the Go runtime, the drivers and
// the SDK (a cold Ferry Lambda peaks at about 40 MB without hashing).
const runtimeReserveMiB = 96

// lambdaFullCoreMB is the function memory at which Lambda allots one full
// vCPU; below it, CPU is allotted in proportion to memory.
const lambdaFullCoreMB = 1769

// MemoryFor is the hashing memory budget of a process limited to
// memoryMB megabytes: all of it but the runtime's reserve, and at least half.
func MemoryFor(memoryMB int) int64 {
	mb := max(memoryMB-runtimeReserveMiB, memoryMB/2)
	return int64(mb) << 20
}

// LimitsFor derives Limits from a migration deadline and the process's
// memory in MB (0: unknown, DefaultLimits' memory). In Lambda (lambda set)
// the CPU share follows the memory as Lambda allots it. The verification
// gets three quarters of the deadline.
func LimitsFor(deadline time.Duration, memoryMB int, lambda bool) Limits {
	l := DefaultLimits
	if deadline > 0 {
		l.Time = deadline * 3 / 4
	}
	if memoryMB > 0 {
		l.Memory = MemoryFor(memoryMB)
		if lambda {
			l.CPUShare = min(1, float64(memoryMB)/lambdaFullCoreMB)
		}
	}
	return l
}

func (l Limits) withDefaults() Limits {
	if l.Time <= 0 {
		l.Time = DefaultLimits.Time
	}
	if l.Memory <= 0 {
		l.Memory = DefaultLimits.Memory
	}
	if l.CPUShare <= 0 || l.CPUShare > 1 {
		l.CPUShare = 1
	}
	return l
}

// processLimits are the limits of Verifiers whose Options leave Limits
// unset, with the memory gate every such Verifier shares: memory is the
// process's, whichever source verifies.
type processLimits struct {
	limits Limits
	gate   *semaphore.Weighted

	// collect, when set, replaces runtime.GC (a test counts the calls).
	collect func()

	mu      sync.Mutex
	waiting int   // verifications waiting for room in the gate
	garbage int64 // room of finished verifications not yet collected
}

// newProcessLimits returns l (with defaults) and an empty gate of l.Memory.
func newProcessLimits(l Limits) *processLimits {
	l = l.withDefaults()
	return &processLimits{limits: l, gate: semaphore.NewWeighted(l.Memory)}
}

// gc frees the memory of finished verifications.
func (pl *processLimits) gc() {
	if pl.collect != nil {
		pl.collect()
		return
	}
	runtime.GC()
}

// acquire waits (honouring ctx) until the gate has room for n bytes. The
// room of finished verifications whose memory has not been collected
// (garbage) is counted as taken, since that memory is still the process's:
// a verification that finds no room collects it and gives it back before
// it waits, so memory is collected only when a verification needs it.
func (pl *processLimits) acquire(ctx context.Context, n int64) error {
	if pl.gate.TryAcquire(n) {
		return nil
	}
	pl.mu.Lock()
	g := pl.garbage
	pl.garbage = 0
	pl.waiting++
	pl.mu.Unlock()
	if g > 0 {
		pl.gc()
		pl.gate.Release(g)
	}
	err := pl.gate.Acquire(ctx, n)
	pl.mu.Lock()
	pl.waiting--
	pl.mu.Unlock()
	return err
}

// release gives back the n bytes of a finished verification. With
// verifications waiting, the memory is collected first and the room given
// back at once: otherwise the next verification would allocate while this
// one's memory is still garbage, and the process would hold twice what
// the gate admitted. With none waiting there is no collection (a full GC
// per memory-hard verification is work for nobody): the room is kept as
// garbage, and the next verification that needs it collects (acquire).
func (pl *processLimits) release(n int64) {
	pl.mu.Lock()
	if pl.waiting == 0 {
		pl.garbage += n
		pl.mu.Unlock()
		return
	}
	pl.mu.Unlock()
	pl.gc()
	pl.gate.Release(n)
}

var current atomic.Pointer[processLimits]

func init() { SetLimits(DefaultLimits) }

// SetLimits sets the process-wide limits (at start-up: from the migration
// deadline and the function's memory). Verifications already admitted keep
// the gate they were admitted through.
func SetLimits(l Limits) {
	current.Store(newProcessLimits(l))
}

// limits returns v's limits and the memory gate they share.
func (v *Verifier) limits() *processLimits {
	if v.own != nil {
		return v.own
	}
	return current.Load()
}

// cost is the model's estimate of one verification: CPU nanoseconds on
// the reference core (see calibration.go) and bytes held while it runs.
type cost struct {
	ns  float64
	mem int64
}

// overBudget is ErrOverBudget and ErrCostTooHigh with what was estimated.
type overBudget struct {
	family string
	what   string
}

func (e *overBudget) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrOverBudget, e.family, e.what)
}

func (e *overBudget) Is(target error) bool {
	return target == ErrOverBudget || target == ErrCostTooHigh
}

// dryRunKey marks a context in which admit only checks the budget: Budget
// and Identify use it to run a family's verification path up to the point
// where work would start.
type dryRunKey struct{}

// errDryRun stops a dry run once the budget is checked.
var errDryRun = errors.New("passhash: dry run")

// admit checks c against v's limits before any work. For memory-hard
// work it then waits (honouring ctx) until the gate has room for c.mem;
// release returns the room. A dry run stops here with errDryRun.
func (v *Verifier) admit(ctx context.Context, family string, c cost) (release func(), err error) {
	pl := v.limits()
	l := pl.limits
	if c.mem > l.Memory {
		return nil, &overBudget{family, fmt.Sprintf("needs %d MiB of memory, budget %d MiB", c.mem>>20, l.Memory>>20)}
	}
	est := time.Duration(math.Min(c.ns/l.CPUShare, math.MaxInt64))
	if est > l.Time {
		return nil, &overBudget{family, fmt.Sprintf("estimated %s, budget %s", est.Round(time.Millisecond), l.Time)}
	}
	if seen, dry := ctx.Value(dryRunKey{}).(*cost); dry {
		*seen = c
		return nil, errDryRun
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.mem <= 0 {
		return func() {}, nil
	}
	if err := pl.acquire(ctx, c.mem); err != nil {
		return nil, err
	}
	return func() { pl.release(c.mem) }, nil
}

// Budget reports, without hashing, whether verifying a password of
// passwordLen bytes against h fits the limits: nil, ErrOverBudget, or the
// error Verify would return for a malformed or unknown h.
func (v *Verifier) Budget(h Hash, passwordLen int) error {
	f, err := v.lookup(h)
	if err != nil {
		return err
	}
	return v.dryRun(f, h, passwordLen)
}

// dryRun runs f's verification path for a password of passwordLen bytes
// up to its admission check. Families without one (fast digests) run in
// full, which costs microseconds.
func (v *Verifier) dryRun(f family, h Hash, passwordLen int) error {
	_, err := v.estimate(f, h, passwordLen)
	return err
}

// estimate is dryRun with the cost the admission check saw (zero for
// families without one).
func (v *Verifier) estimate(f family, h Hash, passwordLen int) (cost, error) {
	var seen cost
	ctx := context.WithValue(context.Background(), dryRunKey{}, &seen)
	_, err := f.verify(ctx, v, string(make([]byte, passwordLen)), h)
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return seen, err
}

// Estimate is Budget with the cost model's estimate of the verification:
// the wall-clock time on the limits' CPU share and the memory it holds.
// Fast digests, which have no admission check, are estimated at zero (they
// take microseconds). `ferry audit` compares the families of one table
// with it.
func (v *Verifier) Estimate(h Hash, passwordLen int) (time.Duration, int64, error) {
	f, err := v.lookup(h)
	if err != nil {
		return 0, 0, err
	}
	c, err := v.estimate(f, h, passwordLen)
	if err != nil {
		return 0, 0, err
	}
	share := v.limits().limits.CPUShare
	return time.Duration(math.Min(c.ns/share, math.MaxInt64)), c.mem, nil
}

// identifyPasswordLen is the password length Identify assumes when it
// checks a hash against the budget: a typical password. Families whose
// cost grows with the password (SHA-crypt, phpass, MD5-crypt) are checked
// again, with the real length, by Verify.
const identifyPasswordLen = 16

// checkEvery returns how many iterations of a loop costing blocks
// compressions each may run between two looks at ctx: about
// ctxCheckBlocks compressions (well under a millisecond).
func checkEvery(blocks int) int {
	return max(1, ctxCheckBlocks/max(1, blocks))
}

// ctxCheckBlocks is the work between two looks at ctx in iterated loops.
const ctxCheckBlocks = 1 << 14

// blocks is the number of compression-function calls that hashing n bytes
// takes with a hash of the given block size (Merkle–Damgård padding
// included).
func blocks(n, blockSize int) int { return (n+blockSize/8)/blockSize + 1 }
