package userpool_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// rawInvoker answers every invocation with fn, counting calls.
type rawInvoker struct {
	fn    func(ctx context.Context, payload []byte) ([]byte, error)
	calls atomic.Int32
}

func (r *rawInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r.calls.Add(1)
	return r.fn(ctx, payload)
}

// triggerFixture is a pool whose triggers are the functions of fns, by
// LambdaConfig member (PreSignUp, …); "PreTokenGeneration" is configured
// with the given event version.
func triggerFixture(t *testing.T, fns map[string]userpool.Invoker, tokenVersion string, o fixtureOpts) *fixture {
	t.Helper()
	arn := func(name string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + name }
	cfg := o.cfg
	o.cfg = func(c *userpool.Config) {
		if cfg != nil {
			cfg(c)
		}
		c.Resolver = func(a string) (userpool.Invoker, error) {
			for name, inv := range fns {
				if a == arn(name) {
					return inv, nil
				}
			}
			return nil, errors.New("no such function")
		}
		c.TriggerTimeout = 50 * time.Millisecond
		c.TriggerAttempts = 3
	}
	pool := o.pool
	o.pool = func(in *userpool.CreatePoolInput) {
		lc := &in.Settings.LambdaConfig
		lc.UserMigration = ""
		members := map[string]*string{"PreSignUp": &lc.PreSignUp, "PostConfirmation": &lc.PostConfirmation,
			"PreAuthentication": &lc.PreAuthentication, "PostAuthentication": &lc.PostAuthentication,
			"CustomMessage": &lc.CustomMessage, "PreTokenGeneration": &lc.PreTokenGeneration,
			"DefineAuthChallenge": &lc.DefineAuthChallenge, "CreateAuthChallenge": &lc.CreateAuthChallenge,
			"VerifyAuthChallengeResponse": &lc.VerifyAuthChallengeResponse}
		for name := range fns {
			*members[name] = arn(name)
			if name == "PreTokenGeneration" {
				lc.PreTokenGenerationConfig = json.RawMessage(`{"LambdaVersion":"` + tokenVersion + `","LambdaArn":"` + arn(name) + `"}`)
			}
		}
		in.Settings.AutoVerifiedAttributes = []string{"email"}
		if pool != nil {
			pool(in)
		}
	}
	return newFixture(t, nil, o)
}

// verifiedClaims checks a token's signature with the pool's key and
// returns its claims.
func verifiedClaims(t *testing.T, token string, key tokens.Key) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	claims := map[string]any{}
	if err := tok.Claims(&key.Private.PublicKey, &claims); err != nil {
		t.Fatalf("token signature: %v", err)
	}
	return claims
}

func (f *fixture) confirmedUser(t *testing.T, name string, attrs map[string]string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.AdminCreateUser(ctx, userpool.AdminCreateUserInput{PoolID: f.poolID, Username: name,
		Attributes: attrs, MessageAction: "SUPPRESS"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AdminSetUserPassword(ctx, f.poolID, name, "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
}

// TestPreTokenGenerationFixedClaims: a Go handler written against
// aws-lambda-go's V1 event type, run in-process, adds and suppresses
// claims; the claims that make the token this user's (sub, iss, aud,
// cognito:username, token_use, exp, …) keep the pool's values.
func TestPreTokenGenerationFixedClaims(t *testing.T) {
	handler := func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		ev.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{"tier": "gold", "sub": "someone-else", "iss": "https://evil.example",
				"aud": "other-client", "cognito:username": "root", "token_use": "access"},
			ClaimsToSuppress: []string{"email", "exp", "auth_time"},
		}
		return ev, nil
	}
	f := triggerFixture(t, map[string]userpool.Invoker{"PreTokenGeneration": lambdainvoke.InProcess(handler)}, "V1_0", fixtureOpts{})
	f.confirmedUser(t, "ann", map[string]string{"email": "ann@example.com"})
	res, err := f.signIn(context.Background(), "ann", "Passw0rd!")
	if err != nil || res.Tokens == nil {
		t.Fatalf("sign-in: %v", err)
	}
	id := verifiedClaims(t, res.Tokens.IDToken, keys(t).IDToken)
	u := f.user(t, "ann")
	if id["tier"] != "gold" || id["email"] != nil {
		t.Errorf("overrides not applied: %v", id)
	}
	if id["sub"] != u.Sub || id["aud"] != f.clientID || id["cognito:username"] != "ann" || id["token_use"] != "id" ||
		id["exp"] == nil || id["auth_time"] == nil || !strings.HasSuffix(id["iss"].(string), "/"+f.poolID) {
		t.Errorf("a fixed claim changed: %v", id)
	}
	if access := verifiedClaims(t, res.Tokens.AccessToken, keys(t).AccessToken); access["tier"] != nil {
		t.Errorf("a V1_0 answer reached the access token: %v", access)
	}
}

// TestTriggerErrorMapping: each way a function can fail reaches the caller
// as Cognito reports it, and leaves the pool as Cognito leaves it.
func TestTriggerErrorMapping(t *testing.T) {
	ctx := context.Background()
	signUp := func(f *fixture, name string) error {
		_, err := f.svc.SignUp(ctx, userpool.SignUpInput{ClientID: f.clientID, Username: name, Password: "Passw0rd!",
			Attributes: map[string]string{"email": name + "@example.com"}})
		return err
	}

	t.Run("answer that is not the event", func(t *testing.T) {
		inv := &rawInvoker{fn: func(context.Context, []byte) ([]byte, error) { return []byte(`"ok"`), nil }}
		f := triggerFixture(t, map[string]userpool.Invoker{"PreSignUp": inv}, "", fixtureOpts{})
		kind, msg := kindOf(signUp(f, "ann"))
		if kind != userpool.ErrInvalidLambdaResponse || msg != "Unrecognizable lambda output" {
			t.Errorf("got %v %q", kind, msg)
		}
		if f.user(t, "ann") != nil {
			t.Error("user stored despite the invalid answer")
		}
	})

	t.Run("autoVerifyPhone without a phone number", func(t *testing.T) {
		h := func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
			ev.Response.AutoVerifyPhone = true
			return ev, nil
		}
		f := triggerFixture(t, map[string]userpool.Invoker{"PreSignUp": lambdainvoke.InProcess(h)}, "", fixtureOpts{})
		if kind, msg := kindOf(signUp(f, "ann")); kind != userpool.ErrInvalidLambdaResponse {
			t.Errorf("got %v %q", kind, msg)
		}
		if f.user(t, "ann") != nil {
			t.Error("user stored despite the invalid answer")
		}
	})

	t.Run("timeout, retried", func(t *testing.T) {
		inv := &rawInvoker{fn: func(ctx context.Context, _ []byte) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		f := triggerFixture(t, map[string]userpool.Invoker{"PreAuthentication": inv}, "", fixtureOpts{})
		f.confirmedUser(t, "ann", nil)
		_, err := f.signIn(ctx, "ann", "Passw0rd!")
		kind, msg := kindOf(err)
		if kind != userpool.ErrUnexpectedLambda ||
			msg != "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function." {
			t.Errorf("got %v %q", kind, msg)
		}
		if n := inv.calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})

	t.Run("function error is final", func(t *testing.T) {
		inv := &rawInvoker{fn: func(context.Context, []byte) ([]byte, error) {
			return nil, &userpool.FunctionError{Type: "Error", Message: "CRM is down"}
		}}
		f := triggerFixture(t, map[string]userpool.Invoker{"PostConfirmation": inv}, "", fixtureOpts{})
		if err := signUp(f, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AdminConfirmSignUp(ctx, f.poolID, "ann"); err == nil {
			t.Fatal("AdminConfirmSignUp: no error")
		} else if kind, msg := kindOf(err); kind != userpool.ErrLambdaValidation || msg != "PostConfirmation failed with error CRM is down." {
			t.Errorf("got %v %q", kind, msg)
		}
		if n := inv.calls.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
		// The confirmation stands, as in Cognito.
		if u := f.user(t, "ann"); u == nil || u.Status != "CONFIRMED" {
			t.Errorf("user after a failed PostConfirmation: %+v", u)
		}
	})

	t.Run("unresolvable function", func(t *testing.T) {
		f := triggerFixture(t, map[string]userpool.Invoker{"PostAuthentication": nil}, "", fixtureOpts{
			pool: func(in *userpool.CreatePoolInput) {
				in.Settings.LambdaConfig.PostAuthentication = "arn:aws:lambda:us-east-1:000000000000:function:missing"
			}})
		f.confirmedUser(t, "ann", nil)
		_, err := f.signIn(ctx, "ann", "Passw0rd!")
		if kind, msg := kindOf(err); kind != userpool.ErrUnexpectedLambda ||
			msg != "PostAuthentication invocation failed due to error Lambda function could not be invoked." {
			t.Errorf("got %v %q", kind, msg)
		}
	})
}

// TestCustomMessageMediums: the function's smsMessage goes to a phone,
// its emailMessage and emailSubject to an email address; an answer that
// leaves the message empty keeps the pool's.
func TestCustomMessageMediums(t *testing.T) {
	var seen []events.CognitoEventUserPoolsCustomMessage
	h := func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		seen = append(seen, ev)
		if ev.UserName == "plain" {
			return ev, nil
		}
		ev.Response.SMSMessage = "sms " + ev.Request.CodeParameter
		ev.Response.EmailMessage = "<b>" + ev.Request.CodeParameter + "</b>"
		ev.Response.EmailSubject = "Welcome"
		return ev, nil
	}
	f := triggerFixture(t, map[string]userpool.Invoker{"CustomMessage": lambdainvoke.InProcess(h)}, "", fixtureOpts{
		pool: func(in *userpool.CreatePoolInput) { in.Settings.AutoVerifiedAttributes = []string{"phone_number"} }})
	ctx := context.Background()
	for _, name := range []string{"ann", "plain"} {
		if _, err := f.svc.SignUp(ctx, userpool.SignUpInput{ClientID: f.clientID, Username: name, Password: "Passw0rd!",
			Attributes: map[string]string{"phone_number": "+15555550100"}}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := f.store.ListMessages(ctx, f.poolID, 0, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("messages: %v %v", msgs, err)
	}
	if m := msgs[0]; m.Medium != "SMS" || m.Body != "sms "+m.Code || m.Subject != "" {
		t.Errorf("SMS message = %+v", m)
	}
	if m := msgs[1]; !strings.Contains(m.Body, m.Code) || strings.Contains(m.Body, "sms") {
		t.Errorf("message of an empty answer = %+v", m)
	}
	if len(seen) != 2 || seen[0].TriggerSource != "CustomMessage_SignUp" || seen[0].Request.CodeParameter != "{####}" {
		t.Errorf("events: %+v", seen)
	}

	// Email: body and subject.
	fe := triggerFixture(t, map[string]userpool.Invoker{"CustomMessage": lambdainvoke.InProcess(h)}, "", fixtureOpts{})
	if _, err := fe.svc.SignUp(ctx, userpool.SignUpInput{ClientID: fe.clientID, Username: "bob", Password: "Passw0rd!",
		Attributes: map[string]string{"email": "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	msgs, err = fe.store.ListMessages(ctx, fe.poolID, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %v %v", msgs, err)
	}
	if m := msgs[0]; m.Medium != "EMAIL" || m.Body != "<b>"+m.Code+"</b>" || m.Subject != "Welcome" {
		t.Errorf("email message = %+v", m)
	}
}
