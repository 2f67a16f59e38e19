package sqlsource

import "strings"

// schemaTypes maps the portable type tokens of the DDL below to d's types.
func schemaTypes(d dialect) *strings.Replacer {
	switch d.driver {
	case DriverMySQL:
		return strings.NewReplacer("{AUTO}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "{TEXT}", "LONGTEXT",
			"{BOOL}", "TINYINT(1)", "{BIT}", "BIT(1)", "{TS}", "DATETIME(6)", "{TSZ}", "DATETIME(6)",
			"{INT}", "INT", "{BIGINT}", "BIGINT", "{GUID}", "CHAR(36)")
	case DriverSQLite:
		return strings.NewReplacer("{AUTO}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{TEXT}", "TEXT",
			"{BOOL}", "BOOLEAN", "{BIT}", "BOOLEAN", "{TS}", "DATETIME", "{TSZ}", "TEXT",
			"{INT}", "INTEGER", "{BIGINT}", "BIGINT", "{GUID}", "TEXT")
	case DriverSQLServer:
		return strings.NewReplacer("{AUTO}", "BIGINT IDENTITY(1,1) PRIMARY KEY", "{TEXT}", "NVARCHAR(MAX)",
			"{BOOL}", "BIT", "{BIT}", "BIT", "{TS}", "DATETIME2", "{TSZ}", "DATETIMEOFFSET",
			"{INT}", "INT", "{BIGINT}", "BIGINT", "{GUID}", "UNIQUEIDENTIFIER")
	default:
		return strings.NewReplacer("{AUTO}", "BIGSERIAL PRIMARY KEY", "{TEXT}", "TEXT",
			"{BOOL}", "BOOLEAN", "{BIT}", "BOOLEAN", "{TS}", "TIMESTAMP", "{TSZ}", "TIMESTAMPTZ",
			"{INT}", "INTEGER", "{BIGINT}", "BIGINT", "{GUID}", "UUID")
	}
}

// schemas holds each preset's portable DDL, with the type tokens above:
// what Schema returns for a driver that ddl/ has no framework file for.
var schemas = map[string]string{
	"aspnet-identity": `
CREATE TABLE "AspNetUsers" (
  "Id" VARCHAR(450) NOT NULL PRIMARY KEY,
  "UserName" VARCHAR(256),
  "NormalizedUserName" VARCHAR(256),
  "Email" VARCHAR(256),
  "NormalizedEmail" VARCHAR(256),
  "EmailConfirmed" {BOOL} NOT NULL,
  "PasswordHash" {TEXT},
  "SecurityStamp" {TEXT},
  "ConcurrencyStamp" {TEXT},
  "PhoneNumber" VARCHAR(64),
  "PhoneNumberConfirmed" {BOOL} NOT NULL,
  "TwoFactorEnabled" {BOOL} NOT NULL,
  "LockoutEnd" {TSZ},
  "LockoutEnabled" {BOOL} NOT NULL,
  "AccessFailedCount" {INT} NOT NULL,
  "ferry_migrated_at" {TS}
);
CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");
CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail")`,

	// aspnet_regsql's tables (ddl/aspnet-membership/sqlserver.sql) with
	// portable types: uniqueidentifier as its 36-character text.
	"aspnet-membership": `
CREATE TABLE "aspnet_Applications" (
  "ApplicationName" VARCHAR(256) NOT NULL UNIQUE,
  "LoweredApplicationName" VARCHAR(256) NOT NULL UNIQUE,
  "ApplicationId" VARCHAR(36) NOT NULL PRIMARY KEY,
  "Description" VARCHAR(256)
);
CREATE TABLE "aspnet_Users" (
  "ApplicationId" VARCHAR(36) NOT NULL REFERENCES "aspnet_Applications" ("ApplicationId"),
  "UserId" VARCHAR(36) NOT NULL PRIMARY KEY,
  "UserName" VARCHAR(256) NOT NULL,
  "LoweredUserName" VARCHAR(256) NOT NULL,
  "MobileAlias" VARCHAR(16),
  "IsAnonymous" {BOOL} NOT NULL,
  "LastActivityDate" {TS} NOT NULL
);
CREATE UNIQUE INDEX "aspnet_Users_Index" ON "aspnet_Users" ("ApplicationId", "LoweredUserName");
CREATE TABLE "aspnet_Membership" (
  "ApplicationId" VARCHAR(36) NOT NULL REFERENCES "aspnet_Applications" ("ApplicationId"),
  "UserId" VARCHAR(36) NOT NULL PRIMARY KEY REFERENCES "aspnet_Users" ("UserId"),
  "Password" VARCHAR(128) NOT NULL,
  "PasswordFormat" {INT} NOT NULL DEFAULT 0,
  "PasswordSalt" VARCHAR(128) NOT NULL,
  "MobilePIN" VARCHAR(16),
  "Email" VARCHAR(256),
  "LoweredEmail" VARCHAR(256),
  "PasswordQuestion" VARCHAR(256),
  "PasswordAnswer" VARCHAR(128),
  "IsApproved" {BOOL} NOT NULL,
  "IsLockedOut" {BOOL} NOT NULL,
  "CreateDate" {TS} NOT NULL,
  "LastLoginDate" {TS} NOT NULL,
  "LastPasswordChangedDate" {TS} NOT NULL,
  "LastLockoutDate" {TS} NOT NULL,
  "FailedPasswordAttemptCount" {INT} NOT NULL,
  "FailedPasswordAttemptWindowStart" {TS} NOT NULL,
  "FailedPasswordAnswerAttemptCount" {INT} NOT NULL,
  "FailedPasswordAnswerAttemptWindowStart" {TS} NOT NULL,
  "Comment" {TEXT},
  "ferry_migrated_at" {TS}
)`,

	"django": `
CREATE TABLE "auth_user" (
  "id" {AUTO},
  "password" VARCHAR(128) NOT NULL,
  "last_login" {TSZ},
  "is_superuser" {BOOL} NOT NULL,
  "username" VARCHAR(150) NOT NULL UNIQUE,
  "first_name" VARCHAR(150) NOT NULL,
  "last_name" VARCHAR(150) NOT NULL,
  "email" VARCHAR(254) NOT NULL,
  "is_staff" {BOOL} NOT NULL,
  "is_active" {BOOL} NOT NULL,
  "date_joined" {TSZ} NOT NULL,
  "ferry_migrated_at" {TS}
)`,

	"wordpress": `
CREATE TABLE "wp_users" (
  "ID" {AUTO},
  "user_login" VARCHAR(60) NOT NULL,
  "user_pass" VARCHAR(255) NOT NULL,
  "user_nicename" VARCHAR(50) NOT NULL,
  "user_email" VARCHAR(100) NOT NULL,
  "user_url" VARCHAR(100) NOT NULL,
  "user_registered" {TS},
  "user_activation_key" VARCHAR(255) NOT NULL,
  "user_status" {INT} NOT NULL,
  "display_name" VARCHAR(250) NOT NULL,
  "ferry_migrated_at" {TS}
);
CREATE INDEX "user_login_key" ON "wp_users" ("user_login");
CREATE INDEX "user_email" ON "wp_users" ("user_email");
CREATE TABLE "wp_usermeta" (
  "umeta_id" {AUTO},
  "user_id" {BIGINT} NOT NULL,
  "meta_key" VARCHAR(255),
  "meta_value" {TEXT}
);
CREATE INDEX "wp_usermeta_user_id" ON "wp_usermeta" ("user_id")`,

	"devise": `
CREATE TABLE "users" (
  "id" {AUTO},
  "email" VARCHAR(255) NOT NULL UNIQUE,
  "encrypted_password" VARCHAR(255) NOT NULL,
  "reset_password_token" VARCHAR(255),
  "reset_password_sent_at" {TS},
  "remember_created_at" {TS},
  "confirmation_token" VARCHAR(255),
  "confirmed_at" {TS},
  "confirmation_sent_at" {TS},
  "unconfirmed_email" VARCHAR(255),
  "failed_attempts" {INT} NOT NULL,
  "unlock_token" VARCHAR(255),
  "locked_at" {TS},
  "created_at" {TS},
  "updated_at" {TS},
  "ferry_migrated_at" {TS}
)`,

	"laravel": `
CREATE TABLE "users" (
  "id" {AUTO},
  "name" VARCHAR(255) NOT NULL,
  "email" VARCHAR(255) NOT NULL UNIQUE,
  "email_verified_at" {TS},
  "password" VARCHAR(255) NOT NULL,
  "remember_token" VARCHAR(100),
  "created_at" {TS},
  "updated_at" {TS},
  "ferry_migrated_at" {TS}
)`,

	"keycloak": `
CREATE TABLE "realm" (
  "id" VARCHAR(36) NOT NULL PRIMARY KEY,
  "name" VARCHAR(255) UNIQUE,
  "enabled" {BIT} NOT NULL
);
CREATE TABLE "user_entity" (
  "id" VARCHAR(36) NOT NULL PRIMARY KEY,
  "email" VARCHAR(255),
  "email_constraint" VARCHAR(255),
  "email_verified" {BIT} NOT NULL,
  "enabled" {BIT} NOT NULL,
  "federation_link" VARCHAR(255),
  "first_name" VARCHAR(255),
  "last_name" VARCHAR(255),
  "realm_id" VARCHAR(255),
  "username" VARCHAR(255),
  "created_timestamp" {BIGINT},
  "service_account_client_link" VARCHAR(255),
  "not_before" {INT} NOT NULL,
  "ferry_migrated_at" {TS}
);
CREATE UNIQUE INDEX "uk_ru_username" ON "user_entity" ("realm_id", "username");
CREATE TABLE "credential" (
  "id" VARCHAR(36) NOT NULL PRIMARY KEY,
  "type" VARCHAR(255),
  "user_id" VARCHAR(36) REFERENCES "user_entity" ("id"),
  "created_date" {BIGINT},
  "user_label" VARCHAR(255),
  "secret_data" {TEXT},
  "credential_data" {TEXT},
  "priority" {INT}
)`,
}
