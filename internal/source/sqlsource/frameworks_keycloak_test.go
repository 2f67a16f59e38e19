package sqlsource

import (
	"errors"
	"slices"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Keycloak's stored form of "password" (Pbkdf2PasswordHashProvider,
// pbkdf2-sha256, 27,500 iterations) from
// internal/passhash/testdata/keycloak.tsv.
const (
	keycloakCredentialData = `{"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}`
	keycloakSecretData     = `{"value":"g98Ow2hCc1a79gW6OrJwQcLPW2zaEQm09o0sD6cFS4iyxwXicZ2CWf0yv01qo0T22Blz4fIZJptDpUo0GuV88Q==","salt":"Be7gzFkU+aDGz3xPjUaenQ==","additionalParameters":{}}`
)

// TestKeycloakOnItsTables seeds Keycloak's own tables (ddl/keycloak: upper-
// case on MySQL/MariaDB, as Liquibase leaves them) as Keycloak writes a
// realm's users, and signs in through the preset: a verified and an
// unverified user, a disabled one, a user of a federation provider (no local
// password row), and a client's service account, which is no person and is
// neither signed in, counted nor listed.
func TestKeycloakOnItsTables(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		tdb.preset(t, "keycloak")
		realms, users, cred := "realm", "user_entity", "credential"
		if driver == DriverMySQL {
			realms, users, cred = "REALM", "USER_ENTITY", "CREDENTIAL"
		}
		tdb.exec(t, `INSERT INTO "`+realms+`" ("id", "name", "enabled") VALUES ($1, $2, $3)`, "r-1", "acme", true)
		user := func(id, username string, email any, verified, enabled bool, federation, serviceAccount any, password bool) {
			tdb.exec(t, `INSERT INTO "`+users+`" ("id", "email", "email_constraint", "email_verified", "enabled", "federation_link",
				"first_name", "last_name", "realm_id", "username", "created_timestamp", "service_account_client_link", "not_before")
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				id, email, email, verified, enabled, federation, "First", "Last", "r-1", username, int64(1700000000000), serviceAccount, 0)
			if password {
				tdb.exec(t, `INSERT INTO "`+cred+`" ("id", "type", "user_id", "created_date", "secret_data", "credential_data", "priority")
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, "c-"+id, "password", id, int64(1700000000000), keycloakSecretData, keycloakCredentialData, 10)
			}
		}
		user("u-1", "alice", "alice@example.com", true, true, nil, nil, true)
		user("u-2", "bob", "bob@example.com", false, true, nil, nil, true)
		user("u-3", "carol", "carol@example.com", true, false, nil, nil, true)
		user("u-4", "dave", "dave@example.com", true, true, "ldap-provider-1", nil, false)
		user("u-5", "service-account-backend", nil, false, true, nil, "client-backend", true)

		s := tdb.open(t, Config{Preset: "keycloak", Realm: "acme"})
		ctx := t.Context()
		u, err := s.Authenticate(ctx, "Alice", "password")
		if err != nil || u.ID != "u-1" || !u.EmailVerified || u.Attributes["given_name"] != "First" {
			t.Fatalf("Authenticate(alice) = %+v, %v", u, err)
		}
		if _, err := s.Authenticate(ctx, "alice", "password!"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("wrong password: %v, want ErrInvalidPassword", err)
		}
		if u, err := s.Authenticate(ctx, "bob@example.com", "password"); err != nil || u.EmailVerified {
			t.Errorf("Authenticate(bob) = %+v, %v; want success, email not verified", u, err)
		}
		if _, err := s.Authenticate(ctx, "carol", "password"); !errors.Is(err, source.ErrUserDisabled) {
			t.Errorf("disabled user: %v, want ErrUserDisabled", err)
		}
		if _, err := s.Authenticate(ctx, "dave", "password"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("federated user without a local password: %v, want ErrInvalidPassword", err)
		}
		if _, err := s.Authenticate(ctx, "service-account-backend", "password"); !errors.Is(err, source.ErrUserNotFound) {
			t.Errorf("service account: %v, want ErrUserNotFound", err)
		}
		if n, err := s.Count(ctx); err != nil || n.Total != 4 {
			t.Errorf("Count = %+v, %v; want 4 (the service account is not counted)", n, err)
		}
		var listed []string
		if err := s.List(ctx, func(e source.Entry) error {
			listed = append(listed, e.User.Username)
			return nil
		}); err != nil {
			t.Fatalf("List: %v", err)
		}
		slices.Sort(listed)
		if want := []string{"alice", "bob", "carol", "dave"}; !slices.Equal(listed, want) {
			t.Errorf("List = %q, want %q", listed, want)
		}
	})
}
