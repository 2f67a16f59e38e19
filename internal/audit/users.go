package audit

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// maxPresize bounds the key slices reserved from Lister.Count, so a wrong
// count cannot reserve more than 1 GiB up front (64 M users).
const maxPresize = 1 << 26

// groupIDs bounds the legacy ids shown per group of folded names or
// shared emails.
const groupIDs = 5

// userWalk is the pass over the Lister: Cognito's rules on each user's
// answer, verified channels, disabled users and the name keys.
type userWalk struct {
	o                       Options
	t                       *tally
	users, disabled, marked int
	names, emails           keys
}

func newUserWalk(o Options, t *tally) *userWalk {
	seed := maphash.MakeSeed()
	return &userWalk{o: o, t: t, names: keys{seed: seed}, emails: keys{seed: seed}}
}

func (w *userWalk) run(ctx context.Context, l source.Lister) error {
	if c, err := l.Count(ctx); err == nil && c.Total > 0 {
		n := min(c.Total, maxPresize)
		w.names.sums = make([]uint64, 0, n)
		w.emails.sums = make([]uint64, 0, n)
	}
	if err := l.List(ctx, w.visit); err != nil {
		return err
	}
	return w.collisions(ctx, l)
}

// visit audits one listed user. Disabled users are refused at sign-in
// whatever their data, so only their names are checked: a disabled
// duplicate still makes a name ambiguous.
func (w *userWalk) visit(e source.Entry) error {
	u := e.User
	w.users++
	if e.Migrated {
		w.marked++
	}
	w.names.add(u.Username)
	w.emails.add(u.Email)
	if e.Disabled {
		w.disabled++
		return nil
	}
	attrs, refusals, err := w.o.Policy.CheckUser(u)
	if ue := (*migration.UnmigratableError)(nil); errors.As(err, &ue) {
		w.t.hit(CodeUnmigratable, ue.Reason(), "", u.ID)
		return nil
	} else if err != nil {
		return err
	}
	for _, r := range refusals {
		if !r.Repaired {
			w.t.hit(CodeAttributeDropped, r.Reason, r.Attribute, u.ID)
		}
	}
	if !verifiedChannel(attrs) {
		w.t.hit(CodeNoVerified, "", "", u.ID)
	}
	return nil
}

// verifiedChannel reports whether an answer gives forgot-password a way to
// reach the user: an email or a phone number marked verified.
func verifiedChannel(attrs map[string]string) bool {
	return attrs["email"] != "" && attrs["email_verified"] == "true" ||
		attrs["phone_number"] != "" && attrs["phone_number_verified"] == "true"
}

// collisions reports the usernames that fold together and the shared
// emails. Only when there are some does it list the users again, to name
// a few of each group.
func (w *userWalk) collisions(ctx context.Context, l source.Lister) error {
	names, emails := w.names.dupes(), w.emails.dupes()
	if len(names) == 0 && len(emails) == 0 {
		return nil
	}
	nameIDs, emailIDs := newGroups(names, w.o.Examples), newGroups(emails, w.o.Examples)
	err := l.List(ctx, func(e source.Entry) error {
		nameIDs.see(w.names.sum(e.User.Username), e.User.ID)
		emailIDs.see(w.emails.sum(e.User.Email), e.User.ID)
		if nameIDs.full() && emailIDs.full() {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("listing users again for the names of collisions: %w", err)
	}
	mode := w.o.Policy.PoolMode
	if len(names) > 0 {
		sev := Blocker
		if mode == migration.PoolEmailAsUsername {
			sev = Warning
		}
		w.t.addFinding(Finding{Code: CodeFoldedNames, Severity: sev, Count: total(names), Groups: nameIDs.list(),
			Message: fmt.Sprintf("%d usernames are each shared, up to case and Unicode spelling (Bob, bob, ＢＯＢ), by several users: "+
				"Cognito's usernames are case-insensitive, so only the first of each to sign in can migrate and a sign-in "+
				"by that name may reach the wrong account; rename or merge them in the legacy store before go-live", len(names))})
	}
	if len(emails) > 0 {
		sev, msg := Warning, "a sign-in by such an email matches several users and is refused (ambiguous_name); they can still sign in by username"
		if mode != migration.PoolUsername {
			sev, msg = Blocker, "in a pool where the email is the username or an alias, only one user can hold an email: "+
				"the others cannot migrate; give each user an email of their own before go-live"
		}
		w.t.addFinding(Finding{Code: CodeSharedEmails, Severity: sev, Count: total(emails), Groups: emailIDs.list(),
			Message: fmt.Sprintf("%d email addresses are each shared by several users: %s", len(emails), msg)})
	}
	return nil
}

// keys holds a 64-bit hash of each name's identity.Key: 8 bytes a user
// instead of the name. Two different keys share a hash with a probability
// of about n²/2⁶⁵ (3·10⁻⁸ for a million users), which would show as one
// false collision whose group lists the two users.
type keys struct {
	seed maphash.Seed
	sums []uint64
}

func (k *keys) sum(name string) uint64 {
	if name == "" {
		return 0
	}
	return maphash.String(k.seed, identity.Key(name))
}

func (k *keys) add(name string) {
	if name != "" {
		k.sums = append(k.sums, k.sum(name))
	}
}

// dupes sorts the sums and returns those seen more than once, with how
// many times; it frees the sums.
func (k *keys) dupes() map[uint64]int {
	slices.Sort(k.sums)
	out := map[uint64]int{}
	for i := 1; i < len(k.sums); i++ {
		if k.sums[i] == k.sums[i-1] {
			if out[k.sums[i]] == 0 {
				out[k.sums[i]] = 1
			}
			out[k.sums[i]]++
		}
	}
	k.sums = nil
	return out
}

func total(dupes map[uint64]int) int {
	n := 0
	for _, c := range dupes {
		n += c
	}
	return n
}

// groups collects the legacy ids of the first few colliding groups, in
// listing order.
type groups struct {
	dupes map[uint64]int
	max   int
	order []uint64
	ids   map[uint64][]string
}

func newGroups(dupes map[uint64]int, max int) *groups {
	return &groups{dupes: dupes, max: min(max, len(dupes)), ids: map[uint64][]string{}}
}

func (g *groups) see(sum uint64, id string) {
	n, dup := g.dupes[sum]
	if !dup {
		return
	}
	ids, seen := g.ids[sum]
	if !seen {
		if len(g.order) >= g.max {
			return
		}
		g.order = append(g.order, sum)
	}
	if len(ids) < min(n, groupIDs) {
		g.ids[sum] = append(ids, id)
	}
}

// full reports whether every group shown has all its ids.
func (g *groups) full() bool {
	if len(g.order) < g.max {
		return false
	}
	for _, sum := range g.order {
		if len(g.ids[sum]) < min(g.dupes[sum], groupIDs) {
			return false
		}
	}
	return true
}

func (g *groups) list() [][]string {
	out := make([][]string, 0, len(g.order))
	for _, sum := range g.order {
		out = append(out, g.ids[sum])
	}
	return out
}
