package setup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source/filesource"
)

// The user and project parameters are the example of Firebase's own
// scrypt implementation (github.com/firebase/scrypt, README.md), as in
// internal/passhash/testdata/firebase.tsv.
const (
	firebaseSignerKey = "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
	firebaseUsers     = "username,email,password_hash,salt,hash_format\n" +
		"user1,user1@example.com,lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==,42xEC+ixf3L2lw==,firebase-scrypt\n"
)

func TestFirebaseParametersFromTheConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	users := filepath.Join(dir, "users.csv")
	key := filepath.Join(dir, "signer-key")
	for path, data := range map[string]string{users: firebaseUsers, key: firebaseSignerKey + "\n"} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Load([]byte(`
sources:
  - name: firebase
    type: file
    config:
      path: ` + users + `
      firebase:
        base64_signer_key_file: ` + key + `
        base64_salt_separator: Bw==
        rounds: 8
        mem_cost: 14
`))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	src, err := cfg.Sources[0].Config.(*filesource.Config).Open(t.Context(), "firebase", nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()
	if _, err := src.Authenticate(t.Context(), "user1", "user1password"); err != nil {
		t.Errorf("Authenticate with the right password: %v", err)
	}
	if _, err := src.Authenticate(t.Context(), "user1", "user1passwore"); err == nil {
		t.Error("Authenticate with a wrong password succeeded")
	}
}

func TestFirebaseParameterProblems(t *testing.T) {
	t.Parallel()
	_, err := Load([]byte(`
sources:
  - name: firebase
    type: file
    config:
      path: users.csv
      firebase:
        base64_signer_key: not-base64!
        rounds: 9
`))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"sources[0].config.firebase.base64_signer_key: required, in base64 as the console shows it (line 8)",
		"sources[0].config.firebase.rounds: 9 is outside 1–8 (line 9)",
		"sources[0].config.firebase.mem_cost: 0 is outside 1–14 (line 7)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
