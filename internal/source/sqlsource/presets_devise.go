// The Rails Devise preset, with its optional Confirmable and Lockable columns.

package sqlsource

import (
	"time"
)

// Devise's unlock strategies (config.unlock_strategy).
const (
	UnlockBoth  = "both"
	UnlockTime  = "time"
	UnlockEmail = "email"
	UnlockNone  = "none"
)

// DefaultUnlockIn is Devise's config.unlock_in default.
const DefaultUnlockIn = time.Hour

// devise is a Rails Devise users table as the generator's migration creates
// it: users sign in by email, which Devise stores down-cased;
// encrypted_password is bcrypt over password+pepper (set pepper or
// pepper_file). Confirmable and Lockable are optional in the migration and
// apply only when their columns are there: without confirmed_at a user
// needs no confirmation; with it, an unconfirmed user is refused unless
// their confirmation_sent_at is within allow_unconfirmed_access_for (as
// Devise's active_for_authentication?). A locked_at user is refused, until
// unlock_in has passed when unlock_strategy lets time unlock (time or both,
// Devise's default).
func devise(_ dialect, c Config, t *tables) shape {
	sel := `"id", "email", "encrypted_password"`
	cfg := Config{
		Lookup: LookupEmail,
		Fold:   FoldLower,
		Columns: Columns{
			ID: "id", Username: "email", Email: "email", PasswordHash: "encrypted_password",
		},
	}
	confirmable := t.has("users", "confirmed_at", false)
	lockable := t.has("users", "locked_at", false)
	if confirmable {
		sel += `, "confirmed_at"`
		cfg.Columns.EmailVerified = "confirmed_at"
		if t.has("users", "confirmation_sent_at", false) {
			sel += `, "confirmation_sent_at"`
		}
	}
	if lockable {
		sel += `, "locked_at"`
	}
	if confirmable || lockable {
		cfg.rule = deviseRule(c, confirmable, lockable)
	}
	return shape{
		sel: sel, from: `"users"`, byUsername: `"email" = $1`, byEmail: `"email" = $1`,
		key: `"id"`, mark: `"users"."` + MigratedColumn + `"`, markTable: "users", markKey: "id",
		sample: `SELECT "encrypted_password" FROM "users" WHERE "encrypted_password" <> '' LIMIT 1`,
		cfg:    cfg,
	}
}

// deviseRule is Devise's active_for_authentication? for the Confirmable and
// Lockable modules that are present.
func deviseRule(c Config, confirmable, lockable bool) func(r row, now time.Time) (bool, error) {
	unlockIn := DefaultUnlockIn
	if c.UnlockIn > 0 {
		unlockIn = c.UnlockIn
	}
	strategy := c.UnlockStrategy
	if strategy == "" {
		strategy = UnlockBoth
	}
	allow := c.AllowUnconfirmedAccessFor
	return func(r row, now time.Time) (bool, error) {
		if lockable {
			at, locked, err := asTime(r.get("locked_at"))
			if err != nil {
				return false, err
			}
			byTime := strategy == UnlockTime || strategy == UnlockBoth
			if locked && (!byTime || now.Before(at.Add(unlockIn))) {
				return true, nil
			}
		}
		if confirmable {
			_, confirmed, err := asTime(r.get("confirmed_at"))
			if err != nil || confirmed {
				return false, err
			}
			if allow <= 0 {
				return true, nil
			}
			sent, ok, err := asTime(r.get("confirmation_sent_at"))
			if err != nil {
				return false, err
			}
			return !ok || sent.Before(now.Add(-allow)), nil
		}
		return false, nil
	}
}
