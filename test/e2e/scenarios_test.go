package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// Operations a step can perform; each client maps them to its own calls.
const (
	opSignUp                = "signUp"
	opConfirmSignUp         = "confirmSignUp"
	opPasswordAuth          = "passwordAuth"
	opSRPAuth               = "srpAuth"
	opRefresh               = "refresh"
	opForgotPassword        = "forgotPassword"
	opConfirmForgotPassword = "confirmForgotPassword"
)

// step is one scenario step, in the shape driver.mjs reads.
type step struct {
	Name        string            `json:"step"`
	Client      string            `json:"client,omitempty"`
	Op          string            `json:"op"`
	Username    string            `json:"username"`
	Password    string            `json:"password,omitempty"`
	NewPassword string            `json:"newPassword,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Code        string            `json:"code,omitempty"`
	Expect      string            `json:"expect"`
	ClientID    string            `json:"clientId,omitempty"`

	enabled bool   // run with the PreventUserExistenceErrors=ENABLED app client
	absent  string // a user that must not exist after the step
}

func (s step) clientID(p *pool) string {
	if s.enabled {
		return p.enabledClient
	}
	return p.legacyClient
}

// Legacy passwords. The weak one lacks a symbol, so the trigger answers
// RESET_REQUIRED under the pool's policy.
const (
	legacyPassword = "Legacy#Pass1"
	weakPassword   = "legacypass1"
	newPassword    = "Fresh#Pass22"
)

// legacyUsersFor are the legacy users one client's scenarios migrate: each
// client has its own, since a user migrates only once.
func legacyUsersFor(sfx string) []legacyUser {
	return []legacyUser{
		{"mia-" + sfx, "mia-" + sfx + "@example.com", legacyPassword},    // migrates CONFIRMED
		{"rex-" + sfx, "rex-" + sfx + "@example.com", weakPassword},      // migrates RESET_REQUIRED
		{"fay-" + sfx, "fay-" + sfx + "@example.com", legacyPassword},    // migrates on forgot-password
		{"wes-" + sfx, "wes-" + sfx + "@example.com", legacyPassword},    // wrong password: not migrated
		{"lea-" + sfx, "shared-" + sfx + "@example.com", legacyPassword}, // email taken in the pool already
		{"ida-" + sfx, "ida-" + sfx + "@example.com", legacyPassword},    // migrates, typed by email alias
	}
}

// scenarios is THE scenario list, the same for every client; sfx keeps
// each client's users apart. Expectations are Amazon Cognito's documented
// behaviour.
func scenarios(sfx string) []step {
	u := func(name string) string { return name + "-" + sfx }
	email := func(name string) string { return name + "-" + sfx + "@example.com" }
	return []step{
		{Name: "sign-up", Op: opSignUp, Username: u("sam"), Password: "Sam#Pass123", Attributes: map[string]string{"email": email("sam")}, Expect: "ok"},
		{Name: "confirm sign-up with the outbox code", Op: opConfirmSignUp, Username: u("sam"), Code: "outbox", Expect: "ok"},
		{Name: "sign-up of a taken username", Op: opSignUp, Username: u("sam"), Password: "Sam#Pass123", Expect: "UsernameExistsException"},
		{Name: "password sign-in", Op: opPasswordAuth, Username: u("sam"), Password: "Sam#Pass123", Expect: "ok"},
		{Name: "SRP sign-in", Op: opSRPAuth, Username: u("sam"), Password: "Sam#Pass123", Expect: "ok"},
		{Name: "refresh", Op: opRefresh, Username: u("sam"), Expect: "ok"},
		{Name: "wrong password of a pool user", Op: opPasswordAuth, Username: u("sam"), Password: "Wrong#Pass1", Expect: "NotAuthorizedException"},
		{Name: "migration on sign-in, CONFIRMED", Op: opPasswordAuth, Username: u("mia"), Password: legacyPassword, Expect: "ok"},
		{Name: "migrated user signs in again", Op: opPasswordAuth, Username: u("mia"), Password: legacyPassword, Expect: "ok"},
		{Name: "migrated user signs in with SRP", Op: opSRPAuth, Username: u("mia"), Password: legacyPassword, Expect: "ok"},
		{Name: "migrated user refreshes", Op: opRefresh, Username: u("mia"), Expect: "ok"},
		{Name: "migration on sign-in by email alias", Op: opPasswordAuth, Username: email("ida"), Password: legacyPassword, Expect: "ok"},
		{Name: "migration on sign-in, RESET_REQUIRED", Op: opPasswordAuth, Username: u("rex"), Password: weakPassword, Expect: "PasswordResetRequiredException"},
		{Name: "migration on forgot-password", Op: opForgotPassword, Username: u("fay"), Expect: "ok"},
		{Name: "confirm forgot-password with the outbox code", Op: opConfirmForgotPassword, Username: u("fay"), Code: "outbox", NewPassword: newPassword, Expect: "ok"},
		{Name: "sign-in with the new password", Op: opPasswordAuth, Username: u("fay"), Password: newPassword, Expect: "ok"},
		{Name: "wrong legacy password, LEGACY client", Op: opPasswordAuth, Username: u("wes"), Password: "Wrong#Pass1", Expect: "UserNotFoundException", absent: u("wes")},
		{Name: "wrong legacy password, ENABLED client", Op: opPasswordAuth, Username: u("wes"), Password: "Wrong#Pass1", Expect: "NotAuthorizedException", enabled: true, absent: u("wes")},
		{Name: "unknown user, LEGACY client", Op: opPasswordAuth, Username: u("ghost"), Password: legacyPassword, Expect: "UserNotFoundException", absent: u("ghost")},
		{Name: "unknown user, ENABLED client", Op: opPasswordAuth, Username: u("ghost"), Password: legacyPassword, Expect: "NotAuthorizedException", enabled: true, absent: u("ghost")},
		{Name: "forgot-password of an unknown user, LEGACY client", Op: opForgotPassword, Username: u("ghost"), Expect: "UserNotFoundException", absent: u("ghost")},
		{Name: "forgot-password of an unknown user, ENABLED client", Op: opForgotPassword, Username: u("ghost"), Expect: "ok", enabled: true, absent: u("ghost")},
		{Name: "sign-up of the user who holds the email", Op: opSignUp, Username: u("amy"), Password: "Amy#Pass123", Attributes: map[string]string{"email": email("shared")}, Expect: "ok"},
		{Name: "confirm the email holder", Op: opConfirmSignUp, Username: u("amy"), Code: "outbox", Expect: "ok"},
		{Name: "alias conflict on migration", Op: opPasswordAuth, Username: u("lea"), Password: legacyPassword, Expect: "AliasExistsException", absent: u("lea")},
	}
}

// clientKinds are the four clients; srp says whether the client can do SRP
// (the AWS CLI and the JavaScript SDK v3 have no SRP implementation).
var clientKinds = []struct {
	name string
	srp  bool
}{
	{"aws-sdk-go-v2", true},
	{"aws-cli", false},
	{"aws-sdk-js-v3", false},
	{"amazon-cognito-identity-js", true},
}

// TestScenarios runs the scenario list through every client against one
// pool whose trigger is Ferry's own handler, in-process as ferry serve
// runs it, and verifies every token with aws-jwt-verify.
func TestScenarios(t *testing.T) {
	var legacy []legacyUser
	for _, k := range clientKinds {
		legacy = append(legacy, legacyUsersFor(suffix(k.name))...)
	}
	app := ferryTrigger(t, legacy)
	p := newPool(t, lambdainvoke.InProcess(app.Handler))

	var mu sync.Mutex
	seen := map[string]map[string]string{} // step -> client -> got
	record := func(client string, s step, got string) {
		mu.Lock()
		defer mu.Unlock()
		if seen[s.Name] == nil {
			seen[s.Name] = map[string]string{}
		}
		seen[s.Name][client] = got
	}
	t.Cleanup(func() { logMatrix(t, seen) })

	for _, k := range clientKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			steps := forClient(scenarios(suffix(k.name)), k.srp, p)
			switch k.name {
			case "aws-sdk-go-v2":
				runGo(t, p, steps, newGoClient(p).run, record, k.name)
			case "aws-cli":
				bin := testenv.Tool(t, "aws")
				t.Logf("AWS CLI: %s", cliVersion(t.Context(), bin))
				c := &cliClient{p: p, aws: bin, sessions: map[string]*tokenSet{}}
				runGo(t, p, steps, c.run, record, k.name)
			case "aws-sdk-js-v3":
				runNode(t, p, steps, "sdk", record, k.name)
			case "amazon-cognito-identity-js":
				runNode(t, p, steps, "acij", record, k.name)
			}
		})
	}
}

func suffix(client string) string {
	switch client {
	case "aws-sdk-go-v2":
		return "go"
	case "aws-cli":
		return "cli"
	case "aws-sdk-js-v3":
		return "sdk"
	}
	return "acij"
}

// forClient drops the SRP steps for clients without SRP and fills in the
// app client of each step.
func forClient(steps []step, srp bool, p *pool) []step {
	var out []step
	for _, s := range steps {
		if s.Op == opSRPAuth && !srp {
			continue
		}
		s.ClientID = s.clientID(p)
		out = append(out, s)
	}
	return out
}

// runGo runs steps in order with a Go-driven client (aws-sdk-go-v2 or the
// AWS CLI), then has aws-jwt-verify check every token issued.
func runGo(t *testing.T, p *pool, steps []step, run func(context.Context, step) outcome,
	record func(string, step, string), client string) {
	var tokens []tokenSet
	for _, s := range steps {
		o := run(t.Context(), s)
		record(client, s, o.got)
		if o.got != s.Expect {
			t.Errorf("%s: got %s %q, want %s", s.Name, o.got, o.message, s.Expect)
		}
		if o.tokens != nil {
			tokens = append(tokens, *o.tokens)
		}
		checkAbsent(t, p, s)
	}
	verifyTokens(t, p, tokens)
}

// runNode runs steps in one driver.mjs process (sessions carry over from
// step to step as in an app); driver.mjs verifies each token itself.
func runNode(t *testing.T, p *pool, steps []step, client string, record func(string, step, string), name string) {
	for i := range steps {
		steps[i].Client = client
	}
	lines := runDriver(t, p, steps)
	for _, s := range steps {
		l, ok := lines[s.Name]
		if !ok {
			t.Errorf("%s: driver.mjs printed no line", s.Name)
			continue
		}
		record(name, s, l.Detail.Got)
		if !l.OK {
			t.Errorf("%s: got %s %q, want %s %s", s.Name, l.Detail.Got, l.Detail.Message, s.Expect, l.Detail.Error)
		}
		if s.Expect == "ok" && (s.Op == opPasswordAuth || s.Op == opSRPAuth || s.Op == opRefresh) && len(l.Detail.Claims) == 0 {
			t.Errorf("%s: no tokens were verified", s.Name)
		}
		checkAbsent(t, p, s)
	}
}

func checkAbsent(t *testing.T, p *pool, s step) {
	t.Helper()
	if s.absent == "" {
		return
	}
	if gone, err := p.absent(t.Context(), s.absent); err != nil || !gone {
		t.Errorf("%s: user %s exists after the step (err %v); nothing may be created", s.Name, s.absent, err)
	}
}

// logMatrix logs what each client saw for each step, so deviations are
// visible at a glance with -v.
func logMatrix(t *testing.T, seen map[string]map[string]string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-52s", "step")
	for _, k := range clientKinds {
		fmt.Fprintf(&b, " | %-30s", k.name)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	order := map[string]int{}
	for i, s := range scenarios("x") {
		order[s.Name] = i
	}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	for _, n := range names {
		fmt.Fprintf(&b, "\n%-52s", n)
		for _, k := range clientKinds {
			got := seen[n][k.name]
			if got == "" {
				got = "-"
			}
			fmt.Fprintf(&b, " | %-30s", got)
		}
	}
	t.Logf("what each client saw:\n%s", b.String())
}
