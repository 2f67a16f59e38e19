package userpool_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/srp"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// customFixture is a pool whose custom authentication challenge triggers
// are sc's, with a client that allows CUSTOM_AUTH, ann a confirmed user,
// and the pool's clock in *now.
func customFixture(t *testing.T, sc *cognitotest.SecretCode, o fixtureOpts) (*fixture, *time.Time) {
	t.Helper()
	now := time.Now()
	o.cfg = func(c *userpool.Config) {
		c.Now = func() time.Time { return now } // tests move it between calls only
	}
	client := o.client
	o.client = func(in *userpool.CreateClientInput) {
		in.Settings.ExplicitAuthFlows = append(in.Settings.ExplicitAuthFlows, userpool.FlowCustom)
		if client != nil {
			client(in)
		}
	}
	fns := map[string]userpool.Invoker{
		"DefineAuthChallenge":         sc.Invoker(cognitotest.DefineAuthChallengeARN),
		"CreateAuthChallenge":         sc.Invoker(cognitotest.CreateAuthChallengeARN),
		"VerifyAuthChallengeResponse": sc.Invoker(cognitotest.VerifyAuthChallengeARN),
	}
	f := triggerFixture(t, fns, "", o)
	f.confirmedUser(t, "ann", map[string]string{"email": "ann@example.com"})
	return f, &now
}

func (f *fixture) customAuth(ctx context.Context, params map[string]string) (*userpool.AuthResult, error) {
	return f.svc.InitiateAuth(ctx, userpool.AuthInput{ClientID: f.clientID, AuthFlow: "CUSTOM_AUTH", Params: params})
}

func (f *fixture) answer(ctx context.Context, session, username, answer string) (*userpool.AuthResult, error) {
	return f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID, ChallengeName: "CUSTOM_CHALLENGE",
		Session: session, Responses: map[string]string{"USERNAME": username, "ANSWER": answer}})
}

// sessionShape is a session as DefineAuthChallenge saw it, one
// "NAME=result" per challenge.
func sessionShape(s []*events.CognitoEventUserPoolsChallengeResult) string {
	var parts []string
	for _, r := range s {
		v := "false"
		if r.ChallengeResult {
			v = "true"
		}
		parts = append(parts, r.ChallengeName+"="+v+":"+r.ChallengeMetadata)
	}
	return strings.Join(parts, ",")
}

// TestCustomAuthSecretCode runs the whole loop: two rounds of a code only
// CreateAuthChallenge knows, a wrong code retried, each answer judged by
// VerifyAuthChallengeResponse and handed back to DefineAuthChallenge with
// the sequence one longer; the private parameters never leave the pool,
// a Session answers once, and the tokens come at the end.
func TestCustomAuthSecretCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := cognitotest.NewSecretCode()
	f, _ := customFixture(t, sc, fixtureOpts{})

	r, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
	if err == nil && r.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("InitiateAuth: %+v", r)
	}
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	p := r.ChallengeParameters
	if p["round"] != "1" || p["USERNAME"] != "ann" || p["code"] != "" || r.Session == "" || r.Tokens != nil {
		t.Errorf("first challenge: %+v", r)
	}
	first := r.Session
	r, err = f.answer(ctx, first, "ann", "not-the-code")
	if err != nil || r.ChallengeName != "CUSTOM_CHALLENGE" || r.ChallengeParameters["round"] != "1" || r.Session == first {
		t.Fatalf("wrong code: %+v, %v", r, err)
	}
	if _, err := f.answer(ctx, first, "ann", sc.Code("ann")); err == nil {
		t.Error("a Session answered twice")
	} else if kind, msg := kindOf(err); kind != userpool.ErrNotAuthorized || msg != "Invalid session for the user." {
		t.Errorf("reused Session: %v %q", kind, msg)
	}
	r, err = f.answer(ctx, r.Session, "ann", sc.Code("ann"))
	if err != nil || r.ChallengeName != "CUSTOM_CHALLENGE" || r.ChallengeParameters["round"] != "2" {
		t.Fatalf("first right code: %+v, %v", r, err)
	}
	r, err = f.answer(ctx, r.Session, "ann", sc.Code("ann"))
	if err != nil || r.Tokens == nil || r.ChallengeName != "" {
		t.Fatalf("second right code: %+v, %v", r, err)
	}
	if id := verifiedClaims(t, r.Tokens.IDToken, keys(t).IDToken); id["cognito:username"] != "ann" {
		t.Errorf("id token: %v", id)
	}
	var got []string
	for _, s := range sc.Sessions {
		got = append(got, sessionShape(s))
	}
	want := []string{"", "CUSTOM_CHALLENGE=false:CODE-1", "CUSTOM_CHALLENGE=false:CODE-1,CUSTOM_CHALLENGE=true:CODE-1",
		"CUSTOM_CHALLENGE=false:CODE-1,CUSTOM_CHALLENGE=true:CODE-1,CUSTOM_CHALLENGE=true:CODE-2"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("DefineAuthChallenge sessions:\n got %q\nwant %q", got, want)
	}
}

// TestCustomAuthSRP: with SRP_A the sequence starts with SRP_A, the
// password is proven by SRP (PASSWORD_VERIFIER, with the sequence's
// Session), and the custom challenges follow.
func TestCustomAuthSRP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := cognitotest.NewSecretCode()
	f, _ := customFixture(t, sc, fixtureOpts{})
	c, err := srp.NewClient(f.poolID[strings.IndexByte(f.poolID, '_')+1:], "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann", "SRP_A": c.SRPA(), "CHALLENGE_NAME": "SRP_A"})
	if err != nil || r.ChallengeName != "PASSWORD_VERIFIER" || r.Session == "" {
		t.Fatalf("InitiateAuth: %+v, %v", r, err)
	}
	p := r.ChallengeParameters
	ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The sequence's PASSWORD_VERIFIER answered without its Session, as
	// USER_SRP_AUTH's is, must not sign in past DefineAuthChallenge.
	claim := map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "TIMESTAMP": ts,
		"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"]}
	if bypass, err := f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID,
		ChallengeName: "PASSWORD_VERIFIER", Responses: claim}); err == nil || bypass != nil {
		t.Fatalf("PASSWORD_VERIFIER without the sequence's Session: %+v, %v", bypass, err)
	}
	r, err = f.customAuth(ctx, map[string]string{"USERNAME": "ann", "SRP_A": c.SRPA(), "CHALLENGE_NAME": "SRP_A"})
	if err != nil {
		t.Fatal(err)
	}
	p = r.ChallengeParameters
	if ts, sig, err = c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now()); err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID, ChallengeName: "PASSWORD_VERIFIER",
		Session: r.Session, Responses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"]}})
	if err != nil || r.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("PASSWORD_VERIFIER: %+v, %v", r, err)
	}
	for round := 1; round <= cognitotest.SecretCodeRounds; round++ {
		if r, err = f.answer(ctx, r.Session, "ann", sc.Code("ann")); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if r.Tokens == nil {
		t.Fatalf("no tokens: %+v", r)
	}
	if got := sessionShape(sc.Sessions[2]); got != "SRP_A=true:,PASSWORD_VERIFIER=true:" {
		t.Errorf("session after the password: %q", got)
	}

	// A wrong password fails the sign-in as in USER_SRP_AUTH.
	bad, err := srp.NewClient(f.poolID[strings.IndexByte(f.poolID, '_')+1:], "Wr0ng-pass!")
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.customAuth(ctx, map[string]string{"USERNAME": "ann", "SRP_A": bad.SRPA(), "CHALLENGE_NAME": "SRP_A"})
	if err != nil {
		t.Fatal(err)
	}
	p = r.ChallengeParameters
	ts, sig, _ = bad.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	_, err = f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID, ChallengeName: "PASSWORD_VERIFIER",
		Session: r.Session, Responses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"]}})
	if kind, msg := kindOf(err); kind != userpool.ErrNotAuthorized || msg != "Incorrect username or password." {
		t.Errorf("wrong password: %v %q", kind, msg)
	}
}

// TestCustomAuthRefusals: each way a custom sign-in is refused, in
// Cognito's words.
func TestCustomAuthRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	incorrect := "Incorrect username or password."
	run := func(t *testing.T, f *fixture, sc *cognitotest.SecretCode, user string, codes ...string) error {
		t.Helper()
		r, err := f.customAuth(ctx, map[string]string{"USERNAME": user})
		for _, code := range codes {
			if err != nil {
				return err
			}
			if code == "" {
				code = sc.Code(user)
			}
			r, err = f.answer(ctx, r.Session, user, code)
		}
		return err
	}
	expect := func(t *testing.T, err error, kind error, msg string) {
		t.Helper()
		if k, m := kindOf(err); k != kind || m != msg {
			t.Errorf("got %v %q, want %v %q", k, m, kind, msg)
		}
	}

	t.Run("two wrong codes in a row", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{})
		expect(t, run(t, f, sc, "ann", "x", "y"), userpool.ErrNotAuthorized, incorrect)
	})
	t.Run("unknown user", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{})
		expect(t, run(t, f, sc, "nobody"), userpool.ErrUserNotFound, "User does not exist.")
		if len(sc.Sessions) != 0 {
			t.Error("DefineAuthChallenge ran for an unknown user")
		}
	})
	t.Run("unknown user, existence errors prevented", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{client: func(in *userpool.CreateClientInput) {
			in.Settings.PreventUserExistenceErrors = "ENABLED"
		}})
		// Every code right: the sequence still ends as a wrong answer would.
		expect(t, run(t, f, sc, "nobody", "", ""), userpool.ErrNotAuthorized, incorrect)
		if len(sc.NotFound) != 3 || !sc.NotFound[0] || !sc.NotFound[2] {
			t.Errorf("userNotFound seen by DefineAuthChallenge: %v", sc.NotFound)
		}
	})
	t.Run("no DefineAuthChallenge trigger", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{pool: func(in *userpool.CreatePoolInput) {
			in.Settings.LambdaConfig.DefineAuthChallenge = ""
		}})
		expect(t, run(t, f, sc, "ann"), userpool.ErrInvalidParameter, "Custom auth lambda trigger is not configured for the user pool.")
	})
	t.Run("client without ALLOW_CUSTOM_AUTH", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{client: func(in *userpool.CreateClientInput) {
			in.Settings.ExplicitAuthFlows = []string{userpool.FlowUserSRP}
		}})
		expect(t, run(t, f, sc, "ann"), userpool.ErrInvalidParameter, "CUSTOM_AUTH flow not enabled for this client")
	})
	t.Run("expired session", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, now := customFixture(t, sc, fixtureOpts{})
		r, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
		if err != nil {
			t.Fatal(err)
		}
		*now = now.Add(3*time.Minute + time.Second) // AuthSessionValidity's default
		_, err = f.answer(ctx, r.Session, "ann", sc.Code("ann"))
		expect(t, err, userpool.ErrNotAuthorized, "Invalid session for the user, session is expired.")
	})
	t.Run("answer for another user", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{})
		f.confirmedUser(t, "bob", nil)
		r, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.answer(ctx, r.Session, "bob", sc.Code("ann"))
		expect(t, err, userpool.ErrNotAuthorized, "Invalid session for the user.")
	})
	t.Run("no ANSWER", func(t *testing.T) {
		sc := cognitotest.NewSecretCode()
		f, _ := customFixture(t, sc, fixtureOpts{})
		r, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.answer(ctx, r.Session, "ann", "")
		expect(t, err, userpool.ErrInvalidParameter, "Missing required parameter ANSWER")
		// The Session survives a malformed answer.
		if _, err := f.answer(ctx, r.Session, "ann", sc.Code("ann")); err != nil {
			t.Errorf("answer after a malformed one: %v", err)
		}
	})
	t.Run("DefineAuthChallenge fails", func(t *testing.T) {
		fail := &rawInvoker{fn: func(context.Context, []byte) ([]byte, error) {
			return nil, &userpool.FunctionError{Type: "Error", Message: "Challenge store down"}
		}}
		f := triggerFixture(t, map[string]userpool.Invoker{"DefineAuthChallenge": fail}, "", fixtureOpts{
			client: func(in *userpool.CreateClientInput) { in.Settings.ExplicitAuthFlows = []string{userpool.FlowCustom} }})
		f.confirmedUser(t, "ann", nil)
		_, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
		expect(t, err, userpool.ErrLambdaValidation, "DefineAuthChallenge failed with error Challenge store down.")
	})
	t.Run("DefineAuthChallenge names a challenge it cannot have", func(t *testing.T) {
		h := func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			ev.Response.ChallengeName = "PASSWORD_VERIFIER" // without SRP_A
			return ev, nil
		}
		f := triggerFixture(t, map[string]userpool.Invoker{"DefineAuthChallenge": lambdainvoke.InProcess(h)}, "", fixtureOpts{
			client: func(in *userpool.CreateClientInput) { in.Settings.ExplicitAuthFlows = []string{userpool.FlowCustom} }})
		f.confirmedUser(t, "ann", nil)
		_, err := f.customAuth(ctx, map[string]string{"USERNAME": "ann"})
		expect(t, err, userpool.ErrInvalidLambdaResponse, "Unrecognizable lambda output")
	})
}

// TestCustomAuthSRPWithMFA: in a pool that requires MFA, the user's factor
// is asked for after the password, before DefineAuthChallenge decides
// again, and the passed factor enters the sequence.
func TestCustomAuthSRPWithMFA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := cognitotest.NewSecretCode()
	f, _ := customFixture(t, sc, fixtureOpts{pool: func(in *userpool.CreatePoolInput) { in.Settings.MfaConfiguration = "ON" }})
	f.confirmedUser(t, "sam", map[string]string{"phone_number": "+15555550123"})
	c, err := srp.NewClient(f.poolID[strings.IndexByte(f.poolID, '_')+1:], "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.customAuth(ctx, map[string]string{"USERNAME": "sam", "SRP_A": c.SRPA(), "CHALLENGE_NAME": "SRP_A"})
	if err != nil {
		t.Fatal(err)
	}
	p := r.ChallengeParameters
	ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID, ChallengeName: "PASSWORD_VERIFIER",
		Session: r.Session, Responses: map[string]string{"USERNAME": "sam", "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"]}})
	if err != nil || r.ChallengeName != "SMS_MFA" {
		t.Fatalf("PASSWORD_VERIFIER: %+v, %v; want SMS_MFA", r, err)
	}
	if n := len(sc.Sessions); n != 1 {
		t.Errorf("DefineAuthChallenge ran %d times before the MFA code, want 1", n)
	}
	msgs, err := f.store.ListMessages(ctx, f.poolID, 0, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v", err)
	}
	r, err = f.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{ClientID: f.clientID, ChallengeName: "SMS_MFA",
		Session: r.Session, Responses: map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": msgs[len(msgs)-1].Code}})
	if err != nil || r.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("SMS_MFA: %+v, %v; want CUSTOM_CHALLENGE", r, err)
	}
	if got := sessionShape(sc.Sessions[len(sc.Sessions)-1]); got != "SRP_A=true:,PASSWORD_VERIFIER=true:,SMS_MFA=true:" {
		t.Errorf("session after MFA: %q", got)
	}
	for round := 1; round <= cognitotest.SecretCodeRounds; round++ {
		if r, err = f.answer(ctx, r.Session, "sam", sc.Code("sam")); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if r.Tokens == nil {
		t.Fatalf("no tokens: %+v", r)
	}
}
