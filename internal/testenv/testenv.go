// Package testenv lets integration tests find the real servers and tools
// they need (PostgreSQL, MariaDB, OpenLDAP, Node, the AWS CLI) and decides
// what happens when one is missing: a skip with a clear message locally, a
// failure when FERRY_REQUIRE_INTEGRATION=1 (as CI sets), so a run can never
// pass by skipping.
package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireVar is the variable that turns missing integration prerequisites
// from skips into failures.
const RequireVar = "FERRY_REQUIRE_INTEGRATION"

// Required reports whether integration prerequisites are mandatory.
func Required() bool { return os.Getenv(RequireVar) == "1" }

// Missing skips t (or fails it when integration is required) because what
// is unavailable.
func Missing(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is unavailable and %s=1: integration tests must not skip", what, RequireVar)
	}
	t.Skipf("skipping: %s is unavailable (run `make test` to start it, or set it up yourself)", what)
}

// Env returns the value of the environment variable name, or skips/fails t
// (see Missing) when it is empty. what describes the server it points to.
func Env(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(t, what+" ($"+name+" not set)")
	}
	return v
}

// Tool returns the path of the executable name, or skips/fails t when it is
// not on PATH.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "the "+name+" command")
	}
	return p
}

// NodeModules returns the node_modules directory holding the npm package
// pkg: the one named by $FERRY_NODE_MODULES, else the real-client test
// clients' directory (test/clients/node) that `make test` installs, found
// from the module root. Without it t skips, or fails (see Missing).
func NodeModules(t testing.TB, pkg string) string {
	t.Helper()
	dir := os.Getenv("FERRY_NODE_MODULES")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "test", "clients", "node", "node_modules")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(abs, pkg, "package.json")); err != nil {
		Missing(t, "the npm package "+pkg+" (npm ci in test/clients/node, or set $FERRY_NODE_MODULES)")
	}
	return abs
}

// moduleRoot is the nearest directory above the working directory (a
// test's package directory) holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}
