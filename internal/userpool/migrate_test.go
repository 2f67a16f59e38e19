package userpool_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
)

// fakeInvoker is an Invoker of ...Func fields that counts and records calls.
type fakeInvoker struct {
	InvokeFunc func(ctx context.Context, ev trigger.Event) ([]byte, error)
	calls      atomic.Int32
	mu         sync.Mutex
	payloads   [][]byte
}

func (f *fakeInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.payloads = append(f.payloads, payload)
	f.mu.Unlock()
	var ev trigger.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return f.InvokeFunc(ctx, ev)
}

// answer returns an InvokeFunc that fills the response.
func answer(resp trigger.Response) func(context.Context, trigger.Event) ([]byte, error) {
	return func(_ context.Context, ev trigger.Event) ([]byte, error) {
		ev.Response = resp
		return json.Marshal(ev)
	}
}

var (
	keysOnce sync.Once
	testKeys *tokens.KeySet
)

func keys(t *testing.T) *tokens.KeySet {
	keysOnce.Do(func() {
		var err error
		if testKeys, err = tokens.GenerateKeySet(); err != nil {
			panic(err)
		}
	})
	return testKeys
}

type fixture struct {
	svc              *userpool.Service
	store            *memstore.Store
	poolID, clientID string
	log              *bytes.Buffer
}

type fixtureOpts struct {
	pool   func(*userpool.CreatePoolInput)
	client func(*userpool.CreateClientInput)
	cfg    func(*userpool.Config)
}

const migrationARN = "arn:aws:lambda:us-east-1:000000000000:function:legacy"

func newFixture(t *testing.T, inv userpool.Invoker, o fixtureOpts) *fixture {
	t.Helper()
	st := memstore.New()
	var buf bytes.Buffer
	cfg := userpool.Config{Store: st, Keys: keys(t), IssuerBase: "http://127.0.0.1:9229", Region: "us-east-1",
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Resolver: func(arn string) (userpool.Invoker, error) {
			if arn != migrationARN {
				return nil, errors.New("no such function")
			}
			return inv, nil
		}}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	svc, err := userpool.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pin := userpool.CreatePoolInput{Name: "legacy", DefaultPolicy: true}
	pin.Settings.LambdaConfig.UserMigration = migrationARN
	if o.pool != nil {
		o.pool(&pin)
	}
	ctx := context.Background()
	p, err := svc.CreatePool(ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	cin := userpool.CreateClientInput{PoolID: p.Pool.ID, Name: "app", Settings: userpool.ClientSettings{
		ExplicitAuthFlows: []string{userpool.FlowUserPassword, userpool.FlowAdminUserPassword, userpool.FlowUserSRP, userpool.FlowRefresh}}}
	if o.client != nil {
		o.client(&cin)
	}
	c, err := svc.CreateClient(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, store: st, poolID: p.Pool.ID, clientID: c.Client.ID, log: &buf}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (f *fixture) signIn(ctx context.Context, username, password string) (*userpool.AuthResult, error) {
	return f.svc.InitiateAuth(ctx, userpool.AuthInput{ClientID: f.clientID, AuthFlow: "USER_PASSWORD_AUTH",
		Params: map[string]string{"USERNAME": username, "PASSWORD": password}, ClientMetadata: map[string]string{"app": "web"}})
}

func (f *fixture) user(t *testing.T, username string) *userpool.User {
	t.Helper()
	u, err := f.svc.AdminGetUser(context.Background(), f.poolID, username)
	if errors.Is(err, userpool.ErrUserNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// kindOf returns the outcome kind and message of a service error.
func kindOf(err error) (error, string) {
	var e *userpool.Error
	if errors.As(err, &e) {
		return e.Kind, e.Message
	}
	return err, ""
}

var confirmed = trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"},
	FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}

func TestMigrationOnSignIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		resp       func(context.Context, trigger.Event) ([]byte, error)
		preventErr bool
		wantKind   error
		wantMsg    string
		wantStatus string // "" = no user created
		wantCalls  int32
	}{
		{name: "confirmed user signs in", resp: answer(confirmed), wantStatus: "CONFIRMED", wantCalls: 1},
		{name: "reset required", resp: answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com"},
			FinalUserStatus: "RESET_REQUIRED", MessageAction: "SUPPRESS"}),
			wantKind: userpool.ErrPasswordResetRequired, wantMsg: "Password reset required for the user", wantStatus: "RESET_REQUIRED", wantCalls: 1},
		{name: "function error is final, not retried", resp: func(context.Context, trigger.Event) ([]byte, error) {
			return nil, &userpool.FunctionError{Type: "MigrationError", Message: "Bad password"}
		}, wantKind: userpool.ErrLambdaValidation, wantMsg: "UserMigration failed with error Bad password.", wantCalls: 1},
		{name: "empty response, legacy", resp: answer(trigger.Response{}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "User does not exist.", wantCalls: 1},
		{name: "empty response, existence errors prevented", resp: answer(trigger.Response{}), preventErr: true,
			wantKind: userpool.ErrNotAuthorized, wantMsg: "Incorrect username or password.", wantCalls: 1},
		{name: "unknown attribute", resp: answer(trigger.Response{UserAttributes: map[string]string{"shoe_size": "9"}, FinalUserStatus: "CONFIRMED"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.", wantCalls: 1},
		{name: "invalid finalUserStatus", resp: answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com"}, FinalUserStatus: "FORCE_CHANGE_PASSWORD"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Error during migration: finalUserStatus invalid", wantCalls: 1},
		{name: "invalid messageAction", resp: answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com"}, FinalUserStatus: "CONFIRMED", MessageAction: "SHOUT"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Error during migration: invalid messageAction", wantCalls: 1},
		{name: "invalid desiredDeliveryMediums", resp: answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com"}, FinalUserStatus: "CONFIRMED", DesiredDeliveryMediums: []string{"PIGEON"}}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Error during migration: invalid desiredDeliveryMediums", wantCalls: 1},
		{name: "sub is refused", resp: answer(trigger.Response{UserAttributes: map[string]string{"sub": "legacy-42"}, FinalUserStatus: "CONFIRMED"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)", wantCalls: 1},
		{name: "username differing from a plain typed name", resp: answer(trigger.Response{UserAttributes: map[string]string{"username": "other"}, FinalUserStatus: "CONFIRMED"}),
			wantKind: userpool.ErrUserNotFound, wantCalls: 1},
		{name: "custom attribute kept", resp: answer(trigger.Response{UserAttributes: map[string]string{"custom:legacy_id": "42"}, FinalUserStatus: "CONFIRMED"}),
			wantStatus: "CONFIRMED", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &fakeInvoker{InvokeFunc: tt.resp}
			f := newFixture(t, inv, fixtureOpts{
				pool: func(in *userpool.CreatePoolInput) {
					in.Schema = []userpool.SchemaAttribute{{Name: "legacy_id", AttributeDataType: "String", Mutable: true}}
				},
				client: func(in *userpool.CreateClientInput) {
					if tt.preventErr {
						in.Settings.PreventUserExistenceErrors = "ENABLED"
					}
				}})
			res, err := f.signIn(t.Context(), "ann", "Legacy-pass1")
			kind, msg := kindOf(err)
			if tt.wantKind == nil && err != nil || tt.wantKind != nil && !errors.Is(kind, tt.wantKind) {
				t.Fatalf("err = %v, want kind %v", err, tt.wantKind)
			}
			if tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("message = %q, want %q", msg, tt.wantMsg)
			}
			if got := inv.calls.Load(); got != tt.wantCalls {
				t.Errorf("invocations = %d, want %d", got, tt.wantCalls)
			}
			u := f.user(t, "ann")
			switch {
			case tt.wantStatus == "" && u != nil:
				t.Fatalf("user created (%s) by a failed migration", u.Status)
			case tt.wantStatus != "" && u == nil:
				t.Fatal("no user created")
			case u != nil:
				if u.Status != tt.wantStatus || u.Origin != "migration" {
					t.Errorf("status, origin = %s, %s; want %s, migration", u.Status, u.Origin, tt.wantStatus)
				}
			}
			if err != nil {
				return
			}
			if res.Tokens == nil || res.Tokens.AccessToken == "" {
				t.Fatalf("no tokens: %+v", res)
			}
			// The second sign-in is an ordinary one: no trigger, the
			// password just typed works, a wrong one does not.
			if _, err := f.signIn(t.Context(), "ann", "Legacy-pass1"); err != nil {
				t.Fatalf("second sign-in: %v", err)
			}
			if _, err := f.signIn(t.Context(), "ann", "wrong"); !errors.Is(err, userpool.ErrNotAuthorized) {
				t.Fatalf("wrong password after migration: %v", err)
			}
			if got := inv.calls.Load(); got != 1 {
				t.Errorf("invocations after later sign-ins = %d, want 1", got)
			}
		})
	}
}

func TestMigrationEventShape(t *testing.T) {
	t.Parallel()
	inv := &fakeInvoker{InvokeFunc: answer(confirmed)}
	f := newFixture(t, inv, fixtureOpts{})
	if _, err := f.signIn(t.Context(), "Ann", "Legacy-pass1"); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(inv.payloads[0], &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version": "1", "triggerSource": "UserMigration_Authentication", "region": "us-east-1",
		"userPoolId": f.poolID, "userName": "Ann",
		"callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": f.clientID},
		"request":       map[string]any{"password": "Legacy-pass1", "validationData": map[string]any{"app": "web"}},
		"response": map[string]any{"userAttributes": nil, "finalUserStatus": nil, "messageAction": nil,
			"desiredDeliveryMediums": nil, "forceAliasCreation": nil, "enableSMSMFA": nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("event (-want +got):\n%s", d)
	}

	// ForgotPassword: no password, ClientMetadata as clientMetadata.
	_, err := f.svc.ForgotPassword(t.Context(), userpool.ForgotPasswordInput{ClientID: f.clientID, Username: "zoe",
		ClientMetadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	var fp trigger.Event
	if err := json.Unmarshal(inv.payloads[1], &fp); err != nil {
		t.Fatal(err)
	}
	if fp.TriggerSource != trigger.SourceForgotPassword || fp.Request.Password != "" || fp.Request.ClientMetadata["k"] != "v" || fp.UserName != "zoe" {
		t.Errorf("forgot-password event = %+v", fp)
	}
	if strings.Contains(string(inv.payloads[1]), `"password"`) {
		t.Errorf("forgot-password event carries a password member: %s", inv.payloads[1])
	}
}

// statusError is an Invoke API failure with an HTTP status, shaped like the
// AWS SDK's response errors.
type statusError int

func (e statusError) Error() string       { return "invoke: http status " + strconv.Itoa(int(e)) }
func (e statusError) HTTPStatusCode() int { return int(e) }

func TestMigrationRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  int  // attempts that fail before one succeeds (3+ = never)
		stall     bool // fail by timing out rather than erroring
		status    int  // fail with this Invoke API status
		wantKind  error
		wantMsg   string
		wantCalls int32
	}{
		{name: "invoke failures then success", failures: 2, wantCalls: 3},
		{name: "timeout then success", failures: 1, stall: true, wantCalls: 2},
		{name: "three timeouts", failures: 3, stall: true, wantKind: userpool.ErrUnexpectedLambda,
			wantMsg: "UserMigration invocation failed due to error Socket timeout while invoking Lambda function.", wantCalls: 3},
		{name: "three invoke failures", failures: 3, wantKind: userpool.ErrUnexpectedLambda, wantCalls: 3},
		{name: "lambda 5xx is not retried", failures: 3, status: 502, wantKind: userpool.ErrUnexpectedLambda, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var n atomic.Int32
				inv := &fakeInvoker{InvokeFunc: func(ctx context.Context, ev trigger.Event) ([]byte, error) {
					if int(n.Add(1)) <= tt.failures {
						if tt.stall {
							<-ctx.Done() // a function that never answers in time
							return nil, ctx.Err()
						}
						if tt.status != 0 {
							return nil, statusError(tt.status)
						}
						return nil, errors.New("connection refused")
					}
					return answer(confirmed)(ctx, ev)
				}}
				f := newFixture(t, inv, fixtureOpts{})
				start := time.Now()
				_, err := f.signIn(t.Context(), "ann", "Legacy-pass1")
				kind, msg := kindOf(err)
				if tt.wantKind == nil && err != nil || tt.wantKind != nil && !errors.Is(kind, tt.wantKind) {
					t.Fatalf("err = %v, want %v", err, tt.wantKind)
				}
				if tt.wantMsg != "" && msg != tt.wantMsg {
					t.Errorf("message = %q", msg)
				}
				if got := inv.calls.Load(); got != tt.wantCalls {
					t.Errorf("attempts = %d, want %d", got, tt.wantCalls)
				}
				if tt.stall {
					want := time.Duration(min(tt.failures, 3)) * userpool.DefaultTriggerTimeout
					if got := time.Since(start); got != want {
						t.Errorf("elapsed = %v, want %v (5 s per attempt)", got, want)
					}
				}
				if u := f.user(t, "ann"); (u != nil) != (tt.wantKind == nil) {
					t.Errorf("user created = %v, want %v", u != nil, tt.wantKind == nil)
				}
			})
		})
	}
}

func TestMigrationConcurrentFirstSignIns(t *testing.T) {
	t.Parallel()
	release, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	inv := &fakeInvoker{InvokeFunc: func(ctx context.Context, ev trigger.Event) ([]byte, error) {
		once.Do(func() { close(started) })
		<-release
		return answer(confirmed)(ctx, ev)
	}}
	f := newFixture(t, inv, fixtureOpts{})
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := f.signIn(t.Context(), "ann", "Legacy-pass1")
			errs <- err
		})
	}
	// Hold the trigger until it has been reached, so the other sign-ins
	// arrive while the migration is in flight.
	<-started
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("sign-in: %v", err)
		}
	}
	if got := inv.calls.Load(); got != 1 {
		t.Errorf("invocations = %d, want 1", got)
	}
	n2, err := f.store.CountUsers(t.Context(), f.poolID)
	if err != nil || n2 != 1 {
		t.Fatalf("users = %d, %v; want 1", n2, err)
	}
}

func TestMigrationAliases(t *testing.T) {
	t.Parallel()
	aliasPool := func(in *userpool.CreatePoolInput) { in.Settings.AliasAttributes = []string{"email"} }
	ctx := context.Background()
	seedBob := func(t *testing.T, f *fixture) {
		t.Helper()
		if _, err := f.svc.AdminCreateUser(ctx, userpool.AdminCreateUserInput{PoolID: f.poolID, Username: "bob",
			Attributes: map[string]string{"email": "shared@example.com", "email_verified": "true"}, MessageAction: "SUPPRESS"}); err != nil {
			t.Fatal(err)
		}
	}
	resp := func(force bool) trigger.Response {
		return trigger.Response{UserAttributes: map[string]string{"email": "shared@example.com", "email_verified": "true"},
			FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", ForceAliasCreation: &force}
	}

	t.Run("alias held by another user is refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, &fakeInvoker{InvokeFunc: answer(resp(false))}, fixtureOpts{pool: aliasPool})
		seedBob(t, f)
		_, err := f.signIn(ctx, "ann", "Legacy-pass1")
		if !errors.Is(err, userpool.ErrAliasExists) {
			t.Fatalf("err = %v, want alias exists", err)
		}
		if f.user(t, "ann") != nil {
			t.Error("user created despite the alias conflict")
		}
	})
	t.Run("forceAliasCreation moves the alias", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, &fakeInvoker{InvokeFunc: answer(resp(true))}, fixtureOpts{pool: aliasPool})
		seedBob(t, f)
		if _, err := f.signIn(ctx, "ann", "Legacy-pass1"); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.AdminGetUser(ctx, f.poolID, "shared@example.com")
		if err != nil || got.Username != "ann" {
			t.Fatalf("alias resolves to %v, %v; want ann", got, err)
		}
	})
	t.Run("typed email in an alias pool needs a username", func(t *testing.T) {
		t.Parallel()
		inv := &fakeInvoker{InvokeFunc: answer(trigger.Response{UserAttributes: map[string]string{
			"username": "carol", "email": "carol@example.com", "email_verified": "true"}, FinalUserStatus: "CONFIRMED"})}
		f := newFixture(t, inv, fixtureOpts{pool: aliasPool})
		if _, err := f.signIn(ctx, "carol@example.com", "Legacy-pass1"); err != nil {
			t.Fatal(err)
		}
		if u := f.user(t, "carol"); u == nil || u.Attributes["email"] != "carol@example.com" {
			t.Fatalf("user = %+v", u)
		}
		if _, err := f.signIn(ctx, "carol@example.com", "Legacy-pass1"); err != nil || inv.calls.Load() != 1 {
			t.Fatalf("sign-in by alias: %v (calls %d)", err, inv.calls.Load())
		}
	})
	t.Run("typed email without a username is refused", func(t *testing.T) {
		t.Parallel()
		inv := &fakeInvoker{InvokeFunc: answer(trigger.Response{UserAttributes: map[string]string{
			"email": "dan@example.com", "email_verified": "true"}, FinalUserStatus: "CONFIRMED"})}
		f := newFixture(t, inv, fixtureOpts{pool: aliasPool})
		_, err := f.signIn(ctx, "dan@example.com", "Legacy-pass1")
		if _, msg := kindOf(err); !strings.Contains(msg, "email format") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("email as username gets a UUID username", func(t *testing.T) {
		t.Parallel()
		inv := &fakeInvoker{InvokeFunc: answer(trigger.Response{UserAttributes: map[string]string{"email_verified": "true"}, FinalUserStatus: "CONFIRMED"})}
		f := newFixture(t, inv, fixtureOpts{pool: func(in *userpool.CreatePoolInput) { in.Settings.UsernameAttributes = []string{"email"} }})
		res, err := f.signIn(ctx, "erin@example.com", "Legacy-pass1")
		if err != nil {
			t.Fatal(err)
		}
		u := f.user(t, "erin@example.com")
		if u == nil || u.Username != u.Sub || u.Attributes["email"] != "erin@example.com" || res.Tokens == nil {
			t.Fatalf("user = %+v", u)
		}
	})
}

func TestMigrationNotOnSRP(t *testing.T) {
	t.Parallel()
	for _, prevent := range []bool{false, true} {
		inv := &fakeInvoker{InvokeFunc: answer(confirmed)}
		f := newFixture(t, inv, fixtureOpts{client: func(in *userpool.CreateClientInput) {
			if prevent {
				in.Settings.PreventUserExistenceErrors = "ENABLED"
			}
		}})
		res, err := f.svc.InitiateAuth(t.Context(), userpool.AuthInput{ClientID: f.clientID, AuthFlow: "USER_SRP_AUTH",
			Params: map[string]string{"USERNAME": "ann", "SRP_A": "abcdef0123456789"}})
		switch {
		case !prevent && !errors.Is(err, userpool.ErrUserNotFound):
			t.Errorf("legacy: err = %v, want user not found", err)
		case prevent && (err != nil || res.ChallengeName != "PASSWORD_VERIFIER"):
			t.Errorf("prevented: %v, %+v; want a simulated challenge", err, res)
		}
		if inv.calls.Load() != 0 {
			t.Errorf("SRP ran the migration trigger")
		}
	}
}

func TestMigrationForgotPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("user created and code delivered", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, &fakeInvoker{InvokeFunc: answer(trigger.Response{UserAttributes: map[string]string{
			"email": "ann@example.com", "email_verified": "true"}, MessageAction: "SUPPRESS"})}, fixtureOpts{})
		d, err := f.svc.ForgotPassword(ctx, userpool.ForgotPasswordInput{ClientID: f.clientID, Username: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		if d.DeliveryMedium != "EMAIL" || d.Destination != "a***@e***" || d.AttributeName != "email" {
			t.Errorf("delivery = %+v", d)
		}
		if u := f.user(t, "ann"); u == nil || u.Status != "RESET_REQUIRED" || u.Password != nil {
			t.Fatalf("user = %+v", u)
		}
		msgs, err := f.store.ListMessages(ctx, f.poolID, 0, 10)
		if err != nil || len(msgs) != 1 || msgs[0].Kind != "reset" {
			t.Fatalf("outbox = %v, %v", msgs, err)
		}
		if err := f.svc.ConfirmForgotPassword(ctx, f.clientID, "", "ann", msgs[0].Code, "N3w-Password!"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.signIn(ctx, "ann", "N3w-Password!"); err != nil {
			t.Fatalf("sign-in with the new password: %v", err)
		}
	})
	t.Run("no verified channel", func(t *testing.T) {
		t.Parallel()
		for _, prevent := range []bool{false, true} {
			f := newFixture(t, &fakeInvoker{InvokeFunc: answer(trigger.Response{UserAttributes: map[string]string{
				"email": "ann@example.com"}})}, fixtureOpts{client: func(in *userpool.CreateClientInput) {
				if prevent {
					in.Settings.PreventUserExistenceErrors = "ENABLED"
				}
			}})
			d, err := f.svc.ForgotPassword(ctx, userpool.ForgotPasswordInput{ClientID: f.clientID, Username: "ann"})
			if prevent && (err != nil || d == nil) || !prevent && !errors.Is(err, userpool.ErrInvalidParameter) {
				t.Errorf("prevent=%v: %+v, %v", prevent, d, err)
			}
			if f.user(t, "ann") != nil {
				t.Errorf("prevent=%v: user created without a channel for the code", prevent)
			}
		}
	})
	t.Run("empty response", func(t *testing.T) {
		t.Parallel()
		for _, prevent := range []bool{false, true} {
			f := newFixture(t, &fakeInvoker{InvokeFunc: answer(trigger.Response{})}, fixtureOpts{client: func(in *userpool.CreateClientInput) {
				if prevent {
					in.Settings.PreventUserExistenceErrors = "ENABLED"
				}
			}})
			d, err := f.svc.ForgotPassword(ctx, userpool.ForgotPasswordInput{ClientID: f.clientID, Username: "ann@example.com"})
			if prevent && (err != nil || d.Destination != "a***@e***") {
				t.Errorf("prevented: %+v, %v; want a simulated delivery", d, err)
			}
			if _, msg := kindOf(err); !prevent && msg != "Username/client id combination not found." {
				t.Errorf("legacy: %v", err)
			}
			if msgs, _ := f.store.ListMessages(ctx, "", 0, 10); len(msgs) != 0 {
				t.Errorf("a simulated delivery stored messages: %v", msgs)
			}
		}
	})
}

func TestMigrationTriggerUnavailable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, fixtureOpts{pool: func(in *userpool.CreatePoolInput) {
		in.Settings.LambdaConfig.UserMigration = "arn:aws:lambda:us-east-1:000000000000:function:missing"
	}})
	_, err := f.signIn(t.Context(), "ann", "Legacy-pass1")
	if _, msg := kindOf(err); !errors.Is(err, userpool.ErrUserNotFound) || msg != "Exception migrating user in app client "+f.clientID {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrationNeverLogsPasswords(t *testing.T) {
	t.Parallel()
	const pw = "Sup3r-secret-legacy-pw"
	for _, resp := range []func(context.Context, trigger.Event) ([]byte, error){
		answer(confirmed),
		func(context.Context, trigger.Event) ([]byte, error) { return nil, errors.New("boom") },
		func(context.Context, trigger.Event) ([]byte, error) {
			return nil, &userpool.FunctionError{Type: "MigrationError", Message: "no"}
		},
	} {
		f := newFixture(t, &fakeInvoker{InvokeFunc: resp}, fixtureOpts{cfg: func(c *userpool.Config) { c.TriggerTimeout = time.Second }})
		_, _ = f.signIn(t.Context(), "ann", pw)
		_, _ = f.signIn(t.Context(), "ann", pw+"x")
		if strings.Contains(f.log.String(), pw) {
			t.Fatalf("log holds the password:\n%s", f.log.String())
		}
		if f.log.Len() == 0 {
			t.Fatal("nothing logged at debug level")
		}
	}
}

func TestMigrationWelcomeMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		action   string
		mediums  []string
		wantSent int
	}{
		{name: "suppressed", action: "SUPPRESS"},
		{name: "sent by email", mediums: []string{"EMAIL"}, wantSent: 1},
		{name: "default medium is SMS, and there is no phone", wantSent: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := confirmed
			resp.MessageAction, resp.DesiredDeliveryMediums = tt.action, tt.mediums
			f := newFixture(t, &fakeInvoker{InvokeFunc: answer(resp)}, fixtureOpts{})
			if _, err := f.signIn(t.Context(), "ann", "Legacy-pass1"); err != nil {
				t.Fatal(err)
			}
			msgs, err := f.store.ListMessages(t.Context(), f.poolID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != tt.wantSent {
				t.Fatalf("%d messages, want %d: %+v", len(msgs), tt.wantSent, msgs)
			}
			for _, m := range msgs {
				if m.Kind != "invitation" || m.Code != "" || !strings.Contains(m.Body, "ann") {
					t.Errorf("message = %+v", m)
				}
			}
		})
	}
}
