package preflight_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/preflight"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

func TestFromConfig(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "bind-password")
	if err := os.WriteFile(secret, []byte("unused"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		yaml string
		want preflight.Expectations
	}{
		{name: "django preset with an extra column", yaml: `sources:
  - name: django
    type: sql
    config: {preset: django, driver: postgres, dsn: "postgres://x@127.0.0.1:1/db", attributes: {id: "custom:legacy_id"}}
`, want: preflight.Expectations{Known: true, Mapped: []string{"custom:legacy_id", "email", "email_verified", "family_name", "given_name"},
			Allowed: migration.StandardAttributes, UsernameCase: migration.FoldNone, PoolMode: migration.PoolUsername, FailureStyle: trigger.FailError,
			PoolCaseSensitive: true, EmailLookup: true}},
		{name: "sql columns with verified flags", yaml: `sources:
  - name: app
    type: sql
    config:
      driver: postgres
      dsn: "postgres://x@127.0.0.1:1/db"
      query: {by_username: "SELECT 1 WHERE $1 = ''", sample: "SELECT h FROM t LIMIT 1"}
      fold: lower
      columns: {id: id, username: u, password_hash: h, phone: tel, phone_verified: tel_ok}
migration: {username_case: lower, pool_case_sensitive: false, attributes: [phone_number, phone_number_verified]}
trigger: {failure_style: empty}
`, want: preflight.Expectations{Known: true, Mapped: []string{"phone_number", "phone_number_verified"},
			Allowed: []string{"phone_number", "phone_number_verified"}, PhoneVerified: true, SourcesFoldCase: true, SomeSourceFoldsCase: true,
			UsernameCase: migration.FoldLower, PoolMode: migration.PoolUsername, FailureStyle: trigger.FailEmpty}},
		{name: "ldap with extras and assumed verification", yaml: `sources:
  - name: dir
    type: ldap
    config:
      url: ldap://127.0.0.1:1
      base_dn: dc=example,dc=org
      user_filter: (uid={username})
      bind_dn: cn=ferry,dc=example,dc=org
      bind_password_file: BIND_PASSWORD_FILE
      attributes: {extra: {"custom:department": departmentNumber}}
migration: {assume_email_verified: true}
`, want: preflight.Expectations{Known: true, Mapped: []string{"custom:department", "email", "email_verified", "family_name", "given_name",
			"name", "phone_number", "phone_number_verified"}, Allowed: migration.StandardAttributes, EmailVerified: true, SourcesFoldCase: true,
			SomeSourceFoldsCase: true, PoolCaseSensitive: true, EmailLookup: true,
			UsernameCase: migration.FoldNone, PoolMode: migration.PoolUsername, FailureStyle: trigger.FailError}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := setup.Load([]byte(strings.ReplaceAll(tc.yaml, "BIND_PASSWORD_FILE", secret)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, preflight.FromConfig(cfg)); diff != "" {
				t.Errorf("expectations (-want +got):\n%s", diff)
			}
		})
	}
}
