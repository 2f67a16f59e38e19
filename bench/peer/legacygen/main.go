// Command legacygen prepares the legacy side of the peer comparison and
// measures its hash-bound ceiling. It writes a SQLite database of n legacy
// users legacy0…legacy(n-1)@example.com whose password Legacy#Pass1 is
// stored as a bcrypt hash of the given cost (the loadgen "migrate"
// workload signs them in), and prints one JSON line with the median time
// of a single bcrypt verification on this machine and the resulting
// ceiling: cores ÷ that time, the most migrating sign-ins per second any
// server could reach when each one must verify one such hash.
//
// Every row holds the same hash string: verification costs the same for
// any salt, and hashing n passwords at cost 10 would take minutes.
//
// Usage: legacygen -db legacy.db -n 5000 [-cost 10] [-samples 15]
// (-db "" only measures: run it right before and after a load phase so
// the ceiling is taken under the same machine load.)
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "legacygen:", err)
		os.Exit(1)
	}
}

// Password is what loadgen's migrate workload types.
const Password = "Legacy#Pass1"

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("legacygen", flag.ContinueOnError)
	dbPath := fs.String("db", "legacy.db", `SQLite database to create ("" to measure only)`)
	n := fs.Int("n", 5000, "legacy users to write")
	cost := fs.Int("cost", 10, "bcrypt cost")
	samples := fs.Int("samples", 15, "single verifications timed for the ceiling (bounded to 1..200)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 1_000_000 {
		return errors.New("-n: want 1..1000000")
	}
	*samples = min(max(*samples, 1), 200)

	hash, err := bcrypt.GenerateFromPassword([]byte(Password), *cost)
	if err != nil {
		return fmt.Errorf("bcrypt: %w", err)
	}
	if *dbPath != "" {
		if err := writeDB(ctx, *dbPath, *n, string(hash)); err != nil {
			return err
		}
	}

	times := make([]time.Duration, 0, *samples)
	cpu0 := cpuTime()
	for range *samples {
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		if err := bcrypt.CompareHashAndPassword(hash, []byte(Password)); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		times = append(times, time.Since(t0))
	}
	cpuPerVerify := (cpuTime() - cpu0) / time.Duration(len(times))
	slices.Sort(times)
	med := times[len(times)/2]
	cores := runtime.NumCPU()
	out := map[string]any{
		"bcrypt_cost": *cost, "samples": len(times), "cores": cores,
		"verify_ms_p50":     float64(med.Microseconds()) / 1000,
		"verify_ms_min":     float64(times[0].Microseconds()) / 1000,
		"verify_cpu_ms":     float64(cpuPerVerify.Microseconds()) / 1000,
		"ceiling_ops_per_s": float64(cores) / med.Seconds(),
	}
	if *dbPath != "" {
		out["users"] = *n
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// cpuTime is the CPU time this process has used. Unlike wall time it
// hardly changes when other processes compete for the cores, so it gives
// a load-insensitive cost of one verification.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func writeDB(ctx context.Context, path string, n int, hash string) error {
	_ = os.Remove(path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE users (
		id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL UNIQUE,
		email_verified INTEGER NOT NULL, password_hash TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO users (id, username, email, email_verified, password_hash) VALUES (?, ?, ?, 1, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, i, fmt.Sprintf("legacy%d", i), fmt.Sprintf("legacy%d@example.com", i), hash); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
	}
	return tx.Commit()
}
