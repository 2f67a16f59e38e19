package sqlsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// hasher makes the stored hashes a preset's rows are seeded with. In
// bcrypt mode every preset gets real bcrypt hashes of each user's password
// (with hash_format overridden where the preset's own format differs), so
// the conformance runs exercise the schema, statements and column mapping;
// in native mode every user gets one vector of the preset's own format from
// the passhash vector files, so TestPresetNativeHashes checks that the
// preset reads the format as its framework stores it.
type hasher struct {
	native bool
	// hash returns the stored value for password (native mode: the vector,
	// whatever the password).
	hash func(t *testing.T, password string) string
	// salt is the separately stored salt (Membership's PasswordSalt) or
	// Keycloak's secret_data.
	salt string
	// pepper is the site pepper the hashes were made with.
	pepper string
}

func bcryptHasher(salt string) hasher {
	return hasher{
		hash:   func(t *testing.T, pw string) string { return bcryptHash(t, pw, testCost) },
		salt:   salt,
		pepper: "devise-pepper-0f3a",
	}
}

// presetCase seeds a preset's real tables and describes what it put there.
// openSeeded creates preset name's tables in tdb, seeds pc's rows hashed
// by h, and opens the preset's source over them with pc's overrides; it
// returns the source and the seed's fixture.
func (pc presetCase) openSeeded(t *testing.T, tdb *testDB, name string, h hasher) (*Source, sourcetest.Fixture) {
	t.Helper()
	tdb.presetVariant(t, name, pc.variant)
	fx := pc.seed(t, tdb, h)
	return tdb.open(t, pc.configFor(name, h)), fx
}

// configFor is preset name's configuration with pc's overrides.
func (pc presetCase) configFor(name string, h hasher) Config {
	c := Config{}
	if pc.config != nil {
		c = pc.config(h)
	}
	c.Preset = name
	return c
}

type presetCase struct {
	// variant is the framework DDL variant the rows need ("" for the
	// framework's default migration).
	variant string
	// config returns the overrides the test applies on top of the preset.
	config func(h hasher) Config
	// bcryptSalt is the salt column value seeded in bcrypt mode.
	bcryptSalt string
	// vectors pick the preset's native hashes from the passhash vectors.
	vectors []vectorPick
	// seed fills the tables and returns the fixture minus its Source.
	seed func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture
	// extra are preset-specific checks on the seeded source.
	extra func(t *testing.T, s *Source)
}

var (
	past   = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	future = time.Now().UTC().Add(24 * 365 * time.Hour).Truncate(time.Second)
)

// presetCases holds one case per preset.
var presetCases = map[string]presetCase{
	"aspnet-identity": {
		config:  bcryptFormatUnlessNative,
		vectors: []vectorPick{{"aspnet_identity.tsv", func(v vector) bool { return v.format == "aspnet-identity" && strings.HasPrefix(v.encoded, "AQAAAA") }}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			ins := `INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
				"PasswordHash", "SecurityStamp", "ConcurrencyStamp", "PhoneNumber", "PhoneNumberConfirmed", "TwoFactorEnabled",
				"LockoutEnd", "LockoutEnabled", "AccessFailedCount") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
			// alice's lockout ended in the past; bob's lies in the future but
			// lockout is not enabled for him; carol is locked out.
			tdb.exec(t, ins, "0b6c0f0e-1d1a-4c55-9d7e-000000000001", "alice", "ALICE", "alice@example.com", "ALICE@EXAMPLE.COM", true,
				h.hash(t, "Alice-pass-1"), "STAMP1", "c1", "+15550100", true, false, past, true, 0)
			tdb.exec(t, ins, "0b6c0f0e-1d1a-4c55-9d7e-000000000002", "bob", "BOB", "Bob@Example.com", "BOB@EXAMPLE.COM", false,
				h.hash(t, "Bob-pass-2"), "STAMP2", "c2", nil, false, false, future, false, 0)
			tdb.exec(t, ins, "0b6c0f0e-1d1a-4c55-9d7e-000000000003", "carol", "CAROL", "carol@example.com", "CAROL@EXAMPLE.COM", true,
				h.hash(t, "Carol-pass-3"), "STAMP3", "c3", nil, false, false, future, true, 5)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice", Password: "Alice-pass-1", Want: &source.User{
					ID: "0b6c0f0e-1d1a-4c55-9d7e-000000000001", Username: "alice", Email: "alice@example.com", EmailVerified: true,
					Phone: "+15550100", PhoneVerified: true,
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "Bob-pass-2", Want: &source.User{
					ID: "0b6c0f0e-1d1a-4c55-9d7e-000000000002", Username: "bob", Email: "Bob@Example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "Carol-pass-3"},
				CaseInsensitive: true,
			}
		},
	},

	"aspnet-membership": {
		config:     bcryptFormatUnlessNative,
		bcryptSalt: "c2FsdHNhbHRzYWx0c2FsdA==",
		vectors:    []vectorPick{{"aspnet_membership.tsv", func(v vector) bool { return v.format == "aspnet-membership-sha1" }}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			app := "5f0e3b1c-7a43-4d0e-9f6b-a1b2c3d4e5f6"
			membershipApp(t, tdb, app, "/")
			user := func(uid, name, email, password string, format int, approved, locked bool) {
				membershipUser(t, tdb, app, uid, name, email, h.hash(t, password), format, h.salt, approved, locked)
			}
			user("a0000000-0000-4000-8000-000000000001", "Alice", "Alice@Example.com", "alice-pw", 1, true, false)
			user("a0000000-0000-4000-8000-000000000002", "bob", "bob@example.com", "bob-pw", 1, true, false)
			user("a0000000-0000-4000-8000-000000000003", "carol", "carol@example.com", "carol-pw", 1, true, true)
			user("a0000000-0000-4000-8000-000000000004", "dan", "dan@example.com", "dan-pw", 1, false, false)
			user("a0000000-0000-4000-8000-000000000005", "erin", "erin@example.com", "erin-pw", 2, true, false)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice", Password: "alice-pw", Want: &source.User{
					ID: "a0000000-0000-4000-8000-000000000001", Username: "Alice", Email: "Alice@Example.com",
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-pw", Want: &source.User{
					ID: "a0000000-0000-4000-8000-000000000002", Username: "bob", Email: "bob@example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "carol-pw"},
				CaseInsensitive: true,
			}
		},
		extra: func(t *testing.T, s *Source) {
			// Not approved is disabled; an encrypted password cannot be verified.
			if _, err := s.Authenticate(t.Context(), "dan", "dan-pw"); !errors.Is(err, source.ErrUserDisabled) {
				t.Errorf("unapproved user: %v, want ErrUserDisabled", err)
			}
			if _, err := s.Authenticate(t.Context(), "erin", "erin-pw"); !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("encrypted password: %v, want ErrInvalidPassword", err)
			}
		},
	},

	"django": {
		vectors: []vectorPick{{"pbkdf2.tsv", func(v vector) bool { return strings.HasPrefix(v.encoded, "pbkdf2_sha256$") }}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			ins := `INSERT INTO "auth_user" ("password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
			tdb.exec(t, ins, h.hash(t, "alice-secret"), false, "alice", "Alice", "Liddell", "alice@example.com", false, true, past)
			tdb.exec(t, ins, h.hash(t, "bob-secret"), false, "bob", "", "", "Bob@Example.com", true, true, past)
			tdb.exec(t, ins, h.hash(t, "carol-secret"), false, "carol", "Carol", "", "carol@example.com", false, false, past)
			tdb.exec(t, ins, "!Jx8mC0unusablePasswordQ2wE", false, "frank", "", "", "frank@example.com", false, true, past)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice", Password: "alice-secret", Want: &source.User{
					ID: "1", Username: "alice", Email: "alice@example.com",
					Attributes: map[string]string{"given_name": "Alice", "family_name": "Liddell"},
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-secret", Want: &source.User{
					ID: "2", Username: "bob", Email: "Bob@Example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "carol-secret"},
				CaseInsensitive: tdb.driver == DriverMySQL, // the collation decides, as for Django itself
			}
		},
		extra: func(t *testing.T, s *Source) {
			if _, err := s.Authenticate(t.Context(), "frank", "!Jx8mC0unusablePasswordQ2wE"); !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("unusable password: %v, want ErrInvalidPassword", err)
			}
		},
	},

	"wordpress": {
		vectors: []vectorPick{
			{"phpass.tsv", func(v vector) bool { return strings.HasPrefix(v.encoded, "$P$") }},
			{"wordpress.tsv", func(v vector) bool { return strings.HasPrefix(v.encoded, "$wp$2y$") }},
		},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			// A multisite: its upgrade adds spam and deleted to wp_users
			// (wp-admin/includes/schema.php, populate_network).
			tdb.ddl(t, `ALTER TABLE "wp_users" ADD "spam" SMALLINT NOT NULL DEFAULT 0`,
				`ALTER TABLE "wp_users" ADD "deleted" SMALLINT NOT NULL DEFAULT 0`)
			ins := `INSERT INTO "wp_users" ("user_login", "user_pass", "user_nicename", "user_email", "user_url", "user_registered",
				"user_activation_key", "user_status", "display_name", "spam") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
			tdb.exec(t, ins, "alice", h.hash(t, "alice-wp"), "alice", "alice@example.com", "", past, "", 0, "Alice L.", 0)
			// user_status is no sign-in flag: WordPress signs bob in.
			tdb.exec(t, ins, "bob", h.hash(t, "bob-wp"), "bob", "bob@example.com", "https://bob.example", past, "", 1, "bob", 0)
			tdb.exec(t, ins, "carol", h.hash(t, "carol-wp"), "carol", "carol@example.com", "", past, "", 0, "Carol", 1)
			meta := `INSERT INTO "wp_usermeta" ("user_id", "meta_key", "meta_value") VALUES ($1, $2, $3)`
			tdb.exec(t, meta, 1, "first_name", "Alice")
			tdb.exec(t, meta, 1, "last_name", "Liddell")
			tdb.exec(t, meta, 1, "nickname", "alice")
			tdb.exec(t, meta, 2, "first_name", "")
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice", Password: "alice-wp", Want: &source.User{
					ID: "1", Username: "alice", Email: "alice@example.com",
					Attributes: map[string]string{"name": "Alice L.", "given_name": "Alice", "family_name": "Liddell"},
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-wp", Want: &source.User{
					ID: "2", Username: "bob", Email: "bob@example.com", Attributes: map[string]string{"name": "bob"},
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "carol-wp"},
				CaseInsensitive: tdb.driver == DriverMySQL,
			}
		},
		extra: func(t *testing.T, s *Source) {
			// wp_authenticate trims the typed password.
			if _, err := s.Authenticate(t.Context(), "alice", " alice-wp\t"); err != nil {
				t.Errorf("Authenticate(untrimmed password) = %v, want success", err)
			}
			if _, err := s.Authenticate(t.Context(), "alice", "alice- wp"); !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("Authenticate(inner space) = %v, want ErrInvalidPassword", err)
			}
		},
	},

	"devise": {
		// The rows use Confirmable and Lockable; TestDeviseDefaultMigration
		// signs in on the migration as generated, without them.
		variant: "confirmable-lockable",
		config: func(h hasher) Config {
			return Config{Pepper: h.pepper, AllowUnconfirmedAccessFor: 72 * time.Hour}
		},
		vectors: []vectorPick{{"bcrypt_pepper.tsv", func(vector) bool { return true }}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			ins := `INSERT INTO "users" ("email", "encrypted_password", "confirmed_at", "confirmation_sent_at",
				"failed_attempts", "locked_at", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
			now := time.Now().UTC().Truncate(time.Second)
			// Devise hashes password + pepper.
			tdb.exec(t, ins, "alice@example.com", h.hash(t, "alice-devise"+h.pepper), past, past, 0, nil, past, past)
			// Unconfirmed, inside allow_unconfirmed_access_for.
			tdb.exec(t, ins, "bob@example.com", h.hash(t, "bob-devise"+h.pepper), nil, now.Add(-time.Hour), 0, nil, past, past)
			// Locked ten minutes ago: unlock_in (1 hour) has not passed.
			tdb.exec(t, ins, "carol@example.com", h.hash(t, "carol-devise"+h.pepper), past, past, 5, now.Add(-10*time.Minute), past, past)
			// Locked two hours ago: Devise's defaults have unlocked dave.
			tdb.exec(t, ins, "dave@example.com", h.hash(t, "dave-devise"+h.pepper), past, past, 5, now.Add(-2*time.Hour), past, past)
			// Unconfirmed for too long.
			tdb.exec(t, ins, "erin@example.com", h.hash(t, "erin-devise"+h.pepper), nil, now.Add(-100*time.Hour), 0, nil, past, past)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice@example.com", Password: "alice-devise", Want: &source.User{
					ID: "1", Username: "alice@example.com", Email: "alice@example.com", EmailVerified: true,
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-devise", Want: &source.User{
					ID: "2", Username: "bob@example.com", Email: "bob@example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol@example.com", Password: "carol-devise"},
				CaseInsensitive: true,
			}
		},
		extra: func(t *testing.T, s *Source) {
			if s.verifier == nil || s.given.Pepper == "" {
				return // native mode signs in with the vectors' passwords
			}
			if _, err := s.Authenticate(t.Context(), "dave@example.com", "dave-devise"); err != nil {
				t.Errorf("Authenticate(locked 2 hours ago) = %v, want success (unlock_in 1h)", err)
			}
			if _, err := s.Authenticate(t.Context(), "erin@example.com", "erin-devise"); !errors.Is(err, source.ErrUserDisabled) {
				t.Errorf("Authenticate(unconfirmed 100 hours) = %v, want ErrUserDisabled", err)
			}
		},
	},

	"laravel": {
		vectors: []vectorPick{{"argon2.tsv", func(v vector) bool { return strings.HasPrefix(v.encoded, "$argon2id$") }}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			ins := `INSERT INTO "users" ("name", "email", "email_verified_at", "password", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5, $6)`
			tdb.exec(t, ins, "Alice", "alice@example.com", past, h.hash(t, "alice-laravel"), past, past)
			tdb.exec(t, ins, "Bob", "bob@example.com", nil, h.hash(t, "bob-laravel"), past, past)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice@example.com", Password: "alice-laravel", Want: &source.User{
					ID: "1", Username: "alice@example.com", Email: "alice@example.com", EmailVerified: true,
					Attributes: map[string]string{"name": "Alice"},
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-laravel", Want: &source.User{
					ID: "2", Username: "bob@example.com", Email: "bob@example.com", Attributes: map[string]string{"name": "Bob"},
				}},
				CaseInsensitive: tdb.driver == DriverMySQL,
			}
		},
	},

	"keycloak": {
		config: func(h hasher) Config {
			c := bcryptFormatUnlessNative(h)
			c.Realm = "acme"
			return c
		},
		bcryptSalt: `{"value":"","salt":""}`,
		vectors: []vectorPick{{"keycloak.tsv", func(v vector) bool {
			return v.format == "keycloak" && strings.HasPrefix(v.encoded, `{"hashIterations"`)
		}}},
		seed: func(t *testing.T, tdb *testDB, h hasher) sourcetest.Fixture {
			// Liquibase leaves Keycloak's tables upper-case on MySQL and
			// MariaDB (ddl/keycloak/mysql.sql), where table names are
			// case-sensitive; columns are not.
			realms, users, cred := "realm", "user_entity", "credential"
			if tdb.driver == DriverMySQL {
				realms, users, cred = "REALM", "USER_ENTITY", "CREDENTIAL"
			}
			tdb.exec(t, `INSERT INTO "`+realms+`" ("id", "name", "enabled") VALUES ($1, $2, $3)`, "r-acme", "acme", true)
			tdb.exec(t, `INSERT INTO "`+realms+`" ("id", "name", "enabled") VALUES ($1, $2, $3)`, "r-other", "other", true)
			user := func(id, realm, username, email, first, password string, verified, enabled bool) {
				tdb.exec(t, `INSERT INTO "`+users+`" ("id", "email", "email_constraint", "email_verified", "enabled", "first_name",
					"last_name", "realm_id", "username", "created_timestamp", "not_before") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
					id, email, email, verified, enabled, first, nil, realm, username, int64(1700000000000), 0)
				tdb.exec(t, `INSERT INTO "`+cred+`" ("id", "type", "user_id", "created_date", "secret_data", "credential_data", "priority")
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, "c-"+id, "password", id, int64(1700000000000), h.salt, h.hash(t, password), 10)
			}
			user("u-alice", "r-acme", "alice", "alice@example.com", "Alice", "alice-kc", true, true)
			user("u-alice-other", "r-other", "alice", "alice@example.com", "Other", "other-realm-pw", true, true)
			user("u-bob", "r-acme", "bob", "bob@example.com", "", "bob-kc", false, true)
			user("u-carol", "r-acme", "carol", "carol@example.com", "", "carol-kc", true, false)
			return sourcetest.Fixture{
				User: sourcetest.Account{Name: "alice", Password: "alice-kc", Want: &source.User{
					ID: "u-alice", Username: "alice", Email: "alice@example.com", EmailVerified: true,
					Attributes: map[string]string{"given_name": "Alice"},
				}},
				ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: "bob-kc", Want: &source.User{
					ID: "u-bob", Username: "bob", Email: "bob@example.com",
				}},
				Disabled:        &sourcetest.Account{Name: "carol", Password: "carol-kc"},
				CaseInsensitive: true,
			}
		},
		extra: func(t *testing.T, s *Source) {
			// The same username in another realm is someone else.
			if _, err := s.Authenticate(t.Context(), "alice", "other-realm-pw"); !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("other realm's password: %v, want ErrInvalidPassword", err)
			}
		},
	},
}

func TestPresetsCovered(t *testing.T) {
	t.Parallel()
	for _, name := range Presets() {
		if _, ok := presetCases[name]; !ok {
			t.Errorf("preset %q has no test case", name)
		}
		if _, ok := schemas[name]; !ok {
			t.Errorf("preset %q has no schema", name)
		}
	}
}

// TestPresets runs the conformance suite on each preset's real DDL with
// seeded rows, on every driver, then the preset's own checks and the
// write-back.
func TestPresets(t *testing.T) {
	t.Parallel()
	for _, name := range Presets() {
		pc := presetCases[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			forEachDriver(t, func(t *testing.T, driver string) {
				tdb := newTestDB(t, driver)
				tdb.presetVariant(t, name, pc.variant)
				h := bcryptHasher(pc.bcryptSalt)
				fx := pc.seed(t, tdb, h)
				cfg := func() Config { return pc.configFor(name, h) }
				sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
					f := fx
					f.Source = tdb.open(t, cfg())
					return f
				})
				t.Run("Specific", func(t *testing.T) {
					t.Parallel()
					s := tdb.open(t, cfg())
					if err := s.Check(t.Context()); err != nil {
						t.Errorf("Check: %v", err)
					}
					if pc.extra != nil {
						pc.extra(t, s)
					}
				})
			})
		})
	}
}

// bcryptFormatUnlessNative overrides hash_format with bcrypt in bcrypt mode
// and keeps the preset's own format in native mode.
func bcryptFormatUnlessNative(h hasher) Config {
	if h.native {
		return Config{}
	}
	return Config{HashFormat: "bcrypt"}
}

// vector is one row of a passhash vector file:
// password<TAB>encoded<TAB>want[<TAB>format[<TAB>salt]].
type vector struct {
	password, encoded, format, salt string
}

// vectorPick names a vector file and chooses a matching row from it.
type vectorPick struct {
	file string
	pick func(vector) bool
}

// load returns the first matching row with want=true, and the file's
// pepper ("#! pepper=…"), from internal/passhash/testdata, whose vectors
// come from independent implementations (each file names its origin).
func (vp vectorPick) load(t *testing.T) (vector, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "passhash", "testdata", vp.file))
	if err != nil {
		t.Fatalf("vector file: %v", err)
	}
	var pepper string
	for line := range strings.SplitSeq(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "#! pepper="); ok {
			pepper = strings.TrimSpace(p)
		}
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 || f[2] != "true" {
			continue
		}
		v := vector{password: f[0], encoded: f[1]}
		if len(f) > 3 {
			v.format = f[3]
		}
		if len(f) > 4 {
			v.salt = f[4]
		}
		if vp.pick(v) {
			return v, pepper
		}
	}
	t.Fatalf("%s: no matching vector", vp.file)
	return vector{}, ""
}

// TestPresetNativeHashes seeds each preset's tables with a hash in the
// format its framework writes (from the passhash vector files) and signs
// in through the preset's own configuration, on every driver.
func TestPresetNativeHashes(t *testing.T) {
	t.Parallel()
	for _, name := range Presets() {
		pc := presetCases[name]
		for _, vp := range pc.vectors {
			t.Run(name+"/"+strings.TrimSuffix(vp.file, ".tsv"), func(t *testing.T) {
				t.Parallel()
				v, pepper := vp.load(t)
				h := hasher{
					native: true,
					hash:   func(*testing.T, string) string { return v.encoded },
					salt:   v.salt,
					pepper: pepper,
				}
				if h.salt == "" {
					h.salt = pc.bcryptSalt
				}
				testNative(t, name, pc, h, v)
			})
		}
	}
}

// testNative signs in through preset name on every driver, its rows seeded
// by h with the vector v.
func testNative(t *testing.T, name string, pc presetCase, h hasher, v vector) {
	forEachDriver(t, func(t *testing.T, driver string) {
		s, fx := pc.openSeeded(t, newTestDB(t, driver), name, h)
		ctx := t.Context()

		u, err := s.Authenticate(ctx, fx.User.Name, v.password)
		if err != nil {
			t.Fatalf("Authenticate(%q) with the native hash: %v", fx.User.Name, err)
		}
		if u.ID != fx.User.Want.ID || u.HashFamily == "" {
			t.Errorf("Authenticate(%q) = ID %q family %q, want ID %q and a family", fx.User.Name, u.ID, u.HashFamily, fx.User.Want.ID)
		}
		if _, err := s.Authenticate(ctx, fx.User.Name, v.password+"!"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("wrong password: %v, want ErrInvalidPassword", err)
		}
		// The dummy hash is sampled from these rows: it must verify.
		if _, err := s.Authenticate(ctx, "nobody-at-all", v.password); !errors.Is(err, source.ErrUserNotFound) {
			t.Errorf("unknown user: %v, want ErrUserNotFound", err)
		}
		if fx.ByEmail != nil {
			if u, err := s.Authenticate(ctx, fx.ByEmail.Name, v.password); err != nil || u.ID != fx.ByEmail.Want.ID {
				t.Errorf("Authenticate(%q) = %v, %v", fx.ByEmail.Name, u, err)
			}
		}
		if fx.Disabled != nil {
			if _, err := s.Authenticate(ctx, fx.Disabled.Name, v.password); !errors.Is(err, source.ErrUserDisabled) {
				t.Errorf("disabled user: %v, want ErrUserDisabled", err)
			}
		}
	})
}
