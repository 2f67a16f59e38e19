package sqlsource

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// membershipApp inserts an application as aspnet_regsql's
// aspnet_Applications_CreateApplication does.
func membershipApp(t *testing.T, tdb *testDB, id, name string) {
	t.Helper()
	tdb.exec(t, `INSERT INTO "aspnet_Applications" ("ApplicationName", "LoweredApplicationName", "ApplicationId") VALUES ($1, $2, $3)`,
		name, strings.ToLower(name), id)
}

// membershipNever is the "no lockout yet" date aspnet_Membership_CreateUser
// writes (CONVERT(datetime, '17540101', 112)).
var membershipNever = time.Date(1754, 1, 1, 0, 0, 0, 0, time.UTC)

// membershipUser inserts a user as aspnet_Membership_CreateUser does:
// aspnet_Users first, then aspnet_Membership with the last login and
// password change at the creation date and no lockout or failed attempt.
func membershipUser(t *testing.T, tdb *testDB, app, uid, name, email, stored string, format int, salt string, approved, locked bool) {
	t.Helper()
	tdb.exec(t, `INSERT INTO "aspnet_Users" ("ApplicationId", "UserId", "UserName", "LoweredUserName", "IsAnonymous", "LastActivityDate")
		VALUES ($1, $2, $3, $4, $5, $6)`, app, uid, name, strings.ToLower(name), false, past)
	tdb.exec(t, `INSERT INTO "aspnet_Membership" ("ApplicationId", "UserId", "Password", "PasswordSalt", "Email", "LoweredEmail",
		"PasswordFormat", "IsApproved", "IsLockedOut", "CreateDate", "LastLoginDate", "LastPasswordChangedDate", "LastLockoutDate",
		"FailedPasswordAttemptCount", "FailedPasswordAttemptWindowStart", "FailedPasswordAnswerAttemptCount", "FailedPasswordAnswerAttemptWindowStart")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		app, uid, stored, salt, email, strings.ToLower(email), format, approved, locked, past, past, past, membershipNever,
		0, membershipNever, 0, membershipNever)
}

// TestMembershipApplicationName: one aspnet_regsql database holds the users
// of several applications, and the same name may be in two of them.
// application_name picks one, matched as the provider matches it (lower-cased
// against aspnet_Applications.LoweredApplicationName), for sign-in, counting
// and listing alike.
func TestMembershipApplicationName(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		tdb.preset(t, "aspnet-membership")
		root, shop := "5f0e3b1c-7a43-4d0e-9f6b-000000000001", "5f0e3b1c-7a43-4d0e-9f6b-000000000002"
		membershipApp(t, tdb, root, "/")
		membershipApp(t, tdb, shop, "Shop")
		pw := func(p string) string { return bcryptHash(t, p, testCost) }
		membershipUser(t, tdb, root, "b0000000-0000-4000-8000-000000000001", "Alice", "alice@example.com", pw("root-pw"), 1, "", true, false)
		membershipUser(t, tdb, shop, "b0000000-0000-4000-8000-000000000002", "alice", "alice@shop.example", pw("shop-pw"), 1, "", true, false)
		membershipUser(t, tdb, shop, "b0000000-0000-4000-8000-000000000003", "bob", "bob@shop.example", pw("bob-pw"), 1, "", true, false)

		s := tdb.open(t, Config{Preset: "aspnet-membership", ApplicationName: "SHOP", HashFormat: "bcrypt"})
		u, err := s.Authenticate(t.Context(), "ALICE", "shop-pw")
		if err != nil || u.ID != "b0000000-0000-4000-8000-000000000002" || u.Email != "alice@shop.example" {
			t.Fatalf("Authenticate(shop's alice) = %+v, %v", u, err)
		}
		if _, err := s.Authenticate(t.Context(), "alice", "root-pw"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("Authenticate(another application's password) = %v, want ErrInvalidPassword", err)
		}
		n, err := s.Count(t.Context())
		if err != nil || n.Total != 2 {
			t.Errorf("Count = %+v, %v; want the 2 users of Shop", n, err)
		}
		var listed []string
		if err := s.List(t.Context(), func(e source.Entry) error {
			listed = append(listed, e.User.Username)
			return nil
		}); err != nil {
			t.Fatalf("List: %v", err)
		}
		slices.Sort(listed)
		if !slices.Equal(listed, []string{"alice", "bob"}) {
			t.Errorf("List = %q, want Shop's alice and bob", listed)
		}

		// Without application_name, a name in two applications is no one user.
		all := tdb.open(t, Config{Preset: "aspnet-membership", HashFormat: "bcrypt"})
		var re *source.RecordError
		if _, err := all.Authenticate(t.Context(), "alice", "shop-pw"); !errors.As(err, &re) || re.Reason != source.RecordAmbiguous {
			t.Errorf("Authenticate(alice of two applications) = %v, want an ambiguous record", err)
		}

		root1 := tdb.open(t, Config{Preset: "aspnet-membership", ApplicationName: "/", HashFormat: "bcrypt"})
		if u, err := root1.Authenticate(t.Context(), "alice", "root-pw"); err != nil || u.Username != "Alice" {
			t.Errorf("Authenticate(root's Alice) = %+v, %v", u, err)
		}
	})
}

// identityVector is an Identity 2 (V2: PBKDF2-SHA1, 1000 iterations) hash
// of "password" from internal/passhash/testdata/aspnet_identity.tsv: the
// format Microsoft.AspNet.Identity's PasswordHasher writes.
const identityVector = "ALbuwIBjTtxh9+VbRUFKikY1CX5fCPqIKrS8JGZfvQ/a2oH3do1+tWUV6CcGa2bTTg=="

// TestAspNetIdentityEF6 signs in through the aspnet-identity preset on the
// tables EF6's ASP.NET Identity 2 creates (no Normalized* columns,
// LockoutEndDateUtc), on every driver that has that variant: the preset
// finds the schema by its columns, looks names up as Identity 2's UserStore
// does (UserName.ToUpper()), honours LockoutEndDateUtc only where
// LockoutEnabled is set, and maps EmailConfirmed to email_verified.
func TestAspNetIdentityEF6(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, driver string) {
		if !slices.Contains(SchemaVariants("aspnet-identity", driver), "ef6") {
			t.Skipf("no ASP.NET Identity 2 DDL for %s (EF6 targets SQL Server; SQLite runs it here)", driver)
		}
		tdb := newTestDB(t, driver)
		stmts, err := SchemaVariant("aspnet-identity", "ef6", driver)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			mustExec(t, tdb.db, s)
		}
		ins := `INSERT INTO "AspNetUsers" ("Id", "Email", "EmailConfirmed", "PasswordHash", "SecurityStamp", "PhoneNumber",
			"PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEndDateUtc", "LockoutEnabled", "AccessFailedCount", "UserName")
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
		tdb.exec(t, ins, "7d1f0c1e-0000-4000-8000-000000000001", "alice@example.com", true, identityVector, "S1", "+15550100", true, false, past, true, 0, "alice")
		tdb.exec(t, ins, "7d1f0c1e-0000-4000-8000-000000000002", "Bob@Example.com", false, identityVector, "S2", nil, false, false, future, false, 0, "Bob")
		tdb.exec(t, ins, "7d1f0c1e-0000-4000-8000-000000000003", "carol@example.com", true, identityVector, "S3", nil, false, false, future, true, 5, "carol")
		tdb.exec(t, ins, "7d1f0c1e-0000-4000-8000-000000000004", "erin@example.com", true, nil, "S4", nil, false, false, nil, true, 0, "erin")

		s := tdb.open(t, Config{Preset: "aspnet-identity"})
		ctx := t.Context()
		u, err := s.Authenticate(ctx, "ALICE", "password")
		if err != nil {
			t.Fatalf("Authenticate(alice) = %v", err)
		}
		if !strings.Contains(s.cfg.Query.ByUsername, "LockoutEndDateUtc") {
			t.Errorf("the preset did not read the Identity 2 schema: %s", s.cfg.Query.ByUsername)
		}
		if u.Username != "alice" || !u.EmailVerified || u.Phone != "+15550100" || !u.PhoneVerified || u.HashFamily == "" {
			t.Errorf("alice = %+v", u)
		}
		if _, err := s.Authenticate(ctx, "alice", "password!"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("wrong password: %v, want ErrInvalidPassword", err)
		}
		// Unconfirmed email: signs in, email not verified; a future lockout
		// does not apply while LockoutEnabled is false.
		if u, err := s.Authenticate(ctx, "bob@example.com", "password"); err != nil || u.EmailVerified || u.Username != "Bob" {
			t.Errorf("Authenticate(bob by email) = %+v, %v; want Bob, email not verified", u, err)
		}
		if _, err := s.Authenticate(ctx, "carol", "password"); !errors.Is(err, source.ErrUserDisabled) {
			t.Errorf("locked out: %v, want ErrUserDisabled", err)
		}
		if _, err := s.Authenticate(ctx, "erin", "password"); !errors.Is(err, source.ErrInvalidPassword) {
			t.Errorf("no password (external logins only): %v, want ErrInvalidPassword", err)
		}
		if n, err := s.Count(ctx); err != nil || n.Total != 4 {
			t.Errorf("Count = %+v, %v; want 4", n, err)
		}
	})
}

// TestAspNetIdentityLockoutAsStored: on SQLite, EF Core stores a
// DateTimeOffset as TEXT in its own format ("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz");
// UserManager's "locked for good" is DateTimeOffset.MaxValue. The preset
// reads both as the framework wrote them.
func TestAspNetIdentityLockoutAsStored(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	tdb.preset(t, "aspnet-identity")
	ins := `INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
		"PasswordHash", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnd", "LockoutEnabled", "AccessFailedCount")
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	for _, r := range []struct {
		name, lockoutEnd string
	}{
		{"past", "2020-01-02 03:04:05.1234567+02:00"},
		{"forever", "9999-12-31 23:59:59.9999999+00:00"},
		{"soon", time.Now().Add(time.Hour).Format("2006-01-02 15:04:05.9999999-07:00")},
	} {
		tdb.exec(t, ins, "id-"+r.name, r.name, strings.ToUpper(r.name), r.name+"@example.com", strings.ToUpper(r.name)+"@EXAMPLE.COM",
			1, identityVector, 0, 0, r.lockoutEnd, 1, 0)
	}
	s := tdb.open(t, Config{Preset: "aspnet-identity"})
	if _, err := s.Authenticate(t.Context(), "past", "password"); err != nil {
		t.Errorf("lockout ended in 2020: %v, want success", err)
	}
	for _, name := range []string{"forever", "soon"} {
		if _, err := s.Authenticate(t.Context(), name, "password"); !errors.Is(err, source.ErrUserDisabled) {
			t.Errorf("%s: %v, want ErrUserDisabled", name, err)
		}
	}
}
