package trigger_test

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// memSource is a two-user legacy directory; "broken" is a user whose
// stored hash is malformed, a fault.
type memSource struct{}

var memUsers = map[string]struct {
	u        source.User
	password string
}{
	"alice": {password: "Corr3ct-horse", u: source.User{
		ID: "17", Username: "alice", Email: "alice@example.com", EmailVerified: true,
		Attributes: map[string]string{"given_name": "Alice", "custom:legacy_id": "17"}, HashFamily: "bcrypt",
	}},
	"carol": {password: "Corr3ct-horse", u: source.User{ID: "18", Username: "carol", Email: "carol@example.com"}},
}

func (memSource) find(name string) (source.User, string, bool) {
	if u, ok := memUsers[name]; ok {
		return u.u, u.password, true
	}
	for _, u := range memUsers {
		if u.u.Email == name {
			return u.u, u.password, true
		}
	}
	return source.User{}, "", false
}

func (s memSource) Authenticate(_ context.Context, name, password string) (*source.User, error) {
	if name == "broken" {
		return nil, &source.Error{Source: "mem", Op: "authenticate", Err: errors.New("malformed hash")}
	}
	u, pw, ok := s.find(name)
	if !ok {
		subtle.ConstantTimeCompare([]byte("dummy"), []byte(password))
		return nil, source.ErrUserNotFound
	}
	if password == "" || subtle.ConstantTimeCompare([]byte(pw), []byte(password)) != 1 {
		return nil, source.ErrInvalidPassword
	}
	return &u, nil
}

func (s memSource) Lookup(_ context.Context, name string) (*source.User, error) {
	u, _, ok := s.find(name)
	if !ok {
		return nil, source.ErrUserNotFound
	}
	return &u, nil
}

func newHandler(t *testing.T, style trigger.FailureStyle, p migration.Policy, logger *slog.Logger) *trigger.Handler {
	t.Helper()
	m, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "mem", Source: memSource{}}}, Policy: p, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := trigger.New(m, trigger.Options{FailureStyle: style, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// runtimeError is the body the Lambda runtime reports for a failed invocation.
type runtimeError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// invoke drives h exactly as the Lambda runtime does and returns the
// response body, or the runtime's error body.
func invoke(t *testing.T, h *trigger.Handler, payload []byte) ([]byte, error) {
	t.Helper()
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	out, err := lambda.NewHandler(h.Handle).Invoke(ctx, payload)
	if err != nil {
		body, mErr := json.MarshalIndent(runtimeError{ErrorType: errorType(err), ErrorMessage: err.Error()}, "", "  ")
		if mErr != nil {
			t.Fatal(mErr)
		}
		return append(body, '\n'), err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

// errorType names err's type as the Lambda runtime does.
func errorType(err error) string {
	// The runtime names the outer type only, so a type assertion (not
	// errors.As) is what tells the truth here.
	if _, ok := err.(*trigger.MigrationError); ok {
		return "MigrationError"
	}
	return "other"
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		style  trigger.FailureStyle
		policy migration.Policy
		fails  bool
	}{
		{name: "auth-ok", style: trigger.FailError},
		{name: "auth-wrong-password", style: trigger.FailError, fails: true},
		{name: "auth-wrong-password-empty", style: trigger.FailEmpty},
		{name: "auth-unknown-user", style: trigger.FailError, fails: true},
		{name: "auth-email-alias", style: trigger.FailError, policy: migration.Policy{
			UsernameCase: migration.FoldLower, PoolMode: migration.PoolAlias, PoolCaseSensitive: new(false), EnableSMSMFA: true,
		}},
		{name: "auth-fault-empty", style: trigger.FailEmpty, fails: true},
		{name: "forgot-ok", style: trigger.FailError},
		{name: "forgot-unverified", style: trigger.FailError},
		{name: "forgot-unknown", style: trigger.FailError},
		{name: "wrong-trigger", style: trigger.FailError, fails: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, err := os.ReadFile(filepath.Join("testdata", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := invoke(t, newHandler(t, tc.style, tc.policy, nil), in)
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v, want failure %v", err, tc.fails)
			}
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("answer (-golden +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTripAWSLambdaGo checks Event against aws-lambda-go's own sample
// and type: what one decodes, the other encodes back identically.
func TestRoundTripAWSLambdaGo(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/aws-lambda-go-migrateuser.json")
	if err != nil {
		t.Fatal(err)
	}
	var ours trigger.Event
	if err := json.Unmarshal(raw, &ours); err != nil {
		t.Fatal(err)
	}
	var theirs events.CognitoEventUserPoolsMigrateUser
	if err := json.Unmarshal(raw, &theirs); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"version", ours.Version, theirs.Version},
		{"triggerSource", ours.TriggerSource, theirs.TriggerSource},
		{"region", ours.Region, theirs.Region},
		{"userPoolId", ours.UserPoolID, theirs.UserPoolID},
		{"userName", ours.UserName, theirs.UserName},
		{"callerContext", [2]string{ours.CallerContext.AWSSDKVersion, ours.CallerContext.ClientID}, [2]string{theirs.CallerContext.AWSSDKVersion, theirs.CallerContext.ClientID}},
		{"password", ours.Request.Password, theirs.Password},
		{"validationData", ours.Request.ValidationData, theirs.ValidationData},
		{"clientMetadata", ours.Request.ClientMetadata, theirs.ClientMetadata},
		{"userAttributes", ours.Response.UserAttributes, theirs.UserAttributes},
		{"finalUserStatus", ours.Response.FinalUserStatus, theirs.FinalUserStatus},
		{"messageAction", ours.Response.MessageAction, theirs.MessageAction},
		{"desiredDeliveryMediums", ours.Response.DesiredDeliveryMediums, theirs.DesiredDeliveryMediums},
		{"forceAliasCreation", *ours.Response.ForceAliasCreation, theirs.ForceAliasCreation},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-aws-lambda-go +ours):\n%s", c.name, diff)
		}
	}

	// Ours re-encoded decodes into theirs unchanged, and vice versa.
	b, err := json.Marshal(ours)
	if err != nil {
		t.Fatal(err)
	}
	var back events.CognitoEventUserPoolsMigrateUser
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(theirs, back); diff != "" {
		t.Errorf("ours → aws-lambda-go (-want +got):\n%s", diff)
	}
	b, err = json.Marshal(theirs)
	if err != nil {
		t.Fatal(err)
	}
	var ours2 trigger.Event
	if err := json.Unmarshal(b, &ours2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ours, ours2); diff != "" {
		t.Errorf("aws-lambda-go → ours (-want +got):\n%s", diff)
	}
}

func TestErrorShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		style   trigger.FailureStyle
		payload string
		wantIs  error
	}{
		{name: "unknown trigger source", payload: `{"triggerSource":"PreSignUp_SignUp","userName":"alice"}`, wantIs: trigger.ErrUnknownTriggerSource},
		{name: "missing trigger source", payload: `{"userName":"alice"}`, wantIs: trigger.ErrUnknownTriggerSource},
		{name: "empty userName", payload: `{"triggerSource":"UserMigration_Authentication","request":{"password":"x"}}`, wantIs: trigger.ErrMalformedEvent},
		{name: "not JSON", payload: `{"triggerSource":`, wantIs: trigger.ErrMalformedEvent},
		{name: "wrong JSON types", payload: `{"triggerSource":"UserMigration_Authentication","userName":7}`, wantIs: trigger.ErrMalformedEvent},
		{name: "wrong password", payload: `{"triggerSource":"UserMigration_Authentication","userName":"alice","request":{"password":"x"}}`, wantIs: migration.ErrNotMigrated},
		{name: "fault in empty style", style: trigger.FailEmpty, payload: `{"triggerSource":"UserMigration_Authentication","userName":"broken","request":{"password":"x"}}`, wantIs: &migration.Fault{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHandler(t, tc.style, migration.Policy{}, nil)
			_, err := h.Invoke(t.Context(), []byte(tc.payload))
			if errorType(err) != "MigrationError" {
				t.Fatalf("err = %T %v, want *trigger.MigrationError", err, err)
			}
			if err.Error() != "User migration failed" {
				t.Errorf("message = %q", err.Error())
			}
			var f *migration.Fault
			if _, isFault := tc.wantIs.(*migration.Fault); isFault {
				if !errors.As(err, &f) {
					t.Errorf("cause %v is not a fault", errors.Unwrap(err))
				}
			} else if !errors.Is(err, tc.wantIs) {
				t.Errorf("cause = %v, want %v", errors.Unwrap(err), tc.wantIs)
			}
		})
	}
}

func TestInvokeMatchesHandle(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/auth-ok.json")
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, trigger.FailError, migration.Policy{}, nil)
	viaInvoke, err := h.Invoke(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	viaHandle, err := lambda.NewHandler(h.Handle).Invoke(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaInvoke, viaHandle) {
		t.Errorf("Invoke and Handle differ:\n%s\n%s", viaInvoke, viaHandle)
	}
}

func TestNewRejectsUnknownStyle(t *testing.T) {
	t.Parallel()
	if _, err := trigger.New(nil, trigger.Options{FailureStyle: "silent"}); err == nil {
		t.Error("no error")
	}
}

// TestDebugLogsNeverHoldThePassword logs whole events at debug level, on
// every path, and looks for the password in the output.
func TestDebugLogsNeverHoldThePassword(t *testing.T) {
	t.Parallel()
	const password = "Corr3ct-horse"
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, style := range []trigger.FailureStyle{trigger.FailError, trigger.FailEmpty} {
		h := newHandler(t, style, migration.Policy{}, logger)
		for _, name := range []string{"alice", "mallory", "broken"} {
			ev := trigger.Event{
				TriggerSource: trigger.SourceAuthentication, UserName: name,
				Request: trigger.Request{Password: password, ValidationData: map[string]string{"k": "v"}},
			}
			_, _ = h.Handle(t.Context(), ev)
			logger.Debug("whole event", "event", ev)
		}
		payload := `{"triggerSource":"UserMigration_Authentication","userName":"alice","request":{"password":"` + password + `"}`
		_, _ = h.Invoke(t.Context(), []byte(payload)) // truncated JSON
	}
	out := logs.String()
	if !strings.Contains(out, `"password":"[REDACTED]"`) {
		t.Errorf("no redacted event logged:\n%s", out)
	}
	if strings.Contains(out, password) {
		t.Fatalf("password in logs:\n%s", out)
	}
}
