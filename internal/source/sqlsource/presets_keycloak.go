// The Keycloak preset: one realm's users, read from Keycloak's own database.

package sqlsource

import (
	"strings"
)

// keycloakUsers is Keycloak's users table as PostgreSQL keeps it; Liquibase
// leaves every table upper-case on MySQL and MariaDB.
const keycloakUsers = "user_entity"

// keycloak is Keycloak's own database: user_entity joined with its
// "password" credential, in the realm named by realm (bound as a
// parameter). Keycloak stores usernames and emails lower-cased. Service
// accounts (service_account_client_link set) are clients, not people: they
// are neither signed in, listed nor counted. A user whose credentials live
// in a federation provider (federation_link) has no local password row and
// answers as having no password. The hash is the passhash "keycloak"
// format: Encoded is credential_data ({"hashIterations","algorithm"}) and
// Salt is secret_data ({"value","salt"}). Table names follow the database:
// upper-case where Liquibase made them so.
func keycloak(_ dialect, c Config, t *tables) shape {
	name := func(n string) string { return n }
	if !t.exists(keycloakUsers, true) && t.exists(strings.ToUpper(keycloakUsers), false) {
		name = strings.ToUpper
	}
	users, realm, cred := name("user_entity"), name("realm"), name("credential")
	s := shape{
		sel: `u."id", u."username", u."email", u."email_verified", u."enabled", u."first_name", u."last_name", ` +
			`c."credential_data", c."secret_data"`,
		from: `"` + users + `" u JOIN "` + realm + `" r ON r."id" = u."realm_id" ` +
			`LEFT JOIN "` + cred + `" c ON c."user_id" = u."id" AND c."type" = 'password'`,
		where:      `r."name" = $1 AND u."service_account_client_link" IS NULL`,
		byUsername: `u."username" = $1`, byEmail: `u."email" = $1`,
		key: `u."id"`, mark: `u."` + MigratedColumn + `"`, markTable: users, markKey: "id",
		sample: `SELECT "credential_data", "secret_data" FROM "` + cred + `" WHERE "type" = 'password' LIMIT 1`,
		cfg: Config{
			Fold: FoldLower,
			Columns: Columns{
				ID: "id", Username: "username", Email: "email", EmailVerified: "email_verified", Enabled: "enabled",
				PasswordHash: "credential_data", Salt: "secret_data",
			},
			Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
			HashFormat: "keycloak",
		},
	}
	if c.Realm != "" {
		s.cfg.Params = []string{c.Realm}
	}
	return s
}
