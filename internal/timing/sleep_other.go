//go:build !linux

package timing

import (
	"runtime"
	"time"
)

// sleepPrecisely yields the processor in a loop for d, where no precise
// sleep of the kernel's is at hand: at most d of CPU, spent by a goroutine
// that lets every other one run. A clock that stands still for
// stillSpins turns is a fake one (see finish): it returns at once.
func sleepPrecisely(d time.Duration) {
	start := time.Now()
	end := start.Add(d)
	for i := 0; time.Now().Before(end); i++ {
		if i >= stillSpins && time.Now().Equal(start) {
			return
		}
		runtime.Gosched()
	}
}

// stillSpins is how many turns of sleepPrecisely may see the clock stand
// still before it takes the clock for a fake one: a real clock moves
// between any two readings a yield apart.
const stillSpins = 100
