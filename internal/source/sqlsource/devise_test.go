package sqlsource

import (
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// TestDeviseDefaultMigration runs the devise preset on the migration
// Devise's generator writes, Confirmable and Lockable still commented out:
// the preset finds neither confirmed_at nor locked_at when it connects, so
// sign-in, listing and counting read only the columns that are there, no
// user needs a confirmation and none is locked.
func TestDeviseDefaultMigration(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		tdb.preset(t, "devise")
		const pepper = "devise-pepper-0f3a"
		ins := `INSERT INTO "users" ("email", "encrypted_password", "created_at", "updated_at") VALUES ($1, $2, $3, $4)`
		tdb.exec(t, ins, "alice@example.com", bcryptHash(t, "alice-devise"+pepper, testCost), past, past)
		tdb.exec(t, ins, "bob@example.com", bcryptHash(t, "bob-devise"+pepper, testCost), past, past)
		s := tdb.open(t, Config{Preset: "devise", Pepper: pepper})
		if err := s.Check(t.Context()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		u, err := s.Authenticate(t.Context(), "Alice@Example.com", "alice-devise")
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if u.ID != "1" || u.Email != "alice@example.com" || u.EmailVerified {
			t.Errorf("Authenticate = %+v, want ID 1, alice@example.com, email not verified (no Confirmable)", u)
		}
		if _, err := s.Authenticate(t.Context(), "bob@example.com", "alice-devise"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("Authenticate(wrong password) = %v, want ErrInvalidPassword", err)
		}
		entries := listAll(t, s)
		if len(entries) != 2 {
			t.Fatalf("List: %d users, want 2", len(entries))
		}
		for _, e := range entries {
			if e.Disabled || e.Migrated {
				t.Errorf("listed %s disabled %v, migrated %v; want neither", e.User.Username, e.Disabled, e.Migrated)
			}
		}
		if n, err := s.Count(t.Context()); err != nil || n.Total != 2 || !n.Marked {
			t.Errorf("Count = %+v, %v; want 2 users, marked", n, err)
		}
	})
}
