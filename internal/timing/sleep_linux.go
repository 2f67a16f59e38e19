package timing

import (
	"syscall"
	"time"
)

// sleepPrecisely blocks the calling thread in nanosleep(2) for d: the
// kernel's high-resolution timer ends it within its timer slack (50 µs by
// default), where a Go timer may wait for the poller's next millisecond.
// The runtime hands the goroutine's processor to others meanwhile; the
// thread is held for d, a stretch of about Slack.
func sleepPrecisely(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
