// The .NET presets: ASP.NET Core Identity and ASP.NET Membership.

package sqlsource

import (
	"strings"
)

// The ASP.NET Identity table; Core and EF6 Identity 2 share its name.
const identityTable = "AspNetUsers"

// aspnetIdentity is ASP.NET Identity's AspNetUsers, as ASP.NET Core
// Identity's EF Core migrations create it, or as EF6's ASP.NET Identity 2
// does (told apart by its columns: Identity 2 has LockoutEndDateUtc and no
// Normalized* columns). Core looks names up through the upper-cased
// Normalized* columns, as UserManager does; Identity 2's UserStore compares
// UserName.ToUpper(). PasswordHash is the V2/V3 base64 blob. A lockout
// applies while LockoutEnd(DateUtc) is in the future and LockoutEnabled is
// set; EmailConfirmed and PhoneNumberConfirmed verify the email and phone.
func aspnetIdentity(_ dialect, _ Config, t *tables) shape {
	ef6 := t.has(identityTable, "LockoutEndDateUtc", false) && !t.has(identityTable, "NormalizedUserName", true)
	lockoutEnd, byName, byEmail := "LockoutEnd", `"NormalizedUserName" = $1`, `"NormalizedEmail" = $1`
	if ef6 {
		lockoutEnd, byName, byEmail = "LockoutEndDateUtc", `UPPER("UserName") = $1`, `UPPER("Email") = $1`
	}
	return shape{
		sel: `"Id", "UserName", "Email", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", ` +
			`"PasswordHash", "` + lockoutEnd + `", "LockoutEnabled"`,
		from: `"AspNetUsers"`, byUsername: byName, byEmail: byEmail,
		key: `"Id"`, mark: `"AspNetUsers"."` + MigratedColumn + `"`, markTable: "AspNetUsers", markKey: "Id",
		sample: `SELECT "PasswordHash" FROM "AspNetUsers" WHERE "PasswordHash" IS NOT NULL LIMIT 1`,
		cfg: Config{
			Fold: FoldUpper,
			Columns: Columns{
				ID: "Id", Username: "UserName", Email: "Email", EmailVerified: "EmailConfirmed",
				Phone: "PhoneNumber", PhoneVerified: "PhoneNumberConfirmed", PasswordHash: "PasswordHash",
				LockoutEnd: lockoutEnd, LockoutEnabled: "LockoutEnabled",
			},
			// A bare base64 blob says nothing about itself: V2 and V3 are
			// told apart by their first byte once the format is known.
			HashFormat: "aspnet-identity",
		},
	}
}

// aspnetMembership is the SqlMembershipProvider schema (aspnet_Users joined
// with aspnet_Membership), restricted to application_name (matched against
// aspnet_Applications.LoweredApplicationName, as the provider does) when it
// is set. Only PasswordFormat 1 (hashed) rows carry a verifiable hash; clear
// (0) and encrypted (2) rows answer as having no password. IsApproved false
// or IsLockedOut true disables the user. The hash algorithm is a
// machine.config setting, so the preset assumes the .NET 2.0–3.5 default,
// SHA1; set hash_format for HMACSHA256.
func aspnetMembership(d dialect, c Config, _ *tables) shape {
	userID, keySel := `u."UserId"`, ""
	if d.driver == DriverSQLServer {
		userID = `CAST(u."UserId" AS NVARCHAR(36)) AS "UserId"`
		keySel = `CAST(u."UserId" AS NVARCHAR(36))`
	}
	s := shape{
		sel: userID + `, u."UserName", m."Email", ` +
			`CASE WHEN m."PasswordFormat" = 1 THEN m."Password" END AS "PasswordHash", m."PasswordSalt", ` +
			`m."IsApproved", m."IsLockedOut"`,
		from:       `"aspnet_Users" u JOIN "aspnet_Membership" m ON m."UserId" = u."UserId"`,
		byUsername: `u."LoweredUserName" = $1`, byEmail: `m."LoweredEmail" = $1`,
		key: `u."UserId"`, keySel: keySel, mark: `m."` + MigratedColumn + `"`,
		markTable: "aspnet_Membership", markKey: "UserId",
		sample: `SELECT "Password" AS "PasswordHash", "PasswordSalt" FROM "aspnet_Membership" ` +
			`WHERE "PasswordFormat" = 1 LIMIT 1`,
		cfg: Config{
			Fold: FoldLower,
			Columns: Columns{
				ID: "UserId", Username: "UserName", Email: "Email", PasswordHash: "PasswordHash",
				Salt: "PasswordSalt", Enabled: "IsApproved", Disabled: "IsLockedOut",
			},
			HashFormat: "aspnet-membership-sha1",
		},
	}
	if c.ApplicationName != "" {
		s.from += ` JOIN "aspnet_Applications" a ON a."ApplicationId" = u."ApplicationId"`
		s.where = `a."LoweredApplicationName" = $1`
		s.cfg.Params = []string{strings.ToLower(c.ApplicationName)}
	}
	return s
}
