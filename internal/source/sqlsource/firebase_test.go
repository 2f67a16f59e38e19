package sqlsource

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// firebaseProject is the example project of github.com/firebase/scrypt's
// README, whose user1password row is in passhash/testdata/firebase.tsv.
var firebaseProject = passhash.FirebaseOptions{
	SignerKey:     "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
	SaltSeparator: "Bw==",
	Rounds:        8,
	MemCost:       14,
}

func TestFirebaseScryptConfigured(t *testing.T) {
	t.Parallel()
	// The keys as docs/hash-formats.md writes them, decoded strictly.
	var fromYAML Config
	dec := yaml.NewDecoder(strings.NewReader(`firebase: {base64_signer_key: "` + firebaseProject.SignerKey +
		`", base64_salt_separator: "Bw==", rounds: 8, mem_cost: 14}`))
	dec.KnownFields(true)
	if err := dec.Decode(&fromYAML); err != nil {
		t.Fatal(err)
	}
	if fromYAML.Firebase != firebaseProject {
		t.Fatalf("firebase from YAML = %+v, want %+v", fromYAML.Firebase, firebaseProject)
	}
	tdb := newTestDB(t, DriverSQLite)
	tdb.ddl(t, membersDDL)
	tdb.exec(t, `INSERT INTO "members" ("login", "email", "email_ok", "pw", "salt", "disabled") VALUES (?, ?, 1, ?, ?, 0)`,
		"fb", "fb@example.test", "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==", "42xEC+ixf3L2lw==")
	c := membersConfig(tdb.d)
	c.HashFormat = "firebase-scrypt"
	c.Firebase = firebaseProject
	s := tdb.open(t, c)
	if _, err := s.Authenticate(t.Context(), "fb", "user1password"); err != nil {
		t.Fatalf("Authenticate with the right password: %v", err)
	}
	if _, err := s.Authenticate(t.Context(), "fb", "user1passwore"); err == nil {
		t.Fatal("Authenticate with a wrong password succeeded")
	}

	for _, tc := range []struct {
		name string
		edit func(*passhash.FirebaseOptions)
		key  string
	}{
		{"signer key", func(o *passhash.FirebaseOptions) { o.SignerKey = "not base64!" }, "firebase.base64_signer_key"},
		{"salt separator", func(o *passhash.FirebaseOptions) { o.SaltSeparator = "%%" }, "firebase.base64_salt_separator"},
		{"rounds", func(o *passhash.FirebaseOptions) { o.Rounds = 9 }, "firebase.rounds"},
		{"mem cost", func(o *passhash.FirebaseOptions) { o.MemCost = 0 }, "firebase.mem_cost"},
	} {
		bad := c
		bad.Driver, bad.DSN = tdb.driver, tdb.dsn
		tc.edit(&bad.Firebase)
		_, err := bad.Open(t.Context(), "legacy", discard())
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: Open = %v, want an error naming %s", tc.name, err, tc.key)
		}
	}
}
