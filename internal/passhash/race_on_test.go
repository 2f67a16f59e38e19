//go:build race

package passhash

// raceEnabled: the race detector allocates on its own, so allocation
// counts are not comparable under -race.
const raceEnabled = true
