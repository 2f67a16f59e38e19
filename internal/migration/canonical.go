package migration

import (
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
)

// ReasonNotCanonical is the reason of an OutcomeNameRejected given after
// the lookup: the name typed found the legacy account, but it is not a
// name by which the pool can find that account's user, so answering would
// make a second pool user for the same account.
const ReasonNotCanonical = "not_canonical_name"

// Canonical reports whether typed (trimmed, as the user typed it) is a name
// under which the target pool finds the one pool user of legacy account u,
// so that answering for it can never make a second pool user for u. It is
// the one rule of "one legacy account, one Cognito user", per pool mode:
//
//   - username: only the account's username. Cognito keys the user by the
//     name the trigger received and knows no other name for it, so a
//     sign-in by email, or by a spelling the legacy store folds but the
//     pool does not, would create a second user; it is refused.
//   - alias: the account's pool username (PoolUsername: the legacy username
//     unless alias_username_attribute names another), or its email (phone
//     number), which the answer makes an alias of the user with that
//     username. The answer names the username itself, so a second sign-in
//     by another alias finds the same user (or, before the alias is
//     verified, collides with it and is refused by the pool).
//   - email-as-username: only the account's email (or phone number): the
//     pool's username is an identifier of its own, keyed by that value.
//
// Names compare as the pool compares them: exactly in a case-sensitive
// pool (the Cognito API's default), by lower case otherwise
// (pool_case_sensitive: false). No Unicode normalisation is applied: a
// pool keeps the bytes it is given, so an NFD, full-width or ſ/ı spelling
// that the legacy store matched is a different pool username and is
// refused; the user signs in with the spelling the account has.
func (p Policy) Canonical(typed string, u *source.User) bool {
	p = p.WithDefaults()
	same := func(a, b string) bool {
		if a == "" || b == "" {
			return false
		}
		if p.poolCaseSensitive() {
			return a == b
		}
		return strings.ToLower(a) == strings.ToLower(b)
	}
	switch p.PoolMode {
	case PoolAlias:
		if isEmail(typed) || isPhone(typed) {
			// An alias-shaped legacy username typed as such is the
			// account's own name too; the answer rules then decide
			// whether a pool username can be found for it.
			return same(typed, u.Email) || typed == u.Phone || same(typed, u.Username)
		}
		return same(typed, p.PoolUsername(u))
	case PoolEmailAsUsername:
		if isPhone(typed) {
			return typed == u.Phone
		}
		return same(typed, u.Email)
	default:
		return same(typed, u.Username)
	}
}

// poolCaseSensitive is the policy's PoolCaseSensitive, true when unset.
func (p Policy) poolCaseSensitive() bool {
	return p.PoolCaseSensitive == nil || *p.PoolCaseSensitive
}

// PoolUsername returns the username of u's pool user in an alias pool: the
// alias username (AliasUsername), or the legacy ID when that is the legacy
// username and Cognito refuses it (a space in a WordPress login) — the user
// cannot sign in by it anyway, and the ID is the same for every sign-in by
// the user's email. It returns "" when u has no username an alias pool
// accepts.
func (p Policy) PoolUsername(u *source.User) string {
	un := p.AliasUsername(u)
	if p.AliasUsernameAttribute == "" && ValidUsername(un) != "" && ValidUsername(u.ID) == "" && !LooksLikeAlias(u.ID) {
		un = u.ID
	}
	if un == "" || LooksLikeAlias(un) {
		return ""
	}
	return un
}
