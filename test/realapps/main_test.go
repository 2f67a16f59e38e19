package realapps

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// ferryBin is the ferry binary every test runs, built once by TestMain
// (without -race: it is the program under test, not the test).
var ferryBin string

// parallel is how many of the suite's tests run at once unless -parallel
// says otherwise. The tests spend their time waiting on the programs they
// drive (Python, PHP, the AWS CLI, ferry, the database servers), not on
// the CPU, so go test's default of GOMAXPROCS (2 on a 2-core machine)
// would leave the machine idle while the installs run two at a time. Six
// lets every install run at once (their two runners side by side share
// the slots).
const parallel = 6

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(parallel)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ferry-realapps-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ferryBin = filepath.Join(dir, "ferry")
	_, file, _, _ := runtime.Caller(0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", ferryBin, "./cmd/ferry")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/ferry: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
