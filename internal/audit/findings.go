package audit

import (
	"fmt"
	"slices"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// tally gathers findings in the order they are first seen, with at most
// examples legacy ids each.
type tally struct {
	examples int
	policy   migration.Policy
	order    []findingKey
	byKey    map[findingKey]*Finding
}

type findingKey struct{ code, reason, attribute string }

func newTally(examples int, p migration.Policy) *tally {
	return &tally{examples: examples, policy: p, byKey: map[findingKey]*Finding{}}
}

// hit counts one user under code (and reason, attribute), keeping userID
// as an example while there is room.
func (t *tally) hit(code, reason, attribute, userID string) {
	k := findingKey{code, reason, attribute}
	f := t.byKey[k]
	if f == nil {
		f = &Finding{Code: code, Reason: reason, Attribute: attribute}
		t.byKey[k] = f
		t.order = append(t.order, k)
	}
	f.Count++
	if userID != "" && len(f.Examples) < t.examples {
		f.Examples = append(f.Examples, userID)
	}
}

// addFinding records f as it is.
func (t *tally) addFinding(f Finding) {
	k := findingKey{f.Code, f.Reason, f.Attribute}
	if _, dup := t.byKey[k]; !dup {
		t.order = append(t.order, k)
	}
	t.byKey[k] = &f
}

// merge adds o's findings after t's.
func (t *tally) merge(o *tally) {
	for _, k := range o.order {
		if _, dup := t.byKey[k]; !dup {
			t.order = append(t.order, k)
		}
		t.byKey[k] = o.byKey[k]
	}
}

func (t *tally) unavailable(err error) {
	t.addFinding(Unavailable("", "", err).Findings[0])
}

// list returns the findings, blockers first, each with its severity and
// message.
func (t *tally) list() []Finding {
	out := make([]Finding, 0, len(t.order))
	for _, k := range t.order {
		f := *t.byKey[k]
		if f.Severity == "" {
			f.Severity, f.Message = describe(f, t.policy)
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return rank(a.Severity) - rank(b.Severity)
	})
	return out
}

func rank(severity string) int {
	if severity == Blocker {
		return 0
	}
	return 1
}

// describe gives a per-user finding its severity and the message that
// says what to do.
func describe(f Finding, p migration.Policy) (string, string) {
	switch f.Code {
	case CodeUnmigratable:
		return Blocker, fmt.Sprintf("Cognito would refuse every answer for these users (%s): they can never migrate as they are; "+
			"fix their data in the legacy store, or change the migration section (attributes, schema, phone_region) "+
			"so that their answer is valid (docs/configuration.md lists the reason codes)", f.Reason)
	case CodeAttributeDropped:
		return Warning, fmt.Sprintf("%s would be refused by Cognito (%s) and is left out of these users' answers; "+
			"they migrate without it", f.Attribute, f.Reason)
	case CodeHashUnknown:
		return Blocker, "no hash family Ferry knows recognises these stored values: these users cannot sign in; " +
			"set the source's hash format (docs/hash-formats.md), or export them for a password reset"
	case CodeHashMalformed:
		return Blocker, "these stored values claim a hash family but do not parse: these users cannot sign in; " +
			"repair the values or export them for a password reset"
	case CodeHashNotAllowed:
		return Blocker, "these stored values are of a family the configuration does not allow (plaintext): " +
			"these users cannot sign in; rehash them or export them for a password reset"
	case CodeHashOverBudget:
		return Blocker, "verifying these hashes would take more time or memory than the budget allows " +
			"(migration.deadline and the function's memory, see --memory-mb): the trigger refuses them before any work; " +
			"raise the deadline or the function's memory, or export these users for a password reset"
	case CodeHashWeak:
		if p.ResetWeakHash {
			return Warning, "these hashes are below current guidance; with migration.reset_weak_hash these users migrate RESET_REQUIRED"
		}
		return Warning, "these hashes are below current guidance; set migration.reset_weak_hash: true to make these users choose a new password as they migrate"
	case CodeNoPassword:
		return Warning, "these users have no usable password: they can migrate only through forgot-password"
	case CodeNoVerified:
		msg := "these users have neither a verified email nor a verified phone number in their answer: forgot-password cannot reach them after migration"
		if !p.AssumeEmailVerified {
			msg += "; if the legacy system confirmed its addresses, set migration.assume_email_verified: true"
		}
		return Warning, msg
	}
	return Warning, f.Code
}
