package lambdainvoke_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

func TestInProcess(t *testing.T) {
	t.Parallel()
	inv := lambdainvoke.InProcess(lambdainvoketest.Migrate)
	tests := []struct {
		name    string
		payload string
		want    string // JSON answer, when the function succeeds
		wantErr *userpool.FunctionError
	}{
		{
			name:    "success",
			payload: `{"userName":"alice","request":{"password":"right"},"response":{}}`,
			want:    `{"userName":"alice","request":{"password":"right"},"response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name:    "typed error is named after its type",
			payload: `{"userName":"alice","request":{"password":"wrong"}}`,
			wantErr: &userpool.FunctionError{Type: "MigrationError", Message: "Incorrect username or password."},
		},
		{
			name:    "errors.New is an errorString",
			payload: `{"userName":"plain"}`,
			wantErr: &userpool.FunctionError{Type: "errorString", Message: "plain failure"},
		},
		{
			name:    "runtime error response keeps its type",
			payload: `{"userName":"runtime"}`,
			wantErr: &userpool.FunctionError{Type: "Custom.Type", Message: "custom message"},
		},
		{
			name:    "panic is a function error",
			payload: `{"userName":"panic"}`,
			wantErr: &userpool.FunctionError{Type: "string", Message: "handler exploded"},
		},
		{
			name:    "payload that is not the event type",
			payload: `{"userName":42}`,
			wantErr: &userpool.FunctionError{Type: "UnmarshalTypeError"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := inv.Invoke(t.Context(), []byte(tt.payload))
			if tt.wantErr != nil {
				fe, ok := errors.AsType[*userpool.FunctionError](err)
				if !ok {
					t.Fatalf("Invoke error = %v, want a *userpool.FunctionError", err)
				}
				if tt.wantErr.Message == "" { // only the type is stable
					fe = &userpool.FunctionError{Type: fe.Type}
				}
				if diff := cmp.Diff(tt.wantErr, fe); diff != "" {
					t.Errorf("function error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			lambdainvoketest.AssertJSONEqual(t, tt.want, out)
		})
	}
}

func TestInProcessCancelledIsNotAFunctionError(t *testing.T) {
	t.Parallel()
	inv := lambdainvoke.InProcess(func(ctx context.Context, _ json.RawMessage) (json.RawMessage, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := inv.Invoke(ctx, []byte(`{}`))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error = %v, want context.Canceled", err)
	}
	if _, ok := errors.AsType[*userpool.FunctionError](err); ok {
		t.Errorf("a function that did not answer must not be a function error: %v", err)
	}
}

// Each in-process invocation carries a Lambda context with its own request
// id, as the runtime provides, and one the caller set is kept.
func TestInProcessRequestID(t *testing.T) {
	t.Parallel()
	var seen []string
	inv := lambdainvoke.InProcess(func(ctx context.Context, ev lambdainvoketest.Event) (lambdainvoketest.Event, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok {
			return ev, errors.New("no lambda context")
		}
		seen = append(seen, lc.AwsRequestID)
		return ev, nil
	})
	for range 2 {
		if _, err := inv.Invoke(t.Context(), []byte(`{"userName":"x"}`)); err != nil {
			t.Fatal(err)
		}
	}
	given := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "given-id"})
	if _, err := inv.Invoke(given, []byte(`{"userName":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] == "" || seen[0] == seen[1] || seen[2] != "given-id" {
		t.Errorf("request ids = %q, want two distinct fresh ids then given-id", seen)
	}
}
