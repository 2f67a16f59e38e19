// The Django preset (django.contrib.auth).

package sqlsource

// django is django.contrib.auth's auth_user. Passwords are self-describing
// ("pbkdf2_sha256$…", "argon2$…", "bcrypt_sha256$…", "sha1$$…"), except
// UnsaltedMD5PasswordHasher's bare 32 lower-case hex digits, which Django's
// identify_hasher recognises by their length. An unusable password ("!…")
// reads as no password; is_active false disables the user. Usernames
// compare with the database's "=", as Django's own lookups do: exactly, but
// case-insensitively under a MySQL/MariaDB _ci collation, where auth_user's
// UNIQUE username (in the same collation) still lets one name match one
// row at most. Emails compare case-insensitively.
func django(_ dialect, _ Config, _ *tables) shape {
	return shape{
		sel: `"id", "username", "email", "first_name", "last_name", "is_active", ` +
			`CASE WHEN "password" LIKE '!%' THEN NULL ELSE "password" END AS "password"`,
		from: `"auth_user"`, byUsername: `"username" = $1`, byEmail: `LOWER("email") = LOWER($1)`,
		key: `"id"`, mark: `"auth_user"."` + MigratedColumn + `"`, markTable: "auth_user", markKey: "id",
		sample: `SELECT "password" FROM "auth_user" WHERE "password" NOT LIKE '!%' LIMIT 1`,
		cfg: Config{
			Columns: Columns{
				ID: "id", Username: "username", Email: "email", PasswordHash: "password", Enabled: "is_active",
			},
			Attributes: map[string]string{"first_name": "given_name", "last_name": "family_name"},
			bareHex:    map[int]string{32: "unsalted_md5"},
		},
	}
}
