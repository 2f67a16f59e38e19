package lambdainvoke_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// newServer serves migrate as "legacy-migrate" on 127.0.0.1.
func newServer(t *testing.T, opts ...lambdainvoketest.ServerOption) (*lambdainvoketest.Server, *httptest.Server) {
	t.Helper()
	s := lambdainvoketest.NewServer(slog.New(slog.DiscardHandler), opts...)
	s.Handle("legacy-migrate", lambdainvoketest.Migrate)
	hs := httptest.NewServer(s) // httptest listens on 127.0.0.1
	t.Cleanup(hs.Close)
	return s, hs
}

func newHTTP(t *testing.T, endpoint, fn string, opts ...lambdainvoke.HTTPOption) *lambdainvoke.HTTP {
	t.Helper()
	h, err := lambdainvoke.NewHTTP(endpoint, fn, opts...)
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	return h
}

// TestHTTPThroughServer drives the aws-sdk-go-v2 Lambda client against
// Server, both over real HTTP on loopback.
func TestHTTPThroughServer(t *testing.T) {
	t.Parallel()
	srv, hs := newServer(t)
	tests := []struct {
		name     string
		function string
		opts     []lambdainvoke.HTTPOption
		payload  string
		want     string
		wantErr  *userpool.FunctionError
	}{
		{
			name:     "by name",
			function: "legacy-migrate",
			payload:  `{"userName":"alice","request":{"password":"right"}}`,
			want:     `{"userName":"alice","request":{"password":"right"},"response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name:     "by full ARN",
			function: srv.ARN("legacy-migrate"),
			payload:  `{"userName":"alice","request":{"password":"right"}}`,
			want:     `{"userName":"alice","request":{"password":"right"},"response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name:     "by name with $LATEST qualifier",
			function: "legacy-migrate:$LATEST",
			payload:  `{"userName":"alice","request":{"password":"right"}}`,
			want:     `{"userName":"alice","request":{"password":"right"},"response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name:     "function error",
			function: "legacy-migrate",
			payload:  `{"userName":"alice","request":{"password":"wrong"}}`,
			wantErr:  &userpool.FunctionError{Type: "MigrationError", Message: "Incorrect username or password."},
		},
		{
			name:     "panic",
			function: "legacy-migrate",
			payload:  `{"userName":"panic"}`,
			wantErr:  &userpool.FunctionError{Type: "string", Message: "handler exploded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := newHTTP(t, hs.URL, tt.function, tt.opts...).Invoke(t.Context(), []byte(tt.payload))
			if tt.wantErr != nil {
				fe, ok := errors.AsType[*userpool.FunctionError](err)
				if !ok {
					t.Fatalf("Invoke error = %v, want a *userpool.FunctionError", err)
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

// TestHTTPAnswers checks how raw Invoke API answers are read: the bodies
// here are what Lambda, aws-lambda-rie and broken servers send.
func TestHTTPAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      string
		wantFE    *userpool.FunctionError
		wantPlain bool // an error that is not a function error
	}{
		{
			name: "answer", status: 200,
			body: `{"userName":"a","response":{"finalUserStatus":"CONFIRMED"}}`,
			want: `{"userName":"a","response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name: "answer that mentions errorMessage among event keys", status: 200,
			body: `{"userName":"a","errorMessage":"x","response":{}}`,
			want: `{"userName":"a","errorMessage":"x","response":{}}`,
		},
		{
			name: "function error header", status: 200,
			header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body:   `{"errorMessage":"Bad password","errorType":"Error","stackTrace":["at x"]}`,
			wantFE: &userpool.FunctionError{Type: "Error", Message: "Bad password"},
		},
		{
			name: "handled function error without type", status: 200,
			header: map[string]string{"X-Amz-Function-Error": "Handled"},
			body:   `{"errorMessage":"nope"}`,
			wantFE: &userpool.FunctionError{Type: "Handled", Message: "nope"},
		},
		{
			name: "function error header with a non-JSON body", status: 200,
			header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body:   "Runtime exited\n",
			wantFE: &userpool.FunctionError{Type: "Unhandled", Message: "Runtime exited"},
		},
		{
			name: "aws-lambda-rie error without header", status: 200,
			body:   `{"errorMessage":"Bad password","errorType":"errorString"}`,
			wantFE: &userpool.FunctionError{Type: "errorString", Message: "Bad password"},
		},
		{
			name: "python runtime error without header", status: 200,
			body:   `{"errorMessage":"boom","errorType":"Exception","requestId":"r","stackTrace":[]}`,
			wantFE: &userpool.FunctionError{Type: "Exception", Message: "boom"},
		},
		{
			name: "service fault", status: 503,
			header:    map[string]string{"X-Amzn-Errortype": "ServiceException"},
			body:      `{"Type":"Service","message":"unavailable"}`,
			wantPlain: true,
		},
		{
			name: "bare 500", status: 500, body: "oops", wantPlain: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var gotPath, gotType, gotAuth string
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				gotPath, gotType, gotAuth = r.URL.EscapedPath(), r.Header.Get("X-Amz-Invocation-Type"), r.Header.Get("Authorization")
				_, _ = io.Copy(io.Discard, r.Body)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(hs.Close)
			out, err := newHTTP(t, hs.URL, "fn").Invoke(t.Context(), []byte(`{"userName":"a"}`))

			if gotPath != "/2015-03-31/functions/fn/invocations" || gotType != "RequestResponse" || gotAuth == "" {
				t.Errorf("request: path %q, invocation type %q, authorization %q; want the Invoke API path, RequestResponse, signed",
					gotPath, gotType, gotAuth)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("server saw %d requests, want 1: retries are the pool's decision", n)
			}
			fe, isFE := errors.AsType[*userpool.FunctionError](err)
			switch {
			case tt.wantFE != nil:
				if !isFE {
					t.Fatalf("Invoke error = %v, want a function error", err)
				}
				if diff := cmp.Diff(tt.wantFE, fe); diff != "" {
					t.Errorf("function error (-want +got):\n%s", diff)
				}
			case tt.wantPlain:
				if err == nil || isFE {
					t.Fatalf("Invoke error = %v, want a plain error", err)
				}
			default:
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				lambdainvoketest.AssertJSONEqual(t, tt.want, out)
			}
		})
	}
}

func TestHTTPUnknownFunction(t *testing.T) {
	t.Parallel()
	_, hs := newServer(t)
	_, err := newHTTP(t, hs.URL, "nobody").Invoke(t.Context(), []byte(`{}`))
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Fatalf("Invoke error = %v, want ResourceNotFoundException", err)
	}
	if _, ok := errors.AsType[*userpool.FunctionError](err); ok {
		t.Errorf("a missing function is not a function error: %v", err)
	}
}

func TestHTTPNetworkAndDeadline(t *testing.T) {
	t.Parallel()
	stuck := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(stuck) }) // runs first: Close waits for the handler
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name     string
		endpoint string
		timeout  time.Duration
		wantIs   error
	}{
		{name: "connection refused", endpoint: closedURL, timeout: 5 * time.Second},
		{name: "deadline", endpoint: slow.URL, timeout: 100 * time.Millisecond, wantIs: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			_, err := newHTTP(t, tt.endpoint, "fn").Invoke(ctx, []byte(`{}`))
			if err == nil {
				t.Fatal("Invoke succeeded, want an error")
			}
			if _, ok := errors.AsType[*userpool.FunctionError](err); ok {
				t.Errorf("Invoke error = %v, must not be a function error", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Invoke error = %v, want errors.Is %v", err, tt.wantIs)
			}
		})
	}
}

func TestNewHTTPEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, endpoint, fn string
	}{
		{"relative", "127.0.0.1:3001", "fn"},
		{"other scheme", "ftp://127.0.0.1", "fn"},
		{"no host", "http://", "fn"},
		{"unparsable", "http://[::1", "fn"},
		{"no function", "http://127.0.0.1:3001", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := lambdainvoke.NewHTTP(tt.endpoint, tt.fn); !errors.Is(err, lambdainvoke.ErrEndpoint) {
				t.Errorf("NewHTTP(%q, %q) error = %v, want ErrEndpoint", tt.endpoint, tt.fn, err)
			}
		})
	}
}
