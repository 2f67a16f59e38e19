package timing

import (
	"context"
	"sync"
	"time"
)

// Floor is a padding floor learnt from the answers it pads. Its caller
// sorts answers into classes by the work they do (small integers: for
// forgot-password, "no user found" and "legacy user answered"), observes
// each answer's own cost in its class, and pads every answer to Headroom of
// the largest class median over the last floorWindow answers of each class.
// The floor thus follows the machine's load and the sources' latency
// without a constant, and a flood of one class (unknown names, say) cannot
// pull it below the cost of another: each class keeps its own window.
//
// The zero Floor is ready to use; a Floor is safe for concurrent use.
type Floor struct {
	mu      sync.Mutex
	classes []window
	floor   time.Duration
}

// window is the ring of one class's last costs.
type window struct {
	runs   []time.Duration
	next   int
	median time.Duration
}

// floorWindow is how many recent answers of a class its median is taken
// over: enough that one slow answer (a GC pause, a cold connection) moves
// the median little, few enough that a change of load shows within seconds
// of traffic.
const floorWindow = 64

// Unobserved is the class of an answer that is padded but whose cost is not
// a sample of any class (one refused before any work, a throttled one: its
// cost says nothing of what the others cost).
const Unobserved = -1

// Observe records that an answer of class took d of its own work (before
// any padding: a padded time fed back would raise the floor without end).
func (f *Floor) Observe(class int, d time.Duration) {
	if class < 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.classes) <= class {
		f.classes = append(f.classes, window{})
	}
	w := &f.classes[class]
	if len(w.runs) < floorWindow {
		w.runs = append(w.runs, d)
	} else {
		w.runs[w.next] = d
		w.next = (w.next + 1) % floorWindow
	}
	w.median = Median(w.runs)
	var top time.Duration
	for _, c := range f.classes {
		top = max(top, c.median)
	}
	f.floor = Headroom(top)
}

// Current returns the floor answers are padded to now: Headroom of the
// largest class median, zero before any answer was observed.
func (f *Floor) Current() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.floor
}

// Pad ends an answer of class begun at start: it observes the answer's
// cost so far (unless class is Unobserved), then waits, as Pad does, until
// the answer has taken the floor.
func (f *Floor) Pad(ctx context.Context, start time.Time, class int) {
	f.Observe(class, time.Since(start))
	Pad(ctx, start, f.Current())
}
