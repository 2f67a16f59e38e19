package filesource

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func hash(t *testing.T, pw string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// yamlUsers writes the conformance users as YAML with cost-cost hashes.
func yamlUsers(t *testing.T, cost int) string {
	return write(t, "users.yaml", fmt.Sprintf(`users:
  - id: "1"
    username: alice
    email: alice@example.com
    email_verified: true
    phone: "+15550100"
    password_hash: %q
    attributes:
      given_name: Alice
      custom:legacy_id: "1"
  - id: "2"
    username: bob
    email: bob@example.com
    password_hash: %q
  - username: carol
    password_hash: %q
    disabled: true
`, hash(t, "alice-pw", cost), hash(t, "bob-pw", cost), hash(t, "carol-pw", cost)))
}

func csvUsers(t *testing.T) string {
	return write(t, "users.csv", fmt.Sprintf(`# exported from the legacy directory
id,username,email,email_verified,phone,password_hash,disabled,given_name,custom:legacy_id,groups
1,Alice,alice@example.com,true,+15550100,%s,false,Alice,1,admins;staff
2,bob,bob@example.com,false,,%s,,,,
3,carol,,,,%s,true,,,
`, hash(t, "alice-pw", bcrypt.MinCost), hash(t, "bob-pw", bcrypt.MinCost), hash(t, "carol-pw", bcrypt.MinCost)))
}

func open(t *testing.T, c Config) *Source {
	t.Helper()
	s, err := c.Open(t.Context(), "file", discard())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("yaml", func(t *testing.T) {
		t.Parallel()
		path := yamlUsers(t, bcrypt.MinCost)
		sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
			return sourcetest.Fixture{
				Source: open(t, Config{Path: path}),
				User: sourcetest.Account{Name: "alice", Password: "alice-pw", Want: &source.User{
					ID: "1", Username: "alice", Email: "alice@example.com", EmailVerified: true, Phone: "+15550100",
					Attributes: map[string]string{"given_name": "Alice", "custom:legacy_id": "1"},
					HashFamily: "bcrypt", WeakHash: true,
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-pw", Want: &source.User{
					ID: "2", Username: "bob", Email: "bob@example.com",
				}},
				Disabled:       &sourcetest.Account{Name: "carol", Password: "carol-pw"},
				VerifiesHashes: true,
			}
		})
	})
	t.Run("csv", func(t *testing.T) {
		t.Parallel()
		path := csvUsers(t)
		sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
			return sourcetest.Fixture{
				Source: open(t, Config{Path: path, CaseInsensitive: true}),
				User: sourcetest.Account{Name: "alice", Password: "alice-pw", Want: &source.User{
					ID: "1", Username: "Alice", Email: "alice@example.com", EmailVerified: true, Phone: "+15550100",
					Attributes: map[string]string{"given_name": "Alice", "custom:legacy_id": "1"},
					Groups:     []string{"admins", "staff"},
				}},
				ByEmail: &sourcetest.Account{Name: "BOB@example.com", Password: "bob-pw", Want: &source.User{
					ID: "2", Username: "bob", Email: "bob@example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "carol-pw"},
				CaseInsensitive: true,
				VerifiesHashes:  true,
			}
		})
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	h := hash(t, "pw", bcrypt.MinCost)
	tests := []struct {
		name    string
		file    string
		content string
		cfg     Config
		want    []string
	}{
		{"no path", "", "", Config{}, []string{"path: required"}},
		{"unknown extension", "users.txt", "x", Config{}, []string{"format: cannot tell"}},
		{"unknown format", "users.yaml", "x", Config{Format: "xml"}, []string{`format: unknown format "xml"`}},
		{"unknown mode", "users.yaml", "x", Config{Lookup: "phone"}, []string{`lookup: unknown mode`}},
		{"unknown yaml field", "users.yaml", "users:\n  - username: a\n    password: x\n", Config{}, []string{"field password not found"}},
		{"no users", "users.yaml", "users: []\n", Config{}, []string{"no users"}},
		{"every bad entry reported", "users.yaml", fmt.Sprintf("users:\n  - username: a\n    password_hash: %q\n  - email: x@y\n  - username: a\n    password_hash: dummy\n", h),
			Config{}, []string{"users[1].username: required", `users[2].username: "a" appears twice`}},
		{"case-insensitive duplicates", "users.csv", "username,password_hash\nAnn," + h + "\nann," + h + "\n",
			Config{CaseInsensitive: true}, []string{`users[1].username: "ann" appears twice`}},
		{"csv without username", "users.csv", "email,password_hash\n", Config{}, []string{"no username column"}},
		{"csv bad bool", "users.csv", "username,password_hash,disabled\na," + h + ",perhaps\n", Config{}, []string{"csv line 2, column disabled"}},
		{"no hash at all", "users.csv", "username\na\n", Config{}, []string{"no user has a usable password_hash"}},
		{"only unusable hashes", "users.yaml", "users:\n  - username: a\n    password_hash: dummy\n", Config{}, []string{"no user has a usable password_hash"}},
		{"missing file", "", "", Config{Path: "/nonexistent/users.yaml"}, []string{"no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.cfg
			if tt.file != "" {
				c.Path = write(t, tt.file, tt.content)
			}
			_, err := c.Open(t.Context(), "file", discard())
			var se *source.Error
			if !errors.As(err, &se) || se.Op != "open" {
				t.Fatalf("Open = %v, want a source.Error from open", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open: %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestPepperAndLookupModes(t *testing.T) {
	t.Parallel()
	path := write(t, "users.yaml", fmt.Sprintf("users:\n  - username: ann@legacy\n    email: ann@example.com\n    password_hash: %q\n",
		hash(t, "pw"+"pep", bcrypt.MinCost)))
	pepperFile := write(t, "pepper", "pep\n")
	tests := []struct {
		name, mode, user string
		want             error
	}{
		{"both/email", LookupBoth, "ann@example.com", nil},
		{"both/username with @", LookupBoth, "ann@legacy", nil},
		{"username/email", LookupUsername, "ann@example.com", source.ErrUserNotFound},
		{"email/username", LookupEmail, "ann@legacy", source.ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, Config{Path: path, Lookup: tt.mode, PepperFile: pepperFile})
			_, err := s.Authenticate(t.Context(), tt.user, "pw")
			if !errors.Is(err, tt.want) {
				t.Errorf("Authenticate(%q) = %v, want %v", tt.user, err, tt.want)
			}
		})
	}
}

// TestUnknownUserCostsAVerification interleaves wrong-password and
// unknown-user calls and compares the fastest of each, so that load from
// other processes affects both alike.
func TestUnknownUserCostsAVerification(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: skipped with -short")
	}
	// Not parallel: the package's parallel tests wait until it is done, so
	// their bcrypt work does not distort the measurement.
	s := open(t, Config{Path: yamlUsers(t, 8)})
	var wrong, unknown time.Duration
	measure := func(best *time.Duration, name string, want error) {
		start := time.Now()
		if _, err := s.Authenticate(t.Context(), name, "wrong"); !errors.Is(err, want) {
			t.Fatalf("Authenticate(%q) = %v, want %v", name, err, want)
		}
		if d := time.Since(start); *best == 0 || d < *best {
			*best = d
		}
	}
	for range 7 {
		measure(&wrong, "alice", source.ErrInvalidPassword)
		measure(&unknown, "nobody", source.ErrUserNotFound)
	}
	t.Logf("fastest: wrong password %v, unknown user %v", wrong, unknown)
	if unknown < wrong/2 {
		t.Errorf("unknown user took %v, wrong password %v", unknown, wrong)
	}
}

func TestConfigLogValueRedacts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := Config{Path: "users.yaml", Pepper: "pepper-s3cret"}
	log.Debug("open", "config", c)
	if out := buf.String() + c.String(); strings.Contains(out, "pepper-s3cret") {
		t.Errorf("the pepper reached the log: %s", out)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	path := yamlUsers(t, bcrypt.MinCost)
	s := open(t, Config{Path: path})
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(t.Context()); err == nil {
		t.Error("Check after the file was removed: nil, want a fault")
	}
	// Users stay in memory.
	if _, err := s.Authenticate(t.Context(), "alice", "alice-pw"); err != nil {
		t.Errorf("Authenticate after the file was removed: %v", err)
	}
}

// TestExample opens the demo users of examples/file and signs alice in.
func TestExample(t *testing.T) {
	t.Parallel()
	s := open(t, Config{Path: "../../../examples/file/users.yaml", CaseInsensitive: true})
	u, err := s.Authenticate(t.Context(), "Alice", "Alice-demo-1")
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if u.ID != "1001" || u.Attributes["family_name"] != "Liddell" || len(u.Groups) != 1 {
		t.Errorf("alice = %+v", u)
	}
	if _, err := s.Authenticate(t.Context(), "carol", "Carol-demo-3"); !errors.Is(err, source.ErrUserDisabled) {
		t.Errorf("carol: %v, want ErrUserDisabled", err)
	}
}

// TestBadHashIsThatUsersOutcome: a row whose stored hash is over the work
// budget (bcrypt cost 31) or of no known format does not stop the file from
// loading, never becomes the dummy, and is that user's *source.RecordError
// when they sign in, while everyone else still signs in.
func TestBadHashIsThatUsersOutcome(t *testing.T) {
	t.Parallel()
	h := hash(t, "bob-pw", bcrypt.MinCost)
	cost31 := "$2a$31$" + strings.Repeat("a", 53)
	s := open(t, Config{Path: write(t, "users.yaml", fmt.Sprintf(`users:
  - {id: "1", username: hostile, password_hash: %q}
  - {id: "2", username: odd, password_hash: "not-a-hash"}
  - {id: "3", username: bob, password_hash: %q}
`, cost31, h))})
	for _, tt := range []struct{ name, reason string }{{"hostile", source.RecordHashOverBudget}, {"odd", source.RecordHashUnknown}} {
		_, err := s.Authenticate(t.Context(), tt.name, "guess")
		var rec *source.RecordError
		if !errors.As(err, &rec) || rec.Reason != tt.reason {
			t.Errorf("%s: %v, want a RecordError with reason %s", tt.name, err, tt.reason)
		}
		var fault *source.Error
		if errors.As(err, &fault) {
			t.Errorf("%s: %v is a source fault", tt.name, err)
		}
	}
	if _, err := s.Authenticate(t.Context(), "nobody", "guess"); !errors.Is(err, source.ErrUserNotFound) {
		t.Errorf("unknown user: %v, want not found (the dummy is bob's hash, not the hostile one)", err)
	}
	if u, err := s.Authenticate(t.Context(), "bob", "bob-pw"); err != nil || u.ID != "3" {
		t.Errorf("bob: %v, %v", u, err)
	}
}

// TestFoldIsTheCanonicalName: with case_insensitive, every spelling the
// throttle counts as one name (case, full-width letters) finds the one
// user.
func TestFoldIsTheCanonicalName(t *testing.T) {
	t.Parallel()
	s := open(t, Config{Path: yamlUsers(t, bcrypt.MinCost), CaseInsensitive: true})
	for _, name := range []string{"ALICE", "ａｌｉｃｅ", "Alice@Example.COM", "alice@example.com"} {
		if u, err := s.Lookup(t.Context(), name); err != nil || u.ID != "1" {
			t.Errorf("Lookup(%q) = %v, %v; want alice", name, u, err)
		}
	}
}
