package realapps

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// wordpressRoot is where Debian's wordpress package puts WordPress.
const wordpressRoot = "/usr/share/wordpress"

// wpPrefix is the sites' $table_prefix: not WordPress's default "wp_", as
// hardened installs choose.
const wpPrefix = "blog7_"

// wpUser is one account wp.php creates with wp_insert_user().
type wpUser struct {
	Login      string `json:"user_login"`
	Pass       string `json:"user_pass"`
	Email      string `json:"user_email"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Spam       int    `json:"spam,omitempty"`
	Deleted    int    `json:"deleted,omitempty"`
	UserStatus *int   `json:"user_status,omitempty"`

	// bareMD5: after wp_insert_user, the administrator resets the password
	// with SQL (UPDATE … SET user_pass = MD5('…')), as WordPress's own
	// documentation shows; wp_check_password accepts it.
	bareMD5 bool
}

func one() *int { n := 1; return &n }

// wordpressAccounts are the site's users; the multisite's add the network
// admin's spam and deleted flags.
func wordpressAccounts(multisite bool) []wpUser {
	users := []wpUser{
		{Login: "phpass", Pass: "Phpass-pw-1", FirstName: "Wanda", LastName: "Press"},
		{Login: "spacey", Pass: "Spacey-pw-1"},
		{Login: "md5reset", Pass: "Before-reset-1", bareMD5: true},
		{Login: "status1", Pass: "Status-one-1", UserStatus: one()},
		{Login: "byemail", Pass: "By-email-pw-1"},
		{Login: "forgetful", Pass: "Forgetful-pw-1"},
	}
	if multisite {
		users = append(users,
			wpUser{Login: "spammer", Pass: "Spammer-pw-1", Spam: 1},
			wpUser{Login: "deleted", Pass: "Deleted-pw-1", Deleted: 1},
			wpUser{Login: "returning", Pass: "Returning-pw-1", Spam: 1},
		)
	}
	return users
}

// wordpressScenarios is the table every WordPress install runs, per runner.
func wordpressScenarios(multisite bool) []scenario {
	s := []scenario{
		{name: "right password, phpass $P$ (wp_hash_password)", user: "phpass", password: "Phpass-pw-1", want: "migrated"},
		{name: "wrong password", user: "spacey", password: "Spacey-pw-2", want: "wrong_password"},
		{name: "right password typed with spaces (wp_authenticate trims)", user: "spacey", password: "  Spacey-pw-1 ", want: "migrated"},
		{name: "right password, bare MD5 left by an SQL reset", user: "md5reset", password: "Md5-reset-pw-1", want: "migrated"},
		{name: "user_status=1 signs in, as on a single site", user: "status1", password: "Status-one-1", want: "migrated"},
		{name: "right password by email in a username pool: refused (one account, one pool user)", user: "byemail", password: "By-email-pw-1", byEmail: true, want: "name_rejected"},
		{name: "right password by username after that", user: "byemail", password: "By-email-pw-1", want: "migrated"},
		{name: "unknown user", user: "nobody", password: "Nobody-pw-1", want: "unknown"},
		{name: "forgot-password", op: opForgot, user: "forgetful", want: "migrated", reset: true},
	}
	if multisite {
		s = append(s,
			scenario{name: "spam (network admin)", user: "spammer", password: "Spammer-pw-1", want: "disabled"},
			scenario{name: "spam: forgot-password refused too", op: opForgot, user: "spammer", want: "disabled"},
			scenario{name: "deleted (network admin)", user: "deleted", password: "Deleted-pw-1", want: "disabled"},
			scenario{name: "marked spam: refused", user: "returning", password: "Returning-pw-1", want: "disabled"},
			scenario{name: "marked not spam again: migrates", user: "returning", password: "Returning-pw-1", want: "migrated", enableFirst: true},
		)
	}
	return append(s, scenario{name: "ferry status", op: opStatus}, scenario{name: "ferry export", op: opExport},
		scenario{name: "ferry audit", op: opAudit})
}

// TestWordPress installs WordPress with its own wp_install() into MariaDB
// under a non-default table prefix, once as a single site and once turned
// into a multisite by install_network(), adds users with wp_insert_user(),
// and runs the scenario table through `ferry invoke` and through a `ferry
// serve` pool with the AWS CLI.
func TestWordPress(t *testing.T) {
	t.Parallel()
	requireFiles(t, "WordPress (Debian's wordpress package) and php-cli",
		filepath.Join(wordpressRoot, "wp-settings.php"), "/usr/bin/php")
	for _, multisite := range []bool{false, true} {
		name := "single"
		if multisite {
			name = "multisite"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newWordPressApp(t, multisite)
			total := runAll(t, a, wordpressScenarios(multisite), invokeRunner{config: a.config}, startPool(t, a.config))
			t.Logf("WordPress %s: %d scenarios", name, total)
		})
	}
}

// wpSpec is wp.php's input.
type wpSpec struct {
	DB struct {
		Host     string `json:"host"`
		Name     string `json:"name"`
		User     string `json:"user"`
		Password string `json:"password"`
	} `json:"db"`
	Prefix     string   `json:"prefix"`
	Multisite  bool     `json:"multisite"`
	ContentDir string   `json:"content_dir"`
	Users      []wpUser `json:"users"`
}

func newWordPressApp(t *testing.T, multisite bool) *app {
	t.Helper()
	base := testenv.Env(t, "FERRY_TEST_MYSQL_DSN", "MariaDB")
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("FERRY_TEST_MYSQL_DSN: %v", err)
	}
	dbName := scratchName()
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+dbName+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+dbName); err != nil {
			t.Errorf("drop database %s: %v", dbName, err)
		}
	})
	cfg.DBName = dbName

	var spec wpSpec
	spec.DB.Host, spec.DB.Name, spec.DB.User, spec.DB.Password = cfg.Addr, dbName, cfg.User, cfg.Passwd
	spec.Prefix, spec.Multisite, spec.ContentDir = wpPrefix, multisite, t.TempDir()
	a := &app{name: "WordPress", users: map[string]*legacyUser{}, migrated: map[string]bool{}}
	if multisite {
		a.name += " multisite"
	}
	// wp_install's administrator: a real account the scenarios leave alone,
	// so status and export count it.
	// Every WordPress hash is weak: phpass is iterated MD5, and the SQL
	// reset leaves bare MD5.
	a.users["siteadmin"] = &legacyUser{login: "siteadmin", email: "siteadmin@example.test", weakHash: true}
	var md5Resets []string
	for _, prefix := range []string{invokeRunner{}.prefix(), (*poolRunner)(nil).prefix()} {
		for _, u := range wordpressAccounts(multisite) {
			u.Login = prefix + u.Login
			u.Email = u.Login + "@legacy.example.test"
			spec.Users = append(spec.Users, u)
			lu := &legacyUser{login: u.Login, email: u.Email, disabled: u.Spam != 0 || u.Deleted != 0, weakHash: true}
			if u.FirstName != "" {
				lu.attrs = map[string]string{"given_name": u.FirstName, "family_name": u.LastName}
			}
			a.users[u.Login] = lu
			if u.bareMD5 {
				md5Resets = append(md5Resets, u.Login)
			}
		}
	}
	in, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join("testdata", "wordpress", "wp.php")
	php := func(t *testing.T, action string, stdin []byte) string {
		t.Helper()
		return mustRun(t, os.Environ(), string(stdin), "/usr/bin/php", script, action)
	}
	php(t, "install", in)
	if multisite {
		php(t, "network", in)
	}
	out := php(t, "users", in)
	var made struct {
		Version string `json:"wp_version"`
	}
	if err := json.Unmarshal([]byte(out[strings.LastIndex(out, "\n{")+1:]), &made); err != nil {
		t.Fatalf("wp.php users: %v\n%s", err, out)
	}
	t.Logf("WordPress %s (%s): %d users", made.Version, a.name, len(a.users))

	site, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Close() })
	for _, login := range md5Resets {
		if _, err := site.ExecContext(t.Context(), "UPDATE "+wpPrefix+"users SET user_pass = MD5(?) WHERE user_login = ?",
			"Md5-reset-pw-1", login); err != nil {
			t.Fatal(err)
		}
	}
	// The write-back's column, added as docs/sources.md tells a site to.
	if _, err := site.ExecContext(t.Context(), "ALTER TABLE "+wpPrefix+"users ADD COLUMN ferry_migrated_at DATETIME NULL"); err != nil {
		t.Fatal(err)
	}
	a.enable = func(t *testing.T, login string) {
		var one wpSpec
		one.DB, one.Prefix, one.Multisite, one.ContentDir = spec.DB, spec.Prefix, spec.Multisite, spec.ContentDir
		one.Users = []wpUser{{Login: login}}
		b, _ := json.Marshal(one)
		php(t, "unspam", b)
	}
	a.config = writeConfig(t, `sources:
  - name: wordpress
    type: sql
    config:
      preset: wordpress
      driver: mysql
      table_prefix: `+wpPrefix+`
      dsn: "`+cfg.FormatDSN()+`"
migration:
  assume_email_verified: true
  mark_migrated: true
`)
	return a
}
