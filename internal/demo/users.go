package demo

import (
	"crypto/sha256"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/passhash/passhashtest"
)

// poolRegion and triggerARN name the demo's pool region and the
// in-process trigger, as a real deployment would name its Lambda.
const (
	poolRegion = "us-east-1"
	triggerARN = "arn:aws:lambda:us-east-1:000000000000:function:ferry-user-migration"
)

// legacyUser is one user of the demo's legacy directory.
type legacyUser struct {
	username, email, name string
	password              string
	table                 string // "AspNetUsers" or "wp_users"
	format                string // how the legacy system hashed the password
	hash                  func(password string) (string, error)
}

// legacyUsers are the legacy users, one per hash format the demo shows. The
// passwords are the demo's own sample passwords, printed so that a reader
// can replay a step with the AWS CLI.
func legacyUsers() []legacyUser {
	return []legacyUser{
		{username: "alice", email: "alice@example.com", name: "Alice Liddell", password: "Wonderland-1865",
			table: "AspNetUsers", format: "ASP.NET Core Identity V3 (PBKDF2-HMAC-SHA256, 10,000 iterations)",
			hash: func(pw string) (string, error) { return passhashtest.AspNetIdentityV3(sha256.New, 10_000, pw) }},
		{username: "bob", email: "bob@example.com", name: "Bob Dobbs", password: "slack-is-praxis",
			table: "wp_users", format: "WordPress phpass ($P$, 8,192 MD5 rounds)", hash: passhashtest.Phpass},
		{username: "carol", email: "carol@example.com", name: "Carol Danvers", password: "higher-further-faster",
			table: "wp_users", format: "bcrypt ($2y$, cost 8)", hash: func(pw string) (string, error) {
				h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
				return "$2y$" + strings.TrimPrefix(string(h), "$2a$"), err
			}},
		{username: "dave", email: "dave@example.com", name: "Dave Bowman", password: "open-the-pod-bay-doors",
			table: "AspNetUsers", format: "ASP.NET Identity V2 (PBKDF2-HMAC-SHA1, 1,000 iterations)", hash: passhashtest.AspNetIdentityV2},
	}
}

// bcryptCost keeps the demo quick on a loaded machine (and under the
// race detector, where bcrypt runs some thirty times slower): every
// migration must finish inside the trigger's 4-second deadline. Real
// directories use 10–12; Ferry verifies any cost up to its bound.
const bcryptCost = 8

// newPassword is what dave chooses after the reset; it satisfies
// Cognito's default password policy.
const newPassword = "Daisy-Daisy-2001!"
