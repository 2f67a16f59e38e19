// Package bench holds Ferry's benchmark drivers: raw password-hash
// verification, the trigger handler, the local user pool, and the real
// `ferry serve` binary timed from outside over PostgreSQL, so that each
// layer's cost can be read against the layer below it. Figures are recorded
// in docs/BENCHMARKS.md; run them with `make bench`.
package bench
