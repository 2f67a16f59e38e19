package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// Operations a step can perform; each client maps them to its own calls.
const (
	opSignUp                = "signUp"
	opConfirmSignUp         = "confirmSignUp"
	opPasswordAuth          = "passwordAuth"
	opAdminPasswordAuth     = "adminPasswordAuth"
	opSRPAuth               = "srpAuth"
	opCustomAuth            = "customAuth" // CUSTOM_AUTH, answering each CUSTOM_CHALLENGE with the next of Answers
	opRefresh               = "refresh"
	opForgotPassword        = "forgotPassword"
	opConfirmForgotPassword = "confirmForgotPassword"
	opUpdateAttributes      = "updateUserAttributes"
	opVerifyEmail           = "verifyEmail"
	opDeleteUser            = "deleteUser"
	opCall                  = "call" // any operation by name, with a JSON input: the administration steps
)

// profileOps are the signed-in user's profile operations, which the
// scenarios drive through the SDKs and the AWS CLI.
var profileOps = []string{opUpdateAttributes, opVerifyEmail, opDeleteUser}

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
	// Answers are an opCustomAuth's answers, in order; "round N" stands
	// for the code of the pool's secret-code challenge of round N.
	Answers  []string `json:"answers,omitempty"`
	Expect   string   `json:"expect"`
	ClientID string   `json:"clientId,omitempty"`
	// Operation and Input are an opCall's action and its input, in which a
	// string "$pool" is the pool, "$access" the access token of Username's
	// last sign-in and "$name" a value an earlier step saved; Save names
	// values of the output by their dotted path (UserPool.Id).
	Operation string            `json:"operation,omitempty"`
	Input     map[string]any    `json:"input,omitempty"`
	Save      map[string]string `json:"save,omitempty"`

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
		{"abe-" + sfx, "abe-" + sfx + "@example.com", legacyPassword},    // migrates on admin sign-in
		{"ray-" + sfx, "ray-" + sfx + "@example.com", weakPassword},      // admin sign-in, RESET_REQUIRED
	}
}

// scenarios is THE scenario list, the same for every client; sfx keeps
// each client's users apart. Expectations are Amazon Cognito's documented
// behaviour.
func scenarios(sfx string) []step {
	u := func(name string) string { return name + "-" + sfx }
	email := func(name string) string { return name + "-" + sfx + "@example.com" }
	return append([]step{
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
		{Name: "custom challenge: a wrong code, then two right ones", Op: opCustomAuth, Username: u("mia"),
			Answers: []string{"000000x", "round 1", "round 2"}, Expect: "ok"},
		{Name: "custom challenge: two wrong codes", Op: opCustomAuth, Username: u("mia"), Answers: []string{"000000x", "111111x"},
			Expect: "NotAuthorizedException"},
		{Name: "custom challenge of a legacy user: no migration", Op: opCustomAuth, Username: u("wes"), Answers: []string{"round 1"},
			Expect: "UserNotFoundException", absent: u("wes")},
		{Name: "migration on sign-in by email alias", Op: opPasswordAuth, Username: email("ida"), Password: legacyPassword, Expect: "ok"},
		{Name: "migration on sign-in, RESET_REQUIRED", Op: opPasswordAuth, Username: u("rex"), Password: weakPassword, Expect: "PasswordResetRequiredException"},
		{Name: "migration on admin sign-in, CONFIRMED", Op: opAdminPasswordAuth, Username: u("abe"), Password: legacyPassword, Expect: "ok"},
		{Name: "migration on admin sign-in, RESET_REQUIRED", Op: opAdminPasswordAuth, Username: u("ray"), Password: weakPassword, Expect: "PasswordResetRequiredException"},
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
		{Name: "change the email of a migrated user", Op: opUpdateAttributes, Username: u("mia"), Attributes: map[string]string{"email": email("mia2")}, Expect: "ok"},
		{Name: "verify the new email with the outbox code", Op: opVerifyEmail, Username: u("mia"), Code: "outbox", Expect: "ok"},
		{Name: "verify with a wrong code", Op: opVerifyEmail, Username: u("mia"), Code: "000000", Expect: "CodeMismatchException"},
		{Name: "a user deletes themselves", Op: opDeleteUser, Username: u("sam"), Expect: "ok", absent: u("sam")},
	}, adminScenarios(sfx)...)
}

// adminScenarios call the profile, attribute, group, domain and resource
// server operations once each (the AWS CLI costs a second a call), on the
// migrated user mia; the domain has a pool of its own, since a pool has
// one custom domain and the clients run side by side.
func adminScenarios(sfx string) []step {
	mia := "mia-" + sfx
	group, api := "team-"+sfx, "https://api-"+sfx+".example.com"
	call := func(name, op string, in map[string]any, expect string) step {
		return step{Name: name, Op: opCall, Operation: op, Username: mia, Input: in, Expect: expect}
	}
	pool := func(in map[string]any) map[string]any { in["UserPoolId"] = "$pool"; return in }
	user := func(in map[string]any) map[string]any { in["Username"] = mia; return pool(in) }
	steps := []step{
		call("add a custom attribute", "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []any{
			map[string]any{"Name": "tier_" + sfx, "AttributeDataType": "String", "Mutable": true}}}), "ok"),
		call("ask for an email verification code", "GetUserAttributeVerificationCode", map[string]any{"AccessToken": "$access", "AttributeName": "email"}, "ok"),
		call("a user deletes an attribute of theirs", "DeleteUserAttributes", map[string]any{"AccessToken": "$access", "UserAttributeNames": []any{"name"}}, "ok"),
		call("an admin deletes a user's attribute", "AdminDeleteUserAttributes", user(map[string]any{"UserAttributeNames": []any{"custom:tier_" + sfx}}), "ok"),
		call("create a group", "CreateGroup", pool(map[string]any{"GroupName": group, "Description": "Team", "Precedence": 1}), "ok"),
		call("create a taken group", "CreateGroup", pool(map[string]any{"GroupName": group}), "GroupExistsException"),
		call("get a group", "GetGroup", pool(map[string]any{"GroupName": group}), "ok"),
		call("update a group", "UpdateGroup", pool(map[string]any{"GroupName": group, "Description": "The team"}), "ok"),
		call("list groups", "ListGroups", pool(map[string]any{"Limit": 60}), "ok"),
		call("add a user to a group", "AdminAddUserToGroup", user(map[string]any{"GroupName": group}), "ok"),
		call("list a user's groups", "AdminListGroupsForUser", user(map[string]any{}), "ok"),
		call("list a group's users", "ListUsersInGroup", pool(map[string]any{"GroupName": group}), "ok"),
		call("remove a user from a group", "AdminRemoveUserFromGroup", user(map[string]any{"GroupName": group}), "ok"),
		call("delete a group", "DeleteGroup", pool(map[string]any{"GroupName": group}), "ok"),
		call("create a resource server", "CreateResourceServer", pool(map[string]any{"Identifier": api, "Name": "api",
			"Scopes": []any{map[string]any{"ScopeName": "read", "ScopeDescription": "Read"}}}), "ok"),
		call("describe a resource server", "DescribeResourceServer", pool(map[string]any{"Identifier": api}), "ok"),
		call("update a resource server", "UpdateResourceServer", pool(map[string]any{"Identifier": api, "Name": "api v2"}), "ok"),
		call("list resource servers", "ListResourceServers", pool(map[string]any{"MaxResults": 50}), "ok"),
		call("delete a resource server", "DeleteResourceServer", pool(map[string]any{"Identifier": api}), "ok"),
	}
	domain := "auth-" + sfx + ".example.com"
	cert := "arn:aws:acm:us-east-1:000000000000:certificate/"
	inPool := func(in map[string]any) map[string]any {
		in["UserPoolId"] = "$domainPool"
		in["Domain"] = domain
		return in
	}
	create := call("create a pool for a domain", "CreateUserPool", map[string]any{"PoolName": "domain-" + sfx}, "ok")
	create.Save = map[string]string{"domainPool": "UserPool.Id"}
	steps = append(steps, create,
		call("create a custom domain", "CreateUserPoolDomain", inPool(map[string]any{"CustomDomainConfig": map[string]any{"CertificateArn": cert + "one"}}), "ok"),
		call("describe a domain", "DescribeUserPoolDomain", map[string]any{"Domain": domain}, "ok"),
		call("update a domain's certificate", "UpdateUserPoolDomain", inPool(map[string]any{"CustomDomainConfig": map[string]any{"CertificateArn": cert + "two"}}), "ok"),
		call("delete a domain", "DeleteUserPoolDomain", inPool(map[string]any{}), "ok"),
		call("delete a domain that is gone", "DeleteUserPoolDomain", inPool(map[string]any{}), "InvalidParameterException"),
		call("delete the domain's pool", "DeleteUserPool", map[string]any{"UserPoolId": "$domainPool"}, "ok"),
		call("an admin resets a password", "AdminResetUserPassword", user(map[string]any{}), "ok"),
	)
	return steps
}

// clientKind is one client the scenario list runs through; srp says
// whether it can do SRP (the AWS CLI and the JavaScript SDK v3 have no SRP
// implementation), admin whether it can call the signed admin operations
// (amazon-cognito-identity-js is a browser client without credentials).
type clientKind struct {
	name, sfx string
	srp       bool
	admin     bool   // can call the signed admin operations (AdminInitiateAuth)
	awsPath   string // the aws executable, for AWS CLI kinds
}

// clientKinds are aws-sdk-go-v2, every distinct AWS CLI on PATH (the
// machine may have both the image's AWS CLI v1 and Debian's awscli, v2),
// the JavaScript SDK v3 and amazon-cognito-identity-js.
func clientKinds() []clientKind {
	kinds := []clientKind{{name: "aws-sdk-go-v2", sfx: "go", srp: true, admin: true}}
	for i, p := range awsCLIs() {
		k := clientKind{name: "aws-cli", sfx: "cli", awsPath: p, admin: true}
		if i > 0 {
			k.name, k.sfx = fmt.Sprintf("aws-cli#%d", i+1), fmt.Sprintf("cli%d", i+1)
		}
		kinds = append(kinds, k)
	}
	if len(kinds) == 1 { // none on PATH: the subtest reports it missing
		kinds = append(kinds, clientKind{name: "aws-cli", sfx: "cli", admin: true})
	}
	return append(kinds,
		clientKind{name: "aws-sdk-js-v3", sfx: "sdk", admin: true},
		clientKind{name: "amazon-cognito-identity-js", sfx: "acij", srp: true})
}

// awsCLIs lists the distinct aws executables on PATH, first the one a shell
// would run.
func awsCLIs() []string {
	var out []string
	seen := map[string]bool{}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, "aws")
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		out = append(out, p)
	}
	return out
}

// TestScenarios runs the scenario list through every client against one
// pool whose trigger is Ferry's own handler, in-process as ferry serve
// runs it, and verifies every token with aws-jwt-verify.
func TestScenarios(t *testing.T) {
	endToEnd(t)
	kinds := clientKinds()
	var legacy []legacyUser
	for _, k := range kinds {
		legacy = append(legacy, legacyUsersFor(k.sfx)...)
	}
	app := ferryTrigger(t, legacy)
	codes := cognitotest.NewSecretCode()
	p := newPool(t, lambdainvoke.InProcess(app.Handler), cognitotest.WithSecretCode(codes))

	var mu sync.Mutex
	seen := map[string]map[string]outcome{} // step -> client -> what it saw
	sfxOf := map[string]*regexp.Regexp{}    // client -> its suffix in names, which messages may quote
	for _, k := range kinds {
		sfxOf[k.name] = regexp.MustCompile(`-` + regexp.QuoteMeta(k.sfx) + `\b`)
	}
	record := func(client string, s step, o outcome) {
		o.message = sfxOf[client].ReplaceAllString(o.message, "-…")
		mu.Lock()
		defer mu.Unlock()
		if seen[s.Name] == nil {
			seen[s.Name] = map[string]outcome{}
		}
		seen[s.Name][client] = o
	}
	t.Cleanup(func() {
		logMatrix(t, kinds, seen)
		checkMessages(t, seen)
	})

	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			steps := withCodes(forClient(scenarios(k.sfx), k.srp, k.admin, p), codes)
			switch k.sfx {
			case "go":
				runGo(t, p, steps, newGoClient(p).run, record, k.name)
			case "sdk":
				runNode(t, p, steps, "sdk", record, k.name)
			case "acij":
				runNode(t, p, steps, "acij", record, k.name)
			default:
				bin := k.awsPath
				if bin == "" {
					bin = testenv.Tool(t, "aws")
				}
				t.Logf("AWS CLI %s: %s", bin, cliVersion(t.Context(), bin))
				c := &cliClient{p: p, aws: bin, sessions: map[string]*tokenSet{}}
				runGo(t, p, steps, c.run, record, k.name)
			}
		})
	}
}

// forClient drops the steps a client cannot take (SRP, admin operations)
// and fills in the app client of each step.
func forClient(steps []step, srp, admin bool, p *pool) []step {
	var out []step
	for _, s := range steps {
		if (s.Op == opSRPAuth && !srp) || ((s.Op == opAdminPasswordAuth || s.Op == opCall) && !admin) || (slices.Contains(profileOps, s.Op) && !admin) {
			continue
		}
		s.ClientID = s.clientID(p)
		out = append(out, s)
	}
	return out
}

// withCodes fills in the secret codes the custom-challenge steps answer.
func withCodes(steps []step, codes *cognitotest.SecretCode) []step {
	for i, s := range steps {
		answers := slices.Clone(s.Answers)
		for j, a := range answers {
			if n, ok := strings.CutPrefix(a, "round "); ok {
				round, _ := strconv.Atoi(n)
				answers[j] = codes.CodeFor(s.Username, round)
			}
		}
		steps[i].Answers = answers
	}
	return steps
}

// runGo runs steps in order with a Go-driven client (aws-sdk-go-v2 or the
// AWS CLI), then has aws-jwt-verify check every token issued.
func runGo(t *testing.T, p *pool, steps []step, run func(context.Context, step) outcome,
	record func(string, step, outcome), client string) {
	var tokens []tokenSet
	for _, s := range steps {
		o := run(t.Context(), s)
		record(client, s, outcome{got: o.got, message: o.message})
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
func runNode(t *testing.T, p *pool, steps []step, client string, record func(string, step, outcome), name string) {
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
		record(name, s, outcome{got: l.Detail.Got, message: l.Detail.Message})
		if !l.OK {
			t.Errorf("%s: got %s %q, want %s %s", s.Name, l.Detail.Got, l.Detail.Message, s.Expect, l.Detail.Error)
		}
		if s.Expect == "ok" && (s.Op == opPasswordAuth || s.Op == opAdminPasswordAuth || s.Op == opSRPAuth || s.Op == opRefresh || s.Op == opCustomAuth) &&
			len(l.Detail.Claims) == 0 {
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
func logMatrix(t *testing.T, kinds []clientKind, seen map[string]map[string]outcome) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-52s", "step")
	for _, k := range kinds {
		fmt.Fprintf(&b, " | %-30s", k.name)
	}
	for _, s := range scenarios("x") {
		if seen[s.Name] == nil {
			continue
		}
		fmt.Fprintf(&b, "\n%-52s", s.Name)
		for _, k := range kinds {
			got := seen[s.Name][k.name].got
			if got == "" {
				got = "-"
			}
			fmt.Fprintf(&b, " | %-30s", got)
		}
	}
	t.Logf("what each client saw:\n%s", b.String())
}

// checkMessages fails when clients that saw the same exception for a step
// report different messages: each client reads the message its own way
// (body "message", a CLI error line, an Error object), and all must show
// the server's text.
func checkMessages(t *testing.T, seen map[string]map[string]outcome) {
	for _, s := range scenarios("x") {
		byType := map[string]map[string][]string{} // exception -> message -> clients
		for client, o := range seen[s.Name] {
			if o.got == "ok" || o.got == "" {
				continue
			}
			if byType[o.got] == nil {
				byType[o.got] = map[string][]string{}
			}
			byType[o.got][o.message] = append(byType[o.got][o.message], client)
		}
		for exc, msgs := range byType {
			if len(msgs) > 1 {
				t.Errorf("%s: clients report %s with different messages: %v", s.Name, exc, msgs)
			} else {
				for m := range msgs {
					t.Logf("%s: %s %q", s.Name, exc, m)
				}
			}
		}
	}
}
