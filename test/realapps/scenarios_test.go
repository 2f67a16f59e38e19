package realapps

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// op is what a scenario does.
type op int

const (
	// opSignIn signs the user in with a password (UserMigration_Authentication).
	opSignIn op = iota
	// opForgot starts a password reset (UserMigration_ForgotPassword).
	opForgot
	// opStatus runs `ferry status` and checks its counts against the app.
	opStatus
	// opExport runs `ferry export` and checks who is in the import file.
	opExport
	// opAudit runs `ferry audit --json` on the application's store and
	// checks its findings against how the framework made each user.
	opAudit
	// Further kinds join here, each with a case in runScenarios.
)

// scenario is one step of an application's table. user is the login as the
// framework created it, before the runner's prefix; the runner adds it.
type scenario struct {
	name     string
	op       op
	user     string
	password string
	// byEmail signs in with the user's email address instead of the login.
	byEmail bool
	// upper signs in with the login in capitals, a spelling a framework
	// may fold onto the account's own.
	upper bool
	// want is Ferry's outcome as its log line names it: migrated,
	// wrong_password, unknown, disabled.
	want string
	// reset: migrated as RESET_REQUIRED (a weak hash under reset_weak_hash,
	// or any forgot-password migration).
	reset bool
	// enableFirst re-enables the user the framework's own way before the
	// step (the locked-then-unlocked case).
	enableFirst bool
}

// legacyUser is one account of the application, as the framework made it.
type legacyUser struct {
	login, email string
	// disabled is the account's state in the framework now.
	disabled bool
	// attrs are attributes a migration must carry to Cognito.
	attrs map[string]string
	// weakHash: the stored hash is of a family or cost below current
	// guidance (audit finding hash_weak); noPassword: the framework stored
	// no usable password (no_password).
	weakHash, noPassword bool
	// unverified: the framework keeps the email as not verified, and the
	// user has no other channel a reset code could reach (audit finding
	// no_verified_channel; `ferry export` leaves the user out).
	unverified bool
}

// app is one legacy application install, shared by the runners of a test.
type app struct {
	name   string
	config string // path of the ferry configuration
	users  map[string]*legacyUser
	// enable re-enables an account with the framework's own code.
	enable func(t *testing.T, login string)
	// migrated are the logins that migrated so far, by any runner; mu
	// guards it while the runners sign in side by side.
	mu       sync.Mutex
	migrated map[string]bool
	// noMarks: the source keeps no write-back marks (a directory).
	noMarks bool
	// mixedCosts: the store mixes slow and fast hash families, so one
	// unknown-user dummy hash cannot cost what every user's costs
	// (audit finding mixed_hash_costs).
	mixedCosts bool
	// noHashes: the source keeps no hashes Ferry reads (an LDAP bind).
	noHashes bool
	// findings are the audit's further findings the seeded users must
	// produce, by code with the number of users, and blockers how many of
	// them are blockers.
	findings map[string]int
	blockers int
}

func (a *app) user(t *testing.T, login string) *legacyUser {
	t.Helper()
	u, ok := a.users[login]
	if !ok {
		t.Fatalf("%s: no legacy user %q", a.name, login)
	}
	return u
}

// progress is what `ferry status` and `ferry export` must say after the
// steps so far. A runner that reads the pool (pool) counts as migrated
// only the users the pool holds (those migrated through it, whose logins
// start with prefix); without the pool, the write-back marks are the
// count, where the source keeps them. Export writes every user not
// migrated so counted, not disabled and with a verified email (the
// framework's flag, or assume_email_verified where it keeps none).
func (a *app) progress(pool bool, prefix string) (migrated, marked int, exported []string) {
	counted := func(login string) bool {
		switch {
		case !a.migrated[login]:
			return false
		case pool:
			return strings.HasPrefix(login, prefix)
		default:
			return !a.noMarks
		}
	}
	for _, l := range slices.Sorted(maps.Keys(a.users)) {
		if counted(l) {
			migrated++
		} else if !a.users[l].disabled && !a.users[l].unverified {
			exported = append(exported, l)
		}
	}
	if !a.noMarks {
		marked = len(a.migrated)
	}
	return migrated, marked, exported
}

// result is what a runner saw for a sign-in or forgot-password step.
type result struct {
	outcome string            // Ferry's logged outcome
	status  string            // finalUserStatus (migrated only)
	attrs   map[string]string // the answer's attributes, where the runner sees them
}

// runner is one way to reach Ferry: `ferry invoke`, or a `ferry serve`
// pool driven by the AWS CLI. prefix is the runner's own copy of every
// scenario user, so each runner migrates its own accounts.
type runner interface {
	name() string
	prefix() string
	signIn(t *testing.T, typed, password string) result
	forgot(t *testing.T, typed string) result
	// attributes returns the attributes of the user got migrated (a second
	// look for a pool, the answer itself for invoke).
	attributes(t *testing.T, typed string, got result) map[string]string
	status(t *testing.T) statusReport
	export(t *testing.T) []string
	// readsPool: status and export read the pool (--user-pool-id).
	readsPool() bool
}

// statusReport is the part of `ferry status --json` the suite checks.
type statusReport struct {
	Sources []struct {
		Name           string `json:"name"`
		Total          int    `json:"total"`
		MarkedMigrated int    `json:"marked_migrated"`
		MarkedAbsent   *int   `json:"marked_absent"`
		Migrated       int    `json:"migrated"`
		Remaining      int    `json:"remaining"`
	} `json:"sources"`
}

// runAll runs steps through every runner and returns how many ran. The
// sign-ins and forgot-passwords come first in every table, and each runner
// signs in its own users (its prefix), so the runners go side by side;
// the reports (status, export, audit), which count every runner's
// migrations, run after all of them, one runner at a time.
func runAll(t *testing.T, a *app, steps []scenario, runners ...runner) int {
	t.Helper()
	n := slices.IndexFunc(steps, func(s scenario) bool { return s.op != opSignIn && s.op != opForgot })
	if n < 0 {
		n = len(steps)
	}
	if slices.ContainsFunc(steps[n:], func(s scenario) bool { return s.op == opSignIn || s.op == opForgot }) {
		t.Fatalf("%s: a sign-in after a report: the reports must end the table", a.name)
	}
	t.Run("sign-ins", func(t *testing.T) {
		for _, r := range runners {
			t.Run(r.name(), func(t *testing.T) {
				t.Parallel()
				runScenarios(t, a, r, steps[:n])
			})
		}
	})
	total := 0
	for _, r := range runners {
		total += n + runScenarios(t, a, r, steps[n:])
	}
	return total
}

// runScenarios runs steps in order through r against a, and returns how
// many ran.
func runScenarios(t *testing.T, a *app, r runner, steps []scenario) int {
	t.Helper()
	for _, s := range steps {
		login := r.prefix() + s.user
		switch s.op {
		case opSignIn, opForgot:
			u, known := a.users[login]
			if s.enableFirst {
				a.enable(t, login)
				a.user(t, login).disabled = false
			}
			typed := login
			if s.byEmail {
				typed = a.user(t, login).email
			}
			if s.upper {
				typed = strings.ToUpper(typed)
			}
			var got result
			if s.op == opSignIn {
				got = r.signIn(t, typed, s.password)
			} else {
				got = r.forgot(t, typed)
			}
			if got.outcome != s.want {
				t.Errorf("%s %s: %s: outcome %q, want %q", a.name, r.name(), s.name, got.outcome, s.want)
				continue
			}
			if s.want != "migrated" {
				continue
			}
			a.mu.Lock()
			a.migrated[login] = true
			a.mu.Unlock()
			wantStatus := "CONFIRMED"
			if s.reset {
				wantStatus = "RESET_REQUIRED"
			}
			if got.status != wantStatus {
				t.Errorf("%s %s: %s: status %q, want %q", a.name, r.name(), s.name, got.status, wantStatus)
			}
			if !known || len(u.attrs) == 0 {
				continue
			}
			attrs := r.attributes(t, typed, got)
			for k, v := range u.attrs {
				if attrs[k] != v {
					t.Errorf("%s %s: %s: attribute %s = %q, want %q", a.name, r.name(), s.name, k, attrs[k], v)
				}
			}
		case opStatus:
			rep := r.status(t)
			if len(rep.Sources) != 1 {
				t.Errorf("%s %s: %s: %d sources in the report, want 1", a.name, r.name(), s.name, len(rep.Sources))
				continue
			}
			src := rep.Sources[0]
			migrated, marked, _ := a.progress(r.readsPool(), r.prefix())
			if src.Total != len(a.users) || src.Migrated != migrated || src.Remaining != len(a.users)-migrated {
				t.Errorf("%s %s: %s: total %d, migrated %d, remaining %d; want %d, %d, %d", a.name, r.name(), s.name,
					src.Total, src.Migrated, src.Remaining, len(a.users), migrated, len(a.users)-migrated)
			}
			if src.MarkedMigrated != marked {
				t.Errorf("%s %s: %s: %d marked migrated, want %d", a.name, r.name(), s.name, src.MarkedMigrated, marked)
			}
			// Users the other runner migrated are marked but not in this
			// pool: status names them.
			absent := 0
			if !a.noMarks {
				absent = marked - migrated
			}
			if r.readsPool() && (src.MarkedAbsent == nil || *src.MarkedAbsent != absent) {
				t.Errorf("%s %s: %s: marked but absent %v, want %d", a.name, r.name(), s.name, src.MarkedAbsent, absent)
			}
		case opExport:
			_, _, want := a.progress(r.readsPool(), r.prefix())
			if got := r.export(t); !slices.Equal(got, want) {
				t.Errorf("%s %s: %s: exported %q, want %q", a.name, r.name(), s.name, got, want)
			}
		case opAudit:
			checkAudit(t, a, ferryAudit(t, a.config))
		default:
			t.Fatalf("%s: scenario %q has no runner for op %d", a.name, s.name, s.op)
		}
	}
	return len(steps)
}

// auditReport is the part of `ferry audit --json` (ferry.audit/v1) the
// suite checks.
type auditReport struct {
	Schema   string `json:"schema"`
	Blockers int    `json:"blockers"`
	Sources  []struct {
		Name     string `json:"name"`
		Complete bool   `json:"complete"`
		Users    int    `json:"users"`
		Disabled int    `json:"disabled"`
		Marked   int    `json:"marked_migrated"`
		Hashes   *struct {
			Sampled    int  `json:"sampled"`
			NoPassword int  `json:"no_password"`
			DummyFits  bool `json:"dummy_fits"`
		} `json:"hashes"`
		Findings []struct {
			Code     string `json:"code"`
			Severity string `json:"severity"`
			Count    int    `json:"count"`
		} `json:"findings"`
	} `json:"sources"`
}

// checkAudit compares rep with what the framework made: every user
// listed, the disabled ones counted, each weak hash and each missing
// password found, the app's own further findings, and nothing else.
func checkAudit(t *testing.T, a *app, rep auditReport) {
	t.Helper()
	if rep.Schema != "ferry.audit/v1" || len(rep.Sources) != 1 {
		t.Errorf("%s: ferry audit: schema %q, %d sources; want ferry.audit/v1, 1", a.name, rep.Schema, len(rep.Sources))
		return
	}
	src := rep.Sources[0]
	var disabled, weak, noPassword, unverified int
	for _, u := range a.users {
		if u.disabled {
			disabled++
		} else if u.unverified {
			unverified++
		}
		if u.weakHash {
			weak++
		}
		if u.noPassword {
			noPassword++
		}
	}
	marked := len(a.migrated)
	if a.noMarks {
		marked = 0
	}
	if !src.Complete || src.Users != len(a.users) || src.Disabled != disabled || src.Marked != marked {
		t.Errorf("%s: ferry audit: complete %v, %d users, %d disabled, %d marked; want true, %d, %d, %d",
			a.name, src.Complete, src.Users, src.Disabled, src.Marked, len(a.users), disabled, marked)
	}
	switch {
	case a.noHashes:
		if src.Hashes != nil {
			t.Errorf("%s: ferry audit: hashes %+v from a source that reads none", a.name, src.Hashes)
		}
	case src.Hashes == nil || src.Hashes.Sampled != len(a.users) || src.Hashes.NoPassword != noPassword || src.Hashes.DummyFits == a.mixedCosts:
		t.Errorf("%s: ferry audit: hashes %+v; want %d sampled, %d without a password, dummy_fits %v",
			a.name, src.Hashes, len(a.users), noPassword, !a.mixedCosts)
	}
	want := map[string]int{}
	if weak > 0 {
		want["hash_weak"] = weak
	}
	if noPassword > 0 {
		want["no_password"] = noPassword
	}
	if unverified > 0 {
		want["no_verified_channel"] = unverified
	}
	if a.mixedCosts {
		want["mixed_hash_costs"] = 0 // a finding about the table, not counted in users
	}
	maps.Copy(want, a.findings)
	got := map[string]int{}
	for _, f := range src.Findings {
		got[f.Code] = f.Count
		if f.Code == "mixed_hash_costs" {
			got[f.Code] = 0
		}
	}
	if !maps.Equal(got, want) || rep.Blockers != a.blockers {
		t.Errorf("%s: ferry audit: findings %v with %d blockers; want %v with %d", a.name, got, rep.Blockers, want, a.blockers)
	}
}
