package passhash

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// vector is one line of a testdata/*.tsv file.
type vector struct {
	file     string
	line     int
	password string
	hash     Hash
	want     string // true, false, malformed, unknown, cost, notallowed
}

// vectorFile is a parsed vector file with its Options.
type vectorFile struct {
	name    string
	opts    Options
	vectors []vector
}

func loadVectors(t testing.TB) []vectorFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.tsv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no vector files: %v", err)
	}
	var out []vectorFile
	for _, path := range paths {
		vf := vectorFile{name: filepath.Base(path)}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			switch {
			case line == "":
				continue
			case strings.HasPrefix(line, "#! "):
				applyDirective(t, &vf.opts, strings.TrimPrefix(line, "#! "))
				continue
			case strings.HasPrefix(line, "#"):
				continue
			}
			cols := strings.Split(line, "\t")
			if len(cols) < 3 || len(cols) > 5 {
				t.Fatalf("%s:%d: %d columns", path, n, len(cols))
			}
			for len(cols) < 5 {
				cols = append(cols, "")
			}
			vf.vectors = append(vf.vectors, vector{file: vf.name, line: n, password: cols[0],
				hash: Hash{Encoded: cols[1], Format: cols[3], Salt: cols[4]}, want: cols[2]})
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out = append(out, vf)
	}
	return out
}

func applyDirective(t testing.TB, o *Options, d string) {
	t.Helper()
	key, val, _ := strings.Cut(d, "=")
	switch key {
	case "pepper":
		o.Pepper = val
	case "allow_plaintext":
		o.AllowPlaintext = true
	case "firebase":
		p := strings.Split(val, ",")
		if len(p) != 4 {
			t.Fatalf("firebase directive wants 4 values, got %q", val)
		}
		rounds, _ := strconv.Atoi(p[2])
		mem, _ := strconv.Atoi(p[3])
		o.Firebase = FirebaseOptions{SignerKey: p[0], SaltSeparator: p[1], Rounds: rounds, MemCost: mem}
	default:
		t.Fatalf("unknown directive %q", d)
	}
}

var wantErr = map[string]error{
	"malformed":  ErrMalformed,
	"unknown":    ErrUnknownFormat,
	"cost":       ErrCostTooHigh,
	"notallowed": ErrNotAllowed,
}

// TestVectors runs every vector file: matches, wrong passwords, malformed
// values and out-of-bounds costs, and checks that Identify agrees with Verify.
func TestVectors(t *testing.T) {
	t.Parallel()
	for _, vf := range loadVectors(t) {
		v, err := New(vf.opts)
		if err != nil {
			t.Fatalf("%s: New: %v", vf.name, err)
		}
		t.Run(vf.name, func(t *testing.T) {
			t.Parallel()
			for _, vec := range vf.vectors {
				t.Run(strconv.Itoa(vec.line), func(t *testing.T) {
					checkVector(t, v, vec)
				})
			}
		})
	}
}

func checkVector(t *testing.T, v *Verifier, vec vector) {
	t.Helper()
	res, err := v.Verify(t.Context(), vec.password, vec.hash)
	info, idErr := v.Identify(vec.hash)
	switch vec.want {
	case "true", "false":
		if err != nil {
			t.Fatalf("%s:%d Verify(%q) error: %v", vec.file, vec.line, vec.hash.Encoded, err)
		}
		if got := strconv.FormatBool(res.Match); got != vec.want {
			t.Fatalf("%s:%d Verify(%q) match = %s, want %s", vec.file, vec.line, vec.hash.Encoded, got, vec.want)
		}
		if res.Family == "" {
			t.Errorf("%s:%d empty family", vec.file, vec.line)
		}
		if idErr != nil {
			t.Fatalf("%s:%d Identify error: %v", vec.file, vec.line, idErr)
		}
		if info.Family != res.Family || info.Weak != res.Weak {
			t.Errorf("%s:%d Identify = %+v, Verify = %+v", vec.file, vec.line, info, res)
		}
	default:
		want, ok := wantErr[vec.want]
		if !ok {
			t.Fatalf("%s:%d unknown want %q", vec.file, vec.line, vec.want)
		}
		if !errors.Is(err, want) {
			t.Fatalf("%s:%d Verify(%q) = %+v, %v; want %v", vec.file, vec.line, vec.hash.Encoded, res, err, want)
		}
		if res != (Result{}) {
			t.Errorf("%s:%d error with non-zero result %+v", vec.file, vec.line, res)
		}
		if !errors.Is(idErr, want) {
			t.Errorf("%s:%d Identify error = %v, want %v", vec.file, vec.line, idErr, want)
		}
	}
}
