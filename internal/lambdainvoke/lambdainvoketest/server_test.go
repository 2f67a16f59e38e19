package lambdainvoketest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

func post(t *testing.T, url string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// newServer serves Migrate as "legacy-migrate" on 127.0.0.1.
func newServer(t *testing.T, opts ...ServerOption) (*Server, *httptest.Server) {
	t.Helper()
	s := NewServer(slog.New(slog.DiscardHandler), opts...)
	s.Handle("legacy-migrate", Migrate)
	hs := httptest.NewServer(s) // httptest listens on 127.0.0.1
	t.Cleanup(hs.Close)
	return s, hs
}

// newHTTP is the Invoke API client of fn at endpoint.
func newHTTP(t *testing.T, endpoint, fn string) *lambdainvoke.HTTP {
	t.Helper()
	h, err := lambdainvoke.NewHTTP(endpoint, fn)
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	return h
}

// TestServerWire checks the raw answers, status codes and headers, as any
// client of the Lambda Invoke API sees them.
func TestServerWire(t *testing.T) {
	t.Parallel()
	_, hs := newServer(t)
	const path = "/2015-03-31/functions/legacy-migrate/invocations"
	tests := []struct {
		name       string
		path       string
		header     map[string]string
		body       []byte
		wantStatus int
		wantHeader map[string]string
		wantBody   string
	}{
		{
			name: "answer", path: path,
			body:       []byte(`{"userName":"alice","request":{"password":"right"}}`),
			wantStatus: 200,
			wantHeader: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Function-Error": "", "Content-Type": "application/json"},
			wantBody:   `{"userName":"alice","request":{"password":"right"},"response":{"finalUserStatus":"CONFIRMED"}}`,
		},
		{
			name: "function error", path: path,
			body:       []byte(`{"userName":"bob"}`),
			wantStatus: 200,
			wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST"},
			wantBody:   `{"errorMessage":"Incorrect username or password.","errorType":"MigrationError"}`,
		},
		{
			name: "partial ARN with qualifier", path: "/2015-03-31/functions/000000000000:function:legacy-migrate:$LATEST/invocations",
			body:       []byte(`{"userName":"bob"}`),
			wantStatus: 200,
			wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"},
		},
		{
			name: "empty payload is an empty event", path: path,
			wantStatus: 200,
			wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			wantBody:   `{"errorMessage":"Incorrect username or password.","errorType":"MigrationError"}`,
		},
		{
			name: "unknown function", path: "/2015-03-31/functions/nobody/invocations",
			body:       []byte(`{}`),
			wantStatus: 404,
			wantHeader: map[string]string{"X-Amzn-Errortype": "ResourceNotFoundException"},
			wantBody:   `{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody"}`,
		},
		{
			name: "unknown version", path: path + "?Qualifier=7",
			body:       []byte(`{}`),
			wantStatus: 404,
			wantHeader: map[string]string{"X-Amzn-Errortype": "ResourceNotFoundException"},
		},
		{
			name: "not JSON", path: path,
			body:       []byte(`{"userName":`),
			wantStatus: 400,
			wantHeader: map[string]string{"X-Amzn-Errortype": "InvalidRequestContentException"},
		},
		{
			name: "too large", path: path,
			body:       bytes.Repeat([]byte(" "), MaxPayload+1),
			wantStatus: 413,
			wantHeader: map[string]string{"X-Amzn-Errortype": "RequestTooLargeException"},
		},
		{
			name: "dry run", path: path,
			header:     map[string]string{"X-Amz-Invocation-Type": "DryRun"},
			wantStatus: 204,
		},
		{
			name: "asynchronous invocation is refused", path: path,
			header:     map[string]string{"X-Amz-Invocation-Type": "Event"},
			body:       []byte(`{}`),
			wantStatus: 400,
			wantHeader: map[string]string{"X-Amzn-Errortype": "InvalidParameterValueException"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := post(t, hs.URL+tt.path, tt.header, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Error("no X-Amzn-RequestId")
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody != "" {
				AssertJSONEqual(t, tt.wantBody, body)
			}
		})
	}
}

func TestServerLambdaContext(t *testing.T) {
	t.Parallel()
	s := NewServer(slog.New(slog.DiscardHandler), WithServerRegion("eu-west-1", "123456789012"))
	s.Handle("ctx", func(ctx context.Context) (map[string]any, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok {
			return nil, errors.New("no lambda context")
		}
		_, hasDeadline := ctx.Deadline()
		return map[string]any{"requestId": lc.AwsRequestID, "arn": lc.InvokedFunctionArn, "deadline": hasDeadline}, nil
	})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	resp, body := post(t, hs.URL+"/2015-03-31/functions/ctx/invocations", nil, []byte(`{}`))
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	want := map[string]any{
		"requestId": resp.Header.Get("X-Amzn-Requestid"),
		"arn":       "arn:aws:lambda:eu-west-1:123456789012:function:ctx",
		"deadline":  true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lambda context (-want +got):\n%s", diff)
	}
}

func TestServerTimeout(t *testing.T) {
	t.Parallel()
	s := NewServer(slog.New(slog.DiscardHandler), WithFunctionTimeout(50*time.Millisecond))
	s.Handle("slow", func(ctx context.Context) error {
		<-ctx.Done() // a well-behaved function stops at its deadline
		return nil
	})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	_, err := newHTTP(t, hs.URL, "slow").Invoke(t.Context(), []byte(`{}`))
	fe, ok := errors.AsType[*userpool.FunctionError](err)
	if !ok || fe.Type != "Sandbox.Timedout" || !strings.Contains(fe.Message, "Task timed out after 0.05 seconds") {
		t.Fatalf("Invoke error = %#v, want a Sandbox.Timedout function error", err)
	}
}

// TestServerConcurrent proves invocations run at once (unlike
// aws-lambda-rie, which serves one at a time): every handler waits until
// all of them have started.
func TestServerConcurrent(t *testing.T) {
	t.Parallel()
	const n = 16
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	s := NewServer(slog.New(slog.DiscardHandler), WithFunctionTimeout(10*time.Second))
	s.Handle("barrier", func(ctx context.Context, in map[string]int) (map[string]int, error) {
		started.Done()
		select {
		case <-all:
			return in, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	inv := newHTTP(t, hs.URL, "barrier")
	errs := make(chan error, n)
	for i := range n {
		go func() {
			out, err := inv.Invoke(t.Context(), fmt.Appendf(nil, `{"i":%d}`, i))
			if err == nil && string(out) != fmt.Sprintf(`{"i":%d}`, i) {
				err = fmt.Errorf("invocation %d answered %s", i, out)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestServerMaxConcurrency(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	s := NewServer(slog.New(slog.DiscardHandler), WithMaxConcurrency(1))
	s.Handle("one", func(ctx context.Context) error {
		entered <- struct{}{}
		<-release
		return nil
	})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	first := make(chan error, 1)
	go func() {
		_, err := newHTTP(t, hs.URL, "one").Invoke(t.Context(), []byte(`{}`))
		first <- err
	}()
	<-entered
	resp, body := post(t, hs.URL+"/2015-03-31/functions/one/invocations", nil, []byte(`{}`))
	close(release)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Amzn-Errortype") != "TooManyRequestsException" {
		t.Errorf("second invocation: %d %s %s, want 429 TooManyRequestsException", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}
	if err := <-first; err != nil {
		t.Errorf("first invocation: %v", err)
	}
}

// TestServerNeverLogsPayloads logs every invocation at debug level and
// checks that the password in the event is nowhere in the output.
func TestServerNeverLogsPayloads(t *testing.T) {
	t.Parallel()
	var buf testenv.Buffer
	s := NewServer(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	s.Handle("legacy-migrate", Migrate)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	inv := newHTTP(t, hs.URL, "legacy-migrate")
	const secret = "S3cret-never-logged"
	for _, user := range []string{"alice", "bob"} {
		_, _ = inv.Invoke(t.Context(), []byte(`{"userName":"`+user+`","request":{"password":"`+secret+`"}}`))
	}
	out := buf.String()
	if !strings.Contains(out, "lambda invocation") {
		t.Fatalf("no invocation was logged at debug level:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the password reached the log:\n%s", out)
	}
}

func TestSplitFunctionName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, name, qualifier string
	}{
		{"fn", "fn", ""},
		{"fn:prod", "fn", "prod"},
		{"123456789012:function:fn", "fn", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn", "fn", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", "fn", "$LATEST"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			name, q := splitFunctionName(tt.in)
			if name != tt.name || q != tt.qualifier {
				t.Errorf("splitFunctionName(%q) = %q, %q; want %q, %q", tt.in, name, q, tt.name, tt.qualifier)
			}
		})
	}
}
