package migration_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// FuzzCheckAnswer: whatever the legacy data, CheckAnswer never panics, and
// what it lets through passes it again unchanged (an answer it cleaned is
// one Cognito accepts).
func FuzzCheckAnswer(f *testing.F) {
	f.Add("alice", "alice@example.com", "555-0100", "true", "Alice")
	f.Add("john smith", "", "+1 (201) 555-0123", "True", "")
	f.Add("", "a@b", "+442079460958", "false", "\xff")
	p := migration.Policy{PhoneRegion: "US", Schema: migration.PoolSchema{Required: []string{"email"}, Custom: []string{"custom:x"}}}
	f.Fuzz(func(t *testing.T, username, email, phone, verified, name string) {
		attrs := map[string]string{"email": email, "phone_number": phone, "email_verified": verified,
			"phone_number_verified": verified, "given_name": name, "custom:x": name, "custom:y": name}
		out, _, err := p.CheckAnswer("1", username, attrs)
		if err != nil {
			if !errors.Is(err, migration.ErrUnmigratable) {
				t.Fatalf("err = %v, want unmigratable", err)
			}
			return
		}
		if username != "" && !utf8.ValidString(username) {
			t.Fatalf("invalid username %q passed", username)
		}
		again, refusals, err := p.CheckAnswer("1", username, out)
		if err != nil || len(refusals) != 0 || len(again) != len(out) {
			t.Fatalf("a checked answer does not pass again: %v %v %v", err, refusals, again)
		}
		for k, v := range out {
			if again[k] != v {
				t.Fatalf("%s changed on the second pass: %q → %q", k, v, again[k])
			}
		}
	})
}
