package filesource

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// pacedFile is a users file whose first user (the dummy's hash) and most
// users hash with bcrypt cost 4, with, when dear, one PBKDF2-SHA256 user
// of 100,000 iterations, tens of times dearer.
func pacedFile(t *testing.T, dear bool) *Source {
	t.Helper()
	users := "users:\n"
	for i := range 3 {
		users += fmt.Sprintf("  - {id: \"%d\", username: user%d, password_hash: %q}\n", i+1, i, hash(t, "pw", bcrypt.MinCost))
	}
	if dear {
		key, err := pbkdf2.Key(sha256.New, "right", []byte("salt"), 100_000, 32)
		if err != nil {
			t.Fatal(err)
		}
		users += fmt.Sprintf("  - {id: \"9\", username: dear, password_hash: %q}\n",
			"pbkdf2_sha256$100000$salt$"+base64.StdEncoding.EncodeToString(key))
	}
	return open(t, Config{Path: write(t, "users.yaml", users)})
}

// TestFileDearerFamilyRaisesFloor: as for the SQL source, once a wrong
// password was verified against the PBKDF2 user, an unknown name and a
// wrong password on a bcrypt user are padded to that family's cost, not
// the bcrypt dummy's; before, a file mixing families told a PBKDF2 user
// from a name nobody has by time. The padding guarantees the lower bound,
// so the comparison holds on any load.
func TestFileDearerFamilyRaisesFloor(t *testing.T) {
	s := pacedFile(t, true)
	timed := func(user string) time.Duration {
		start := time.Now()
		if _, err := s.Authenticate(t.Context(), user, "wrong"); err == nil {
			t.Fatalf("%s signed in with a wrong password", user)
		}
		return time.Since(start)
	}
	timed("nobody") // learns the dummy's cost
	cheap := timed("nobody")
	dearAnswer := timed("dear")
	if dearAnswer < 4*cheap {
		t.Skipf("the PBKDF2 user (%s) is not dearer enough than the bcrypt dummy (%s) on this machine to tell", dearAnswer, cheap)
	}
	if unknown := timed("nobody"); unknown < dearAnswer*4/5 {
		t.Errorf("an unknown user took %s after a wrong password on the PBKDF2 user took %s: want the dearer family's floor", unknown, dearAnswer)
	}
	if wrong := timed("user1"); wrong < dearAnswer*4/5 {
		t.Errorf("a wrong password on a bcrypt user took %s after one on the PBKDF2 user took %s: want the dearer family's floor", wrong, dearAnswer)
	}
}

// TestFileWarm: Warm learns the PBKDF2 user's cost before any sign-in,
// far above the floor the bcrypt dummy alone gives, and the first unknown
// name is padded to it.
func TestFileWarm(t *testing.T) {
	plain := pacedFile(t, false)
	for range 3 {
		if err := plain.Warm(t.Context()); err != nil {
			t.Fatalf("Warm: %v", err)
		}
	}
	if n := plain.pacer.Families(); n != 0 {
		t.Errorf("Warm on a one-family file learnt %d more families, want 0", n)
	}
	s := pacedFile(t, true)
	if err := s.Warm(t.Context()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if n := s.pacer.Families(); n != 1 {
		t.Fatalf("after Warm %d families besides the dummy's, want the PBKDF2 one", n)
	}
	floor, dummyOnly := s.pacer.Floor(), plain.pacer.Floor()
	if floor < 2*dummyOnly {
		t.Errorf("floor after Warm %s, %s with the dummy alone: want the PBKDF2 user's, far above", floor, dummyOnly)
	}
	start := time.Now()
	if _, err := s.Authenticate(t.Context(), "nobody", "wrong"); err == nil {
		t.Fatal("nobody signed in")
	}
	if first := time.Since(start); first < floor {
		t.Errorf("the first unknown user after Warm took %s: want the floor Warm learnt, %s", first, floor)
	}
}
