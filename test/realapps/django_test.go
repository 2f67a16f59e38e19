package realapps

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// python is Debian's interpreter, the one python3-django and friends are
// installed for (a pyenv shim on PATH would not see them).
const python = "/usr/bin/python3"

// djangoUser is one account app.py creates: Django's User model and, for
// hasher, make_password with that PASSWORD_HASHERS algorithm (empty: the
// default, PBKDF2); a nil password is set_unusable_password().
type djangoUser struct {
	Username  string  `json:"username"`
	Email     string  `json:"email"`
	Password  *string `json:"password"`
	Hasher    string  `json:"hasher,omitempty"`
	FirstName string  `json:"first_name"`
	LastName  string  `json:"last_name"`
	IsActive  bool    `json:"is_active"`
}

func pw(s string) *string { return &s }

// djangoAccounts are the site's users, one per hasher and state. Passwords
// hold spaces and non-ASCII where Django keeps them as typed.
func djangoAccounts() []djangoUser {
	return []djangoUser{
		{Username: "pbkdf2", Password: pw("Pbkdf2 default-1"), FirstName: "Pia", LastName: "Berg", IsActive: true},
		{Username: "pbkdf2sha1", Password: pw("Pbkdf2-sha1-1"), Hasher: "pbkdf2_sha1", IsActive: true},
		{Username: "argon2", Password: pw("Ärgon2-pw-1"), Hasher: "argon2", IsActive: true},
		{Username: "bcryptsha256", Password: pw("Bcrypt-sha256-1"), Hasher: "bcrypt_sha256", IsActive: true},
		{Username: "md5", Password: pw("Salted-md5-1"), Hasher: "md5", IsActive: true},
		{Username: "sha1", Password: pw("Salted-sha1-1"), Hasher: "sha1", IsActive: true},
		{Username: "unsaltedmd5", Password: pw("Unsalted-md5-1"), Hasher: "unsalted_md5", IsActive: true},
		{Username: "unsaltedsha1", Password: pw("Unsalted-sha1-1"), Hasher: "unsalted_sha1", IsActive: true},
		{Username: "unusable", IsActive: true},
		{Username: "inactive", Password: pw("Inactive-pw-1"), IsActive: false},
		{Username: "returning", Password: pw("Returning-pw-1"), IsActive: false},
		{Username: "forgetful", Password: pw("Forgetful-pw-1"), IsActive: true},
	}
}

// djangoWeak are the hashers whose hashes are below current guidance as
// Django 3.2 writes them: PBKDF2 at 260,000 iterations (the default, "")
// and PBKDF2-SHA1, and every digest. Argon2 and BCryptSHA256 at Django's
// default costs are not.
var djangoWeak = map[string]bool{"": true, "pbkdf2_sha1": true, "md5": true, "sha1": true,
	"unsalted_md5": true, "unsalted_sha1": true}

// djangoScenarios is the table every Django install runs, per runner.
// reset_weak_hash is on: Django's digests come back RESET_REQUIRED, and so
// does Django 3.2's PBKDF2 (260,000 iterations, below OWASP's 600,000 that
// Django 4.2 adopted); Argon2 and BCryptSHA256 at Django's default costs
// come back CONFIRMED. A right password under the username in capitals
// finds no one where driver compares usernames exactly; where Django
// folds them (foldsUsernames) it finds the user, whom a case-sensitive
// username pool knows by the stored spelling only: name_rejected.
func djangoScenarios(driver string) []scenario {
	otherCase := "unknown"
	if foldsUsernames(driver) {
		otherCase = "name_rejected"
	}
	return []scenario{
		{name: "right password, PBKDF2 (Django 3.2's default, 260,000 iterations)", user: "pbkdf2", password: "Pbkdf2 default-1", want: "migrated", reset: true},
		{name: "right password, PBKDF2-SHA1", user: "pbkdf2sha1", password: "Pbkdf2-sha1-1", want: "migrated", reset: true},
		{name: "right password, Argon2 (Django's default costs)", user: "argon2", password: "Ärgon2-pw-1", want: "migrated"},
		{name: "right password, BCryptSHA256", user: "bcryptsha256", password: "Bcrypt-sha256-1", want: "migrated"},
		{name: "wrong password, salted MD5", user: "md5", password: "Salted-md5-2", want: "wrong_password"},
		{name: "right password, salted MD5 (weak)", user: "md5", password: "Salted-md5-1", want: "migrated", reset: true},
		{name: "right password by email in a username pool: refused (one account, one pool user)", user: "sha1", password: "Salted-sha1-1", byEmail: true, want: "name_rejected"},
		{name: "right password, salted SHA1 (weak)", user: "sha1", password: "Salted-sha1-1", want: "migrated", reset: true},
		{name: "right password, UnsaltedMD5 bare hex (weak)", user: "unsaltedmd5", password: "Unsalted-md5-1", want: "migrated", reset: true},
		{name: "right password, username in capitals (before the user migrates)", user: "unsaltedsha1", password: "Unsalted-sha1-1", upper: true, want: otherCase},
		{name: "right password, UnsaltedSHA1 sha1$$ (weak)", user: "unsaltedsha1", password: "Unsalted-sha1-1", want: "migrated", reset: true},
		{name: "unknown user", user: "nobody", password: "Nobody-pw-1", want: "unknown"},
		{name: "is_active=False", user: "inactive", password: "Inactive-pw-1", want: "disabled"},
		{name: "set_unusable_password: sign-in refused", user: "unusable", password: "anything-1", want: "wrong_password"},
		{name: "set_unusable_password: forgot-password migrates", op: opForgot, user: "unusable", want: "migrated", reset: true},
		{name: "deactivated: refused", user: "returning", password: "Returning-pw-1", want: "disabled"},
		{name: "reactivated by the admin: migrates", user: "returning", password: "Returning-pw-1", want: "migrated", reset: true, enableFirst: true},
		{name: "forgot-password", op: opForgot, user: "forgetful", want: "migrated", reset: true},
		{name: "ferry status", op: opStatus},
		{name: "ferry export", op: opExport},
		{name: "ferry audit", op: opAudit},
	}
}

// TestDjango builds one Django site per database with Django's own
// migrate and hashers, and runs the scenario table through `ferry invoke`
// and through a `ferry serve` pool with the AWS CLI.
func TestDjango(t *testing.T) {
	t.Parallel()
	requireFiles(t, "Debian's python3 with python3-django", python)
	for _, db := range []string{"sqlite", "postgres", "mysql", "mysql_bin"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := newDjangoApp(t, db)
			total := runAll(t, a, djangoScenarios(db), invokeRunner{config: a.config}, startPool(t, a.config))
			t.Logf("Django on %s: %d scenarios", db, total)
		})
	}
}

// djangoEngines are settings.py's FERRY_DJANGO_ENGINE per driver: the
// last part of Django's django.db.backends.* module.
var djangoEngines = map[string]string{"sqlite": "sqlite3", "postgres": "postgresql", "mysql": "mysql"}

// djangoEnv is how app.py reaches db: settings.py reads the variables
// newAppDB names DB_* as FERRY_DJANGO_* (as gen.sh exports them).
func djangoEnv(db appDB) []string {
	env := []string{"FERRY_DJANGO_ENGINE=" + djangoEngines[db.driver]}
	for _, kv := range db.env {
		env = append(env, "FERRY_DJANGO_"+strings.TrimPrefix(kv, "DB_"))
	}
	return env
}

// foldsUsernames reports whether Django's username lookups on driver
// ignore case. Django compares usernames with the database's "=": exact
// on SQLite and PostgreSQL and under MariaDB's utf8mb4_bin ("mysql_bin"),
// but under MariaDB's case-insensitive collation (utf8mb4_unicode_ci, as
// newAppDB creates the database, like MariaDB's own defaults) auth_user's
// UNIQUE username refuses "twin" beside "Twin", and "PBKDF2" finds the
// user "pbkdf2".
func foldsUsernames(driver string) bool { return driver == "mysql" }

func newDjangoApp(t *testing.T, driver string) *app {
	t.Helper()
	dir := t.TempDir()
	db := newAppDB(t, driver)
	// The settings and the script are copied: Django writes __pycache__
	// beside them, and the source tree stays clean.
	for _, f := range []string{"settings.py", "app.py"} {
		b, err := os.ReadFile(filepath.Join("testdata", "django", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), djangoEnv(db)...)
	// PBKDF2 and Argon2 next to the fast digests: no one dummy hash fits.
	a := &app{name: "Django/" + driver, users: map[string]*legacyUser{}, migrated: map[string]bool{}, mixedCosts: true}
	var specs []djangoUser
	for _, prefix := range []string{invokeRunner{}.prefix(), (*poolRunner)(nil).prefix()} {
		for _, u := range djangoAccounts() {
			u.Username = prefix + u.Username
			u.Email = u.Username + "@legacy.example.test"
			specs = append(specs, u)
			lu := &legacyUser{login: u.Username, email: u.Email, disabled: !u.IsActive,
				weakHash: u.Password != nil && djangoWeak[u.Hasher], noPassword: u.Password == nil}
			if u.FirstName != "" {
				lu.attrs = map[string]string{"given_name": u.FirstName, "family_name": u.LastName}
			}
			a.users[u.Username] = lu
		}
	}
	// Accounts the scenarios leave alone, for the audit: Django's username
	// is case-sensitive where the database compares exactly, and its email
	// is not unique, so a site can hold "Twin" and "twin" (one Cognito
	// username: folded_names, a blocker) and two users of one address
	// (shared_emails, a warning in a username pool). Under MariaDB's
	// case-insensitive collation the UNIQUE username refuses "twin": the
	// site holds "Twin" alone, and no name folds onto another.
	for _, u := range []djangoUser{
		{Username: "Twin", Email: "twin.upper@legacy.example.test"},
		{Username: "twin", Email: "twin.lower@legacy.example.test"},
		{Username: "sharer1", Email: "shared@legacy.example.test"},
		{Username: "sharer2", Email: "shared@legacy.example.test"},
	} {
		u.Password, u.IsActive = pw(u.Username+"-pw-1"), true
		specs = append(specs, u)
		a.users[u.Username] = &legacyUser{login: u.Username, email: u.Email, weakHash: true}
	}
	a.findings = map[string]int{"folded_names": 2, "shared_emails": 2}
	a.blockers = 1
	wantRefused := []string{}
	if foldsUsernames(driver) {
		wantRefused = []string{"twin"}
		delete(a.findings, "folded_names")
		a.blockers = 0
	}
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, env, string(in), python, filepath.Join(dir, "app.py"), "create")
	var made struct {
		Django  string            `json:"django"`
		Users   map[string]string `json:"users"`
		Refused map[string]string `json:"refused"`
	}
	if err := json.Unmarshal([]byte(out), &made); err != nil {
		t.Fatalf("app.py: %v\n%s", err, out)
	}
	if got := slices.Sorted(maps.Keys(made.Refused)); !slices.Equal(got, wantRefused) {
		t.Fatalf("Django on %s refused the users %q (%v), want %q", driver, got, made.Refused, wantRefused)
	}
	for name := range made.Refused {
		delete(a.users, name)
	}
	t.Logf("Django %s on %s: %d users (%d refused by the database)", made.Django, driver, len(made.Users), len(made.Refused))
	// The write-back's column, added as docs/sources.md tells a site to.
	mustRun(t, env, "", python, filepath.Join(dir, "app.py"), "sql",
		"ALTER TABLE auth_user ADD COLUMN ferry_migrated_at timestamp NULL")
	a.enable = func(t *testing.T, login string) {
		mustRun(t, env, "", python, filepath.Join(dir, "app.py"), "activate", login)
	}
	a.config = writeConfig(t, `sources:
  - name: django
    type: sql
    config:
      preset: django
      driver: `+db.driver+`
      dsn: "`+db.dsn+`"
migration:
  assume_email_verified: true
  reset_weak_hash: true
  mark_migrated: true
`)
	return a
}
