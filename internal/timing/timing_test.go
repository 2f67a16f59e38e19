package timing

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestHeadroomAndMedian(t *testing.T) {
	t.Parallel()
	if got := Headroom(40 * time.Millisecond); got != 50*time.Millisecond {
		t.Errorf("Headroom(40ms) = %v, want 50ms", got)
	}
	runs := []time.Duration{9, 1, 5}
	if got := Median(runs); got != 5 {
		t.Errorf("Median(9, 1, 5) = %v, want 5", got)
	}
	if runs[0] != 9 {
		t.Errorf("Median sorted its argument: %v", runs)
	}
	if got := Median(nil); got != 0 {
		t.Errorf("Median(nil) = %v, want 0", got)
	}
}

// TestPadEndsAtTheFloor: on the real clock, a padded answer never ends
// before its floor; and where a bare timer set for the same floor fires
// late by most of a millisecond (a poller that waits in milliseconds, as
// here), Pad ends much nearer the floor than the timer does. Pad and the
// timer take turns, so a busy machine slows both alike.
func TestPadEndsAtTheFloor(t *testing.T) {
	for _, floor := range []time.Duration{200 * time.Microsecond, 700 * time.Microsecond, 3 * time.Millisecond} {
		var padLate, timerLate []time.Duration
		for range 20 {
			start := time.Now()
			Pad(t.Context(), start, floor)
			took := time.Since(start)
			if took < floor {
				t.Fatalf("Pad(%v) returned after %v, before the floor", floor, took)
			}
			padLate = append(padLate, took-floor)
			start = time.Now()
			<-time.NewTimer(floor).C
			timerLate = append(timerLate, time.Since(start)-floor)
		}
		p, b := Median(padLate), Median(timerLate)
		t.Logf("floor %v: Pad late by %v, a bare timer by %v in median (slack %v)", floor, p, b, Slack())
		if floor < time.Millisecond && b >= 500*time.Microsecond && p > b/2 {
			t.Errorf("Pad(%v) ends %v after the floor in median, a bare timer %v: the timer's lateness is not made up", floor, p, b)
		}
	}
}

// TestPadNeverPastTheDeadline: a floor beyond the context's deadline
// pads to the deadline, and a cancelled context ends the wait.
func TestPadNeverPastTheDeadline(t *testing.T) {
	t.Parallel()
	start := time.Now()
	ctx, cancel := context.WithDeadline(t.Context(), start.Add(20*time.Millisecond))
	defer cancel()
	Pad(ctx, start, time.Minute)
	if took := time.Since(start); took < 20*time.Millisecond || took > 10*time.Second {
		t.Errorf("Pad(1m) with a 20ms deadline took %v", took)
	}
	done, stop := context.WithCancel(t.Context())
	stop()
	start = time.Now()
	Pad(done, start, time.Minute)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Pad on a cancelled context took %v", took)
	}
	// An answer already past the floor does not wait.
	start = time.Now()
	Pad(t.Context(), start.Add(-time.Second), time.Millisecond)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Pad past the floor took %v", took)
	}
}

// TestPadOnAFakeClock: under testing/synctest, whose clock moves only when
// every goroutine blocks, Pad ends exactly at the floor instead of
// spinning for ever.
func TestPadOnAFakeClock(t *testing.T) {
	Slack() // nonzero from the first call: the fake clock meets the precise sleep
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		Pad(t.Context(), start, 3*time.Millisecond)
		if took := time.Since(start); took != 3*time.Millisecond {
			t.Errorf("Pad(3ms) took %v on the fake clock, want exactly 3ms", took)
		}
	})
}

// TestFloorLearnsTheDearerClass: the floor is Headroom of the largest
// class median; a flood of the cheap class cannot lower it; the window
// follows a change of cost; Unobserved answers teach nothing.
func TestFloorLearnsTheDearerClass(t *testing.T) {
	t.Parallel()
	const cheap, dear = 0, 1
	var f Floor
	if got := f.Current(); got != 0 {
		t.Fatalf("zero Floor: %v, want 0", got)
	}
	f.Observe(cheap, 8*time.Millisecond)
	if got := f.Current(); got != 10*time.Millisecond {
		t.Fatalf("after one cheap answer: %v, want 10ms", got)
	}
	for range 5 {
		f.Observe(dear, 40*time.Millisecond)
	}
	f.Observe(dear, time.Second) // one outlier moves no median
	for range 10 * floorWindow {
		f.Observe(cheap, time.Millisecond)
		f.Observe(Unobserved, time.Hour)
	}
	if got := f.Current(); got != 50*time.Millisecond {
		t.Errorf("after a flood of cheap answers: %v, want 50ms (the dear class's)", got)
	}
	for range floorWindow {
		f.Observe(dear, 20*time.Millisecond)
	}
	if got := f.Current(); got != 25*time.Millisecond {
		t.Errorf("after the dear class got cheaper: %v, want 25ms", got)
	}
}

// TestFloorPadObservesBeforePadding: Floor.Pad learns the answer's own
// cost, not its padded time, so padding does not raise the floor.
func TestFloorPadObservesBeforePadding(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var f Floor
		start := time.Now()
		time.Sleep(8 * time.Millisecond) // the answer's work, on the fake clock
		f.Pad(t.Context(), start, 0)
		if took := time.Since(start); took != 10*time.Millisecond {
			t.Errorf("first answer took %v, want 10ms (8ms of work, padded)", took)
		}
		for range 3 * floorWindow {
			start := time.Now()
			f.Pad(t.Context(), start, 1)
			if took := time.Since(start); took != 10*time.Millisecond {
				t.Fatalf("answer took %v, want the 10ms floor", took)
			}
		}
		if got := f.Current(); got != 10*time.Millisecond {
			t.Errorf("floor after padded answers: %v, want 10ms (it must not creep)", got)
		}
	})
}
