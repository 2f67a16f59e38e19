package userpool_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// invokeAPI serves answer for every function behind the Lambda Invoke API
// (POST /2015-03-31/functions/<name>/invocations), as a function written in
// any language would, and returns an Invoker that reaches it over HTTP.
func invokeAPI(t *testing.T, resp trigger.Response) userpool.Invoker {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		var ev trigger.Event
		if err == nil {
			err = json.Unmarshal(body, &ev)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ev.Response = resp
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(ev)
	}))
	t.Cleanup(srv.Close)
	inv, err := lambdainvoke.NewHTTP(srv.URL, migrationARN)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestMigrationAnswerChecked: the pool applies Cognito's rules for a
// migration answer to any function's answer, in-process or over the Invoke
// API, fails as Cognito fails, and creates no user for a refused answer.
func TestMigrationAnswerChecked(t *testing.T) {
	t.Parallel()
	ok := func(attrs map[string]string) trigger.Response {
		return trigger.Response{UserAttributes: attrs, FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}
	}
	tests := []struct {
		name     string
		typed    string
		resp     trigger.Response
		required bool // the pool requires email
		wantKind error
		wantMsg  string
	}{
		{name: "valid answer", typed: "ann", resp: ok(map[string]string{"email": "ann@example.com", "email_verified": "true", "custom:legacy_id": "42"})},
		{name: "username with a space", typed: "ann smith", resp: ok(map[string]string{"email": "ann@example.com"}),
			wantKind: userpool.ErrInvalidParameter,
			wantMsg:  `1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
		{name: "phone number not in E.164", typed: "ann", resp: ok(map[string]string{"phone_number": "555-0100"}),
			wantKind: userpool.ErrInvalidParameter, wantMsg: "Invalid phone number format."},
		{name: "phone number with spaces", typed: "ann", resp: ok(map[string]string{"phone_number": "+1 202 555 0100"}),
			wantKind: userpool.ErrInvalidParameter, wantMsg: "Invalid phone number format."},
		{name: "malformed email", typed: "ann", resp: ok(map[string]string{"email": "ann at example.com"}),
			wantKind: userpool.ErrInvalidParameter, wantMsg: "Invalid email address format."},
		{name: "verification flag not a boolean", typed: "ann", resp: ok(map[string]string{"email": "ann@example.com", "email_verified": "yes"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: email_verified: Attribute value must be true or false."},
		{name: "undeclared custom attribute", typed: "ann", resp: ok(map[string]string{"email": "ann@example.com", "custom:shoe": "9"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: custom:shoe: Attribute does not exist in the schema."},
		{name: "custom value over its declared length", typed: "ann", resp: ok(map[string]string{"custom:legacy_id": "123456789"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: custom:legacy_id: String is too long."},
		{name: "required attribute missing", typed: "ann", required: true, resp: ok(map[string]string{"custom:legacy_id": "42"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "Attributes did not conform to the schema: email: The attribute email is required"},
		{name: "only empty values: no user", typed: "ann", resp: ok(map[string]string{"email": "", "given_name": ""}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "User does not exist."},
		{name: "a username alone: no user", typed: "ann", resp: ok(map[string]string{"username": "ann"}),
			wantKind: userpool.ErrUserNotFound, wantMsg: "User does not exist."},
	}
	for _, tt := range tests {
		for _, via := range []string{"in-process", "invoke-api"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				t.Parallel()
				var inv userpool.Invoker = &fakeInvoker{InvokeFunc: answer(tt.resp)}
				if via == "invoke-api" {
					inv = invokeAPI(t, tt.resp)
				}
				f := newFixture(t, inv, fixtureOpts{pool: func(in *userpool.CreatePoolInput) {
					in.Schema = []userpool.SchemaAttribute{{Name: "legacy_id", AttributeDataType: "String", Mutable: true,
						StringAttributeConstraints: &userpool.StringConstraints{MaxLength: "5"}}}
					if tt.required {
						in.Schema = append(in.Schema, userpool.SchemaAttribute{Name: "email", AttributeDataType: "String", Required: true, Mutable: true})
					}
				}})
				_, err := f.signIn(t.Context(), tt.typed, "Legacy-pass1")
				kind, msg := kindOf(err)
				if tt.wantKind == nil {
					if err != nil {
						t.Fatalf("sign-in: %v", err)
					}
					if f.user(t, tt.typed) == nil {
						t.Fatal("no user created for a valid answer")
					}
					return
				}
				if !errors.Is(kind, tt.wantKind) || msg != tt.wantMsg {
					t.Errorf("err = %v (%q), want %v %q", kind, msg, tt.wantKind, tt.wantMsg)
				}
				users, _, err := f.svc.ListUsers(t.Context(), f.poolID, "", 60, "")
				if err != nil {
					t.Fatal(err)
				}
				if len(users) != 0 {
					t.Errorf("the pool holds %d users after a refused answer", len(users))
				}
			})
		}
	}
}

// committingInvoker is an Invoker that is also a userpool.Committer.
type committingInvoker struct {
	*fakeInvoker
	mu        sync.Mutex
	committed []string
}

func (c *committingInvoker) Committed(_ context.Context, userName string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.committed = append(c.committed, userName)
}

// TestMigrationCommitted: the pool tells a Committer trigger about a user
// once it is stored, and never about an answer it refused.
func TestMigrationCommitted(t *testing.T) {
	t.Parallel()
	good := trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"}, FinalUserStatus: "CONFIRMED"}
	bad := trigger.Response{UserAttributes: map[string]string{"phone_number": "555-0100"}, FinalUserStatus: "CONFIRMED"}
	for _, tt := range []struct {
		name string
		resp trigger.Response
		want []string
	}{
		{name: "stored", resp: good, want: []string{"ann"}},
		{name: "refused", resp: bad, want: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &committingInvoker{fakeInvoker: &fakeInvoker{InvokeFunc: answer(tt.resp)}}
			f := newFixture(t, inv, fixtureOpts{})
			_, _ = f.signIn(t.Context(), "ann", "Legacy-pass1")
			inv.mu.Lock()
			defer inv.mu.Unlock()
			if !slices.Equal(inv.committed, tt.want) {
				t.Errorf("Committed calls %q, want %q", inv.committed, tt.want)
			}
		})
	}
}
