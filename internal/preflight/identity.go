package preflight

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// CheckIdentity names the findings of configurations under which one
// legacy account could become two pool users, or under which Ferry must
// refuse the names a user signs in by (migration.Policy.Canonical).
const CheckIdentity = "one-user-per-account"

// checkIdentity compares how the pool identifies users with how Ferry
// finds legacy accounts. Ferry answers only for a name under which the
// pool finds the account's one user; that rule is only as right as the
// configuration it reads, and a lookup wider than the pool resolves leaves
// users unable to migrate by the names it finds them under.
func checkIdentity(pool *types.UserPoolType, _ []types.UserPoolClientType, o Options) []Finding {
	sensitive := pool.UsernameConfiguration == nil || aws.ToBool(pool.UsernameConfiguration.CaseSensitive)
	if !o.Expect.Known {
		return nil
	}
	e := o.Expect
	var fs []Finding
	block := func(check, problem, fix string) {
		fs = append(fs, Finding{Severity: Blocker, Check: check, Problem: problem, Fix: fix})
	}
	casing := map[bool]string{true: "case-sensitive", false: "case-insensitive"}
	if e.PoolCaseSensitive != sensitive {
		problem := fmt.Sprintf("migration.pool_case_sensitive is %t but the pool is %s", e.PoolCaseSensitive, casing[sensitive])
		if sensitive {
			problem += ": Ferry would answer for every casing of a name, and this pool makes each casing a new user (one legacy account, several pool users)"
		} else {
			problem += ": Ferry refuses a first sign-in typed in another casing than the account's, which this pool resolves to the same user, so those users cannot migrate"
		}
		block(CheckIdentity, problem, fmt.Sprintf("set migration.pool_case_sensitive: %t", sensitive))
	}
	folds := e.UsernameCase == migration.FoldLower || e.SomeSourceFoldsCase
	switch {
	case sensitive && folds:
		block(CheckCase, "the pool is case-sensitive (the Cognito API's default) while the legacy lookup matches any casing "+
			"(migration.username_case: lower, or a source that folds case): each casing would be a different pool user, so Ferry "+
			"refuses all but the account's own spelling and a user who types another casing cannot migrate",
			"create the pool with UsernameConfiguration CaseSensitive=false (it cannot be changed later) and set migration.pool_case_sensitive: false; "+
				"or make the lookup exact (migration.username_case: none and no case folding in the sources)")
	case !sensitive && e.UsernameCase != migration.FoldLower && !e.SourcesFoldCase:
		fs = append(fs, Finding{Severity: Warning, Check: CheckCase,
			Problem: "the pool is case-insensitive but Ferry looks legacy users up with the name's casing as typed (username_case: none): a user who types another casing than the legacy store holds is not found",
			Fix:     "set migration.username_case: lower (or make the source match case-insensitively) when the legacy store's names are case-insensitive"})
	}
	mode := poolMode(pool)
	if mode == migration.PoolUsername && e.PoolMode == migration.PoolUsername && e.EmailLookup {
		block(CheckIdentity, "the pool signs users in by username only (no email alias) while Ferry finds legacy users by email "+
			"(migration.lookup is not username and a source reads the email): the pool cannot resolve an email to the account's user, "+
			"so Ferry refuses sign-ins by email (each would be a second pool user) and those users cannot migrate by email",
			"create the pool with AliasAttributes [email] and set migration.pool_mode: alias (users then sign in by username or email as one user), "+
				"or set migration.lookup: username so only usernames are looked up")
	}
	return fs
}
