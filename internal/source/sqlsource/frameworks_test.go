package sqlsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// frameworkRow is one user of testdata/rows/<framework>.tsv, whose stored
// value the framework's own code wrote (testdata/gen.py).
type frameworkRow struct{ login, password, stored string }

func loadRows(t *testing.T, framework string) []frameworkRow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rows", framework+".tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []frameworkRow
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("%s: bad row %q", framework, line)
		}
		out = append(out, frameworkRow{f[0], f[1], f[2]})
	}
	return out
}

// weakFamilies are the rows' hashes that must come back flagged weak
// whatever their cost: unsalted or fast digests, phpass. (The others are
// made at the lowest costs to keep the test fast, so they are weak too.)
var weakFamilies = map[string]bool{
	"dj_sha1": true, "dj_md5": true, "dj_unsalted_sha1": true, "dj_unsalted_md5": true,
	"wp_phpass": true, "wp_md5": true,
}

// TestFrameworkHashes signs in every hasher's row of Django and WordPress
// through their presets, on every driver: the right password (WordPress's
// with surrounding spaces, which wp_authenticate trims), a wrong one, and
// the weak flag of the legacy digests.
func TestFrameworkHashes(t *testing.T) {
	t.Parallel()
	seeders := map[string]func(t *testing.T, tdb *testDB, r frameworkRow){
		"django": func(t *testing.T, tdb *testDB, r frameworkRow) {
			tdb.exec(t, `INSERT INTO "auth_user" ("password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, r.stored, false, r.login, "", "", r.login+"@example.com", false, true, past)
		},
		"wordpress": func(t *testing.T, tdb *testDB, r frameworkRow) {
			tdb.exec(t, `INSERT INTO "wp_users" ("user_login", "user_pass", "user_nicename", "user_email", "user_url", "user_registered",
				"user_activation_key", "user_status", "display_name") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				r.login, r.stored, r.login, r.login+"@example.com", "", past, "", 0, r.login)
		},
	}
	for framework, seed := range seeders {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			rows := loadRows(t, framework)
			forEachDriver(t, func(t *testing.T, driver string) {
				tdb := newTestDB(t, driver)
				tdb.preset(t, framework)
				for _, r := range rows {
					seed(t, tdb, r)
				}
				s := tdb.open(t, Config{Preset: framework})
				for _, r := range rows {
					pw := r.password
					if framework == "wordpress" {
						pw = " " + pw + "\n"
					}
					u, err := s.Authenticate(t.Context(), r.login, pw)
					if err != nil {
						t.Errorf("%s: Authenticate(right password) = %v", r.login, err)
						continue
					}
					if weakFamilies[r.login] && !u.WeakHash {
						t.Errorf("%s: family %s not flagged weak", r.login, u.HashFamily)
					}
					if _, err := s.Authenticate(t.Context(), r.login, r.password+"x"); !errors.Is(err, source.ErrInvalidPassword) {
						t.Errorf("%s: Authenticate(wrong password) = %v, want ErrInvalidPassword", r.login, err)
					}
				}
			})
		})
	}
}

// TestBareHexIsLowerCase: Django and WordPress compare the lower-case hex
// their md5() writes; an upper-cased value matches neither, and is left to
// detection (a fault naming the unknown format), not read as MD5.
func TestBareHexIsLowerCase(t *testing.T) {
	t.Parallel()
	s := &Source{cfg: Config{bareHex: map[int]string{32: "md5"}, Columns: Columns{PasswordHash: "p"}}}
	for _, tt := range []struct{ stored, want string }{
		{"5f4dcc3b5aa765d61d8327deb882cf99", "md5"},
		{"5F4DCC3B5AA765D61D8327DEB882CF99", ""},
		{"5f4dcc3b5aa765d61d8327deb882cf9", ""},
		{"$P$B2K0Ci9TQG/TxDKChe9qRlTrgIFML1", ""},
	} {
		if got := s.hash(row{"p": tt.stored}).Format; got != tt.want {
			t.Errorf("hash(%q).Format = %q, want %q", tt.stored, got, tt.want)
		}
	}
}
