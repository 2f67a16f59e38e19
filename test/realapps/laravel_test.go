package realapps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// laravelHashing is where Debian's php-illuminate-hashing puts Illuminate's hashers.
const laravelHashing = "/usr/share/php/Illuminate/Hashing/HashManager.php"

// laravelDomain is the domain of every Laravel account's email, the login.
const laravelDomain = "@laravel.example.test"

// laravelUser is one account app.php makes with the Eloquent model and
// Hash::make (hasher bcrypt, Laravel's default, or argon2id); verified
// sets email_verified_at as MustVerifyEmail does.
type laravelUser struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Hasher   string `json:"hasher"`
	Verified bool   `json:"verified"`
}

// laravelAccounts are the site's users, by the local part of their email.
func laravelAccounts() []laravelUser {
	return []laravelUser{
		{Name: "Bea Crypt", Email: "bcrypt", Password: "Bcrypt-pw-1", Hasher: "bcrypt", Verified: true},
		{Name: "Ari Gon", Email: "argon2id", Password: "Argon2id-pw-1", Hasher: "argon2id", Verified: true},
		{Name: "Ty Po", Email: "typo", Password: "Typo-pw-1", Hasher: "bcrypt", Verified: true},
		{Name: "Una Verified", Email: "unverified", Password: "Unverified-pw-1", Hasher: "bcrypt"},
		{Name: "Nora Channel", Email: "nochannel", Password: "No-channel-pw-1", Hasher: "bcrypt"},
		{Name: "Fay Getful", Email: "forgetful", Password: "Forgetful-pw-1", Hasher: "bcrypt", Verified: true},
	}
}

// laravelScenarios is the table every Laravel site runs, per runner.
// Laravel has no disabled or locked user: MustVerifyEmail lets an
// unverified user sign in (only the routes behind `verified` wait), so
// Ferry migrates them with their email unverified.
func laravelScenarios() []scenario {
	d := laravelDomain
	return []scenario{
		{name: "right password, bcrypt (Hash::make, Laravel's default, 10 rounds)", user: "bcrypt" + d, password: "Bcrypt-pw-1", want: "migrated"},
		{name: "right password, argon2id (Hash::driver('argon2id'), config/hashing.php's costs)", user: "argon2id" + d, password: "Argon2id-pw-1", want: "migrated"},
		{name: "wrong password", user: "typo" + d, password: "Typo-pw-2", want: "wrong_password"},
		{name: "right password after a wrong one", user: "typo" + d, password: "Typo-pw-1", want: "migrated"},
		{name: "unknown user", user: "nobody" + d, password: "Nobody-pw-1", want: "unknown"},
		{name: "email_verified_at unset: migrates, email unverified", user: "unverified" + d, password: "Unverified-pw-1", want: "migrated"},
		{name: "forgot-password, email_verified_at unset: no channel for the code", op: opForgot, user: "nochannel" + d, want: "no_verified_channel"},
		{name: "forgot-password", op: opForgot, user: "forgetful" + d, want: "migrated", reset: true},
		{name: "ferry status", op: opStatus},
		{name: "ferry export", op: opExport},
		{name: "ferry audit", op: opAudit},
	}
}

// TestLaravel builds one Laravel 8 site per database with Illuminate's own
// schema builder, Eloquent and Hash::make, and runs the scenario table
// through `ferry invoke` and through a `ferry serve` pool with the AWS CLI.
func TestLaravel(t *testing.T) {
	t.Parallel()
	requireFiles(t, "Debian's php-cli with php-illuminate-database and php-illuminate-hashing", "/usr/bin/php", laravelHashing)
	for _, db := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := newLaravelApp(t, db)
			total := runAll(t, a, laravelScenarios(), invokeRunner{config: a.config}, startPool(t, a.config))
			t.Logf("Laravel on %s: %d scenarios", db, total)
		})
	}
}

func newLaravelApp(t *testing.T, driver string) *app {
	t.Helper()
	db := newAppDB(t, driver)
	if driver == "sqlite" {
		// Laravel opens an SQLite database only if the file exists (its docs: touch it).
		if err := os.WriteFile(db.path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := filepath.Abs(filepath.Join(frameworksDir, "laravel"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(append(os.Environ(), db.env...), "FERRY_LARAVEL_DIR="+dir)
	// bcrypt at 10 rounds next to argon2id at 64 MiB: no one dummy hash fits.
	a := &app{name: "Laravel/" + driver, users: map[string]*legacyUser{}, migrated: map[string]bool{}, mixedCosts: true}
	var specs []laravelUser
	for _, prefix := range []string{invokeRunner{}.prefix(), (*poolRunner)(nil).prefix()} {
		for _, u := range laravelAccounts() {
			u.Email = prefix + u.Email + laravelDomain
			specs = append(specs, u)
			a.users[u.Email] = &legacyUser{login: u.Email, email: u.Email, unverified: !u.Verified,
				attrs: map[string]string{"name": u.Name, "email_verified": strconv.FormatBool(u.Verified)}}
		}
	}
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, env, string(in), "/usr/bin/php", filepath.Join("testdata", "laravel", "app.php"), driver)
	var made struct {
		Illuminate string            `json:"illuminate"`
		Users      map[string]string `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &made); err != nil {
		t.Fatalf("app.php: %v\n%s", err, out)
	}
	t.Logf("Illuminate %s on %s: %d users", made.Illuminate, driver, len(made.Users))
	a.config = writeConfig(t, `sources:
  - name: laravel
    type: sql
    config:
      preset: laravel
      driver: `+driver+`
      dsn: "`+db.dsn+`"
migration:
  mark_migrated: true
`)
	return a
}
