package migration_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
)

// TestNotCanonicalSpellingBudget: in a case-sensitive username pool whose
// legacy store folds case, "ALICE" finds alice's row but is not a name the
// pool knows her by. With the right password it is refused as
// not_canonical_name and spends none of the account's budget (the
// password was proved: retrying it must not lock her out); with a wrong
// password it is a wrong password, charged, so the spelling is no way
// round the throttle.
func TestNotCanonicalSpellingBudget(t *testing.T) {
	t.Parallel()
	const limit = 2
	setup := func(t *testing.T) (*migration.Migrator, *fakeSource) {
		src := newSource(alice())
		src.users["ALICE"] = alice() // the store matches either case
		return newGuarded(t, migration.Options{
			Sources:  []migration.NamedSource{{Name: "legacy", Source: src}},
			Throttle: newLimiter(t, guard.ThrottleConfig{Username: guard.Limit{Max: limit, Window: time.Minute}}),
		}), src
	}
	signIn := func(m *migration.Migrator, name, password string) (migration.Result, error) {
		return m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: name, Password: password, ClientID: "web"})
	}

	t.Run("right password", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t)
		for i := range 3 * limit {
			res, err := signIn(m, "ALICE", "Corr3ct-horse")
			if !errors.Is(err, migration.ErrNotMigrated) || res.Outcome != migration.OutcomeNameRejected || res.Reason != migration.ReasonNotCanonical {
				t.Fatalf("attempt %d: %q (%s), %v; want name_rejected (not_canonical_name)", i+1, res.Outcome, res.Reason, err)
			}
		}
		if res, err := signIn(m, "alice", "Corr3ct-horse"); err != nil || res.Outcome != migration.OutcomeMigrated {
			t.Errorf("her own name after %d refused spellings: %q, %v; want migrated (budget untouched)", 3*limit, res.Outcome, err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		m, src := setup(t)
		for i := range limit {
			if res, err := signIn(m, "ALICE", "guess"); res.Outcome != migration.OutcomeWrongPassword {
				t.Fatalf("guess %d: %q, %v; want wrong_password", i+1, res.Outcome, err)
			}
		}
		stored := src.stored
		if res, err := signIn(m, "ALICE", "Corr3ct-horse"); !errors.Is(err, migration.ErrThrottled) {
			t.Errorf("right password after %d guesses under the spelling: %q, %v; want throttled", limit, res.Outcome, err)
		}
		if res, err := signIn(m, "alice", "Corr3ct-horse"); !errors.Is(err, migration.ErrThrottled) {
			t.Errorf("her own name after %d guesses under another spelling: %q, %v; want throttled (one budget)", limit, res.Outcome, err)
		}
		if src.stored != stored {
			t.Errorf("throttled attempts reached the stored hash %d times", src.stored-stored)
		}
	})
}
