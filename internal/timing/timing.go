// Package timing makes answers that must not be told apart take the same
// time. It is the one padding rule of Ferry: an answer that ends early
// waits, on a timer and never past its context's deadline, until a floor
// set a quarter above the measured cost of the most expensive of the
// answers it hides among (Headroom). Sign-in pads every answer that is not
// a match to the dummy verification's calibrated cost; forgot-password
// pads every answer, in the trigger and in the local pool, to the cost of
// the answer for a legacy user, learnt as it runs (Floor).
package timing

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Headroom scales a measured median to the floor answers are padded to
// (by 5/4). The cost being hidden varies with the machine's load: padded
// only to its median, the expensive answer would run past the floor half
// the time and be slower than a padded cheap one. A quarter above, both
// end at the floor unless the load rises by more than that.
func Headroom(median time.Duration) time.Duration {
	return median * headroomNum / headroomDen
}

const headroomNum, headroomDen = 5, 4

// Median returns the median of runs (the upper one of an even count), or
// zero for none. runs is not modified.
func Median(runs []time.Duration) time.Duration {
	if len(runs) == 0 {
		return 0
	}
	s := slices.Clone(runs)
	slices.Sort(s)
	return s[len(s)/2]
}

// Pad waits until the work begun at start has taken floor: until
// start+floor, or the context's deadline if that comes first, or until
// ctx is cancelled. It never sleeps past the deadline (an answer padded
// into a timeout would be a fault, not a disguise); an answer already
// slower than the floor does not wait.
//
// The wait is a timer, but a timer alone cannot end it on time: where the
// Go runtime's poller waits in whole milliseconds (Linux's epoll_wait), a
// timer fires up to a millisecond late, rounded from when it was set, so
// two answers whose work differed by 30 µs would still end 30 µs apart, and
// a floor under a millisecond would not pad at all. Pad therefore sets the
// timer for the wait less the timer's measured lateness (Slack), and sleeps
// the rest precisely (sleepPrecisely: the kernel's own timer on Linux,
// which ends it within tens of microseconds, the same for every answer).
// No CPU is spent waiting.
func Pad(ctx context.Context, start time.Time, floor time.Duration) {
	slack := Slack() // first, since measuring it takes time once
	until := start.Add(floor)
	if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
		until = dl
	}
	wait := time.Until(until)
	if wait <= 0 {
		return
	}
	if sleep := wait - slack; sleep > 0 {
		t := time.NewTimer(sleep)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
	finish(ctx, until)
}

// finish sleeps precisely until until (a stretch of at most about Slack).
// A clock that has not moved across a sleep is not the wall clock but a
// fake one that advances only when every goroutine blocks
// (testing/synctest); there the rest of the wait is a timer, which such a
// clock fires exactly.
func finish(ctx context.Context, until time.Time) {
	for ctx.Err() == nil {
		now := time.Now()
		rest := until.Sub(now)
		if rest <= 0 {
			return
		}
		sleepPrecisely(rest)
		if time.Now().Equal(now) {
			t := time.NewTimer(rest)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			return
		}
	}
}

// Slack is how late a timer fires here at worst: the largest lateness of
// slackRuns short timers, with Headroom (the lateness depends on where in
// the poller's millisecond the timer is set; a short probe is late by
// nearly the whole millisecond). It is a few microseconds where timers are
// precise and about a millisecond where the poller rounds to milliseconds.
//
// It is measured once, in the background, from the first call on, so that
// no answer waits for the measurement (a cold start's first answer would
// otherwise pay its few milliseconds); until it is done, Slack is
// unmeasuredSlack.
func Slack() time.Duration {
	slackOnce.Do(func() { go measureSlack() })
	if d := slack.Load(); d > 0 {
		return time.Duration(d)
	}
	return unmeasuredSlack
}

func measureSlack() {
	var late time.Duration
	for range slackRuns {
		start := time.Now()
		t := time.NewTimer(slackProbe)
		<-t.C
		late = max(late, time.Since(start)-slackProbe)
	}
	slack.Store(int64(max(Headroom(late), 1)))
}

// slackRuns timers of slackProbe each measure Slack: a few, so that one
// late wake-up (a busy machine) does not stand alone, and short, so the
// measurement takes a few milliseconds once per process.
const (
	slackRuns  = 3
	slackProbe = 50 * time.Microsecond
)

// unmeasuredSlack is Slack before its measurement ends: the worst
// lateness of a poller that waits in whole milliseconds, with headroom, so
// the first answers are padded precisely whatever the timers turn out to be
// (at the price of a longer precise sleep, which costs no CPU).
const unmeasuredSlack = 2 * time.Millisecond

var (
	slackOnce sync.Once
	slack     atomic.Int64 // nanoseconds; 0 until measured
)
