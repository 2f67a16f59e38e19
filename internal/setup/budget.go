package setup

import (
	"runtime/debug"
	"strconv"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/passhash"
)

// LambdaMemoryEnv is the variable in which Lambda gives the function's
// memory in MB.
const LambdaMemoryEnv = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"

// LambdaMemoryMB reads the function's memory from getenv (0 when unset or
// not a number).
func LambdaMemoryMB(getenv func(string) string) int {
	n, err := strconv.Atoi(getenv(LambdaMemoryEnv))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// applyLimits sets the hash verification budget from the migration
// deadline and the process's memory, and, when the memory is known, the Go
// runtime's soft memory limit, so that the heap freed by one memory-hard
// verification is reused before the next grows the process.
func applyLimits(p migration.Policy, o Options) passhash.Limits {
	l := passhash.LimitsFor(p.Deadline, o.MemoryMB, o.Lambda)
	passhash.SetLimits(l)
	if o.MemoryMB > 0 {
		debug.SetMemoryLimit(int64(o.MemoryMB) << 20 * 9 / 10)
	}
	return l
}
