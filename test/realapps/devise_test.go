package realapps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// ruby is Debian's interpreter, the one ruby-devise and friends are
// installed for.
const ruby = "/usr/bin/ruby"

// deviseGem is where Debian's ruby-devise puts Devise.
const deviseGem = "/usr/share/rubygems-integration/all/gems/devise-4.8.1/lib/devise.rb"

// devisePepper is the site's config.pepper.
const devisePepper = "ferry-realapps-devise-pepper"

// deviseDomain is the domain of every Devise account's email, the login.
const deviseDomain = "@devise.example.test"

// deviseUser is one account app.rb makes with the Devise model; state says
// how (see app.rb): confirmed, unconfirmed, unconfirmed_long, locked,
// locked_long.
type deviseUser struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	State    string `json:"state"`
}

// deviseAccounts are the site's users, by the local part of their email.
func deviseAccounts() []deviseUser {
	return []deviseUser{
		{Email: "confirmed", Password: "Confirmed-pw-1", State: "confirmed"},
		{Email: "typo", Password: "Typo-pw-1", State: "confirmed"},
		{Email: "unconfirmed", Password: "Unconfirmed-pw-1", State: "unconfirmed"},
		{Email: "unconfirmedlong", Password: "Unconfirmed-long-1", State: "unconfirmed_long"},
		{Email: "locked", Password: "Locked-pw-1", State: "locked"},
		{Email: "lockedlong", Password: "Locked-long-pw-1", State: "locked_long"},
		{Email: "returning", Password: "Returning-pw-1", State: "locked"},
		{Email: "forgetful", Password: "Forgetful-pw-1", State: "confirmed"},
	}
}

// deviseActive is whether Devise itself lets each state sign in now
// (active_for_authentication? with the site's configuration): app.rb's
// answer must agree, so the table below tests what Devise does.
var deviseActive = map[string]bool{"confirmed": true, "unconfirmed": true, "unconfirmed_long": false,
	"locked": false, "locked_long": true}

// deviseScenarios is the table every Devise site runs, per runner.
func deviseScenarios() []scenario {
	d := deviseDomain
	return []scenario{
		{name: "right password (Devise's bcrypt over password+pepper, stretches 10)", user: "confirmed" + d, password: "Confirmed-pw-1", want: "migrated"},
		{name: "wrong password", user: "typo" + d, password: "Typo-pw-2", want: "wrong_password"},
		{name: "right password after a wrong one", user: "typo" + d, password: "Typo-pw-1", want: "migrated"},
		{name: "unknown user", user: "nobody" + d, password: "Nobody-pw-1", want: "unknown"},
		{name: "unconfirmed, inside allow_unconfirmed_access_for: migrates unverified", user: "unconfirmed" + d, password: "Unconfirmed-pw-1", want: "migrated"},
		{name: "unconfirmed for 3 days (allow_unconfirmed_access_for 2 days)", user: "unconfirmedlong" + d, password: "Unconfirmed-long-1", want: "disabled"},
		{name: "locked by maximum_attempts just now", user: "locked" + d, password: "Locked-pw-1", want: "disabled"},
		{name: "locked 2 hours ago: unlock_in (1 hour) has passed", user: "lockedlong" + d, password: "Locked-long-pw-1", want: "migrated"},
		{name: "locked: refused", user: "returning" + d, password: "Returning-pw-1", want: "disabled"},
		{name: "unlocked by the admin (unlock_access!): migrates", user: "returning" + d, password: "Returning-pw-1", want: "migrated", enableFirst: true},
		{name: "forgot-password", op: opForgot, user: "forgetful" + d, want: "migrated", reset: true},
		{name: "ferry status", op: opStatus},
		{name: "ferry export", op: opExport},
		{name: "ferry audit", op: opAudit},
	}
}

// TestDevise builds one Devise site per database with Devise's own
// generator, ActiveRecord and Devise's model (encryptor, pepper,
// stretches, Confirmable, Lockable), and runs the scenario table through
// `ferry invoke` and through a `ferry serve` pool with the AWS CLI.
func TestDevise(t *testing.T) {
	t.Parallel()
	requireFiles(t, "Debian's ruby with ruby-devise and ruby-activerecord", ruby, deviseGem)
	for _, db := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := newDeviseApp(t, db)
			total := runAll(t, a, deviseScenarios(), invokeRunner{config: a.config}, startPool(t, a.config))
			t.Logf("Devise on %s: %d scenarios", db, total)
		})
	}
}

func newDeviseApp(t *testing.T, driver string) *app {
	t.Helper()
	db := newAppDB(t, driver)
	migration, err := filepath.Abs(filepath.Join(frameworksDir, "devise", "migration.rb"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), db.env...)
	env = append(env, "FERRY_DEVISE_MIGRATION="+migration, "FERRY_DEVISE_PEPPER="+devisePepper)
	script := filepath.Join("testdata", "devise", "app.rb")
	a := &app{name: "Devise/" + driver, users: map[string]*legacyUser{}, migrated: map[string]bool{}}
	var specs []deviseUser
	for _, prefix := range []string{invokeRunner{}.prefix(), (*poolRunner)(nil).prefix()} {
		for _, u := range deviseAccounts() {
			u.Email = prefix + u.Email + deviseDomain
			specs = append(specs, u)
			unconfirmed := u.State == "unconfirmed" || u.State == "unconfirmed_long"
			a.users[u.Email] = &legacyUser{login: u.Email, email: u.Email, disabled: !deviseActive[u.State],
				unverified: unconfirmed, attrs: map[string]string{"email": u.Email, "email_verified": strconv.FormatBool(!unconfirmed)}}
		}
	}
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, env, string(in), ruby, script, driver, "create")
	var made struct {
		Devise       string `json:"devise"`
		ActiveRecord string `json:"activerecord"`
		Users        map[string]struct {
			Stored string `json:"stored"`
			Active bool   `json:"active"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &made); err != nil {
		t.Fatalf("app.rb: %v\n%s", err, out)
	}
	for _, u := range specs {
		if got, ok := made.Users[u.Email]; !ok || got.Active != deviseActive[u.State] {
			t.Fatalf("app.rb: %s (%s): Devise says active %v (made %v), the table assumes %v", u.Email, u.State, got.Active, ok, deviseActive[u.State])
		}
	}
	t.Logf("Devise %s, ActiveRecord %s on %s: %d users", made.Devise, made.ActiveRecord, driver, len(made.Users))
	a.enable = func(t *testing.T, login string) {
		mustRun(t, env, "", ruby, script, driver, "unlock", login)
	}
	a.config = writeConfig(t, `sources:
  - name: devise
    type: sql
    config:
      preset: devise
      driver: `+driver+`
      dsn: "`+db.dsn+`"
      pepper: `+devisePepper+`
      allow_unconfirmed_access_for: 48h
migration:
  mark_migrated: true
`)
	return a
}
