// Package lambdatest runs a Lambda function binary the way AWS Lambda does,
// for tests: it serves the Lambda Runtime API (version 2018-06-01) on
// 127.0.0.1, builds the function's bootstrap, execs it with the
// environment Lambda sets, hands it events and collects its answers.
//
// It implements what a custom runtime uses: GET invocation/next (with the
// Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and
// -Trace-Id headers), POST invocation/{id}/response, POST
// invocation/{id}/error (with Lambda-Runtime-Function-Error-Type) and POST
// init/error.
package lambdatest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// API paths.
const (
	pathPrefix = "/2018-06-01/runtime/"
	// FunctionARN is the ARN the runtime reports as invoked.
	FunctionARN = "arn:aws:lambda:eu-west-1:123456789012:function:ferry-migration"
)

// Result is what the function posted for one invocation, or at init.
type Result struct {
	RequestID string
	// Error is true when the function posted to …/error or init/error.
	Error bool
	// ErrorType is the Lambda-Runtime-Function-Error-Type header, if sent.
	ErrorType string
	// Body is the response payload or the error document.
	Body []byte
}

// ErrorDocument is the body of an …/error post.
type ErrorDocument struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// Doc decodes Body as an error document.
func (r Result) Doc() (ErrorDocument, error) {
	var d ErrorDocument
	err := json.Unmarshal(r.Body, &d)
	return d, err
}

type pending struct {
	id      string
	payload []byte
	timeout time.Duration
	result  chan Result
}

// Runtime is a Runtime API server on loopback. Use one Runtime per
// function process: a killed process can leave a long poll behind that the
// server only notices when it tries to answer it.
type Runtime struct {
	// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
	Addr string

	srv     *httptest.Server
	queue   chan *pending
	done    chan struct{}
	initErr chan Result
	seq     atomic.Int64

	mu       sync.Mutex
	inflight map[string]*pending
}

// NewRuntime starts a Runtime API server, closed when t ends.
func NewRuntime(t testing.TB) *Runtime {
	t.Helper()
	r := &Runtime{
		queue:    make(chan *pending, 16),
		done:     make(chan struct{}),
		initErr:  make(chan Result, 1),
		inflight: map[string]*pending{},
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve)) // listens on 127.0.0.1
	r.Addr = strings.TrimPrefix(r.srv.URL, "http://")
	t.Cleanup(func() {
		close(r.done)
		r.srv.Close()
	})
	return r
}

func (r *Runtime) serve(w http.ResponseWriter, req *http.Request) {
	p, ok := strings.CutPrefix(req.URL.Path, pathPrefix)
	if !ok {
		http.NotFound(w, req)
		return
	}
	switch {
	case p == "invocation/next" && req.Method == http.MethodGet:
		r.next(w, req)
	case p == "init/error" && req.Method == http.MethodPost:
		body, _ := io.ReadAll(req.Body)
		select {
		case r.initErr <- Result{Error: true, ErrorType: req.Header.Get("Lambda-Runtime-Function-Error-Type"), Body: body}:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	case strings.HasPrefix(p, "invocation/") && req.Method == http.MethodPost:
		rest := strings.TrimPrefix(p, "invocation/")
		id, kind, ok := strings.Cut(rest, "/")
		if !ok || (kind != "response" && kind != "error") {
			http.NotFound(w, req)
			return
		}
		r.mu.Lock()
		inv := r.inflight[id]
		delete(r.inflight, id)
		r.mu.Unlock()
		if inv == nil {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(req.Body)
		inv.result <- Result{RequestID: id, Error: kind == "error", ErrorType: req.Header.Get("Lambda-Runtime-Function-Error-Type"), Body: body}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	var inv *pending
	select {
	case inv = <-r.queue:
	case <-r.done:
		http.Error(w, "runtime shutting down", http.StatusGone)
		return
	case <-req.Context().Done():
		return
	}
	if req.Context().Err() != nil {
		// The poller went away (a killed process) as the event arrived:
		// hand the event to the next poller instead of losing it.
		r.queue <- inv
		return
	}
	r.mu.Lock()
	r.inflight[inv.id] = inv
	r.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(inv.timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

// Invoke queues payload for the function (with Lambda's timeout, default
// 5 s as Cognito allows) and waits for its answer, an init error, or ctx.
func (r *Runtime) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	inv := &pending{
		id:      fmt.Sprintf("8476a536-e9f4-11e8-9739-%012d", r.seq.Add(1)),
		payload: payload,
		timeout: timeout,
		result:  make(chan Result, 1),
	}
	select {
	case r.queue <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case res := <-inv.result:
		return res, nil
	case res := <-r.initErr:
		return res, fmt.Errorf("init error: %s", res.Body)
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Process is a running function binary.
type Process struct {
	cmd    *exec.Cmd
	Stderr *testenv.Buffer
	exited chan struct{}
	err    error
}

// Exited is closed when the process ends; Err then holds its exit error.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err is the process's exit error, valid after Exited is closed.
func (p *Process) Err() error { return p.err }

// Stop kills the process by its PID and waits for it to end.
func (p *Process) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// Env returns the environment Lambda gives a function in region
// eu-west-1, pointed at r, plus extra ("NAME=value").
func (r *Runtime) Env(extra ...string) []string {
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + r.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=ferry-migration",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/ferry-migration",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/11/21/[$LATEST]0123456789abcdef",
		"AWS_REGION=eu-west-1",
		"AWS_DEFAULT_REGION=eu-west-1",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT=/var/task",
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin:/bin",
	}
	return append(env, extra...)
}

// Start execs bin with env (see Env). The process is killed, by its PID,
// when t ends.
func Start(t testing.TB, bin string, env []string) *Process {
	t.Helper()
	p := &Process{Stderr: &testenv.Buffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin)
	p.cmd.Env = env
	p.cmd.Dir = filepath.Dir(bin)
	p.cmd.Stdout = p.Stderr
	p.cmd.Stderr = p.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.Stop)
	return p
}

// Build compiles the main package pkg (relative to the module root, e.g.
// "./cmd/ferry-lambda") as Lambda's provided runtime expects it and as
// `make lambda` builds it — static, with the lambda.norpc and ferry_nosqlite
// tags — into dir/bootstrap, and returns the path.
func Build(t testing.TB, pkg, dir string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc,ferry_nosqlite", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module")
	}
	return filepath.Dir(gomod), nil
}
