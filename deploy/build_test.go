package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// build is what the Makefile's lambda target produces.
type build struct {
	arch    string // GOARCH (LAMBDA_ARCH's default)
	handler string // the binary's name
	runtime string // the Lambda runtime it is built for
	zip     string // the package, from the repository root
	tags    string
}

// readBuild reads the lambda target from the Makefile, so a change there
// that the templates do not follow fails here.
func readBuild(t *testing.T) build {
	t.Helper()
	b, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	mk := string(b)
	find := func(what, pattern string) string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(mk)
		if m == nil {
			t.Fatalf("Makefile: no %s (%s)", what, pattern)
		}
		return m[1]
	}
	var out build
	out.arch = find("LAMBDA_ARCH default", `(?m)^LAMBDA_ARCH\s*\?=\s*(\S+)`)
	out.runtime = find("runtime", `(provided\.al20\d\d)`)
	out.tags = find("build tags", `-tags\s+(\S+)`)
	out.handler = find("binary", `-o \$\(BIN\)/lambda-\$\(LAMBDA_ARCH\)/(\S+)`)
	zip := find("zip", `(\.\./ferry-lambda-\$\(LAMBDA_ARCH\)\.zip)`)
	// The zip is written from $(BIN)/lambda-$(LAMBDA_ARCH), one level below bin.
	out.zip = "bin/" + strings.TrimPrefix(strings.ReplaceAll(zip, "$(LAMBDA_ARCH)", out.arch), "../")
	return out
}

// lambdaArchName is Lambda's name for a GOARCH.
func lambdaArchName(goarch string) string {
	if goarch == "amd64" {
		return "x86_64"
	}
	return goarch
}

func TestReadBuild(t *testing.T) {
	t.Parallel()
	b := readBuild(t)
	want := build{arch: "arm64", handler: "bootstrap", runtime: "provided.al2023", zip: "bin/ferry-lambda-arm64.zip", tags: b.tags}
	if b != want {
		t.Errorf("Makefile lambda target = %+v, want %+v", b, want)
	}
	if !strings.Contains(b.tags, "lambda.norpc") {
		t.Errorf("build tags %q lack lambda.norpc (provided runtimes have no RPC mode)", b.tags)
	}
}
