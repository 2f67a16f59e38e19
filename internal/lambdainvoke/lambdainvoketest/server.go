// Package lambdainvoketest serves aws-lambda-go handlers over the Lambda
// Invoke API, for tests: a pool, cognito-local or any SDK reaches a handler
// served by Server exactly as it reaches a function in AWS, through
// lambdainvoke.NewHTTP or the SDK's Lambda client. Migrate is a small
// migration handler to serve.
package lambdainvoketest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Limits and defaults of the Lambda service that Server reproduces.
const (
	// DefaultRegion is the region shown in function ARNs.
	DefaultRegion = lambdainvoke.DefaultRegion
	// MaxPayload is Lambda's limit for a synchronous request and response
	// payload: 6 MB.
	MaxPayload = 6 << 20
	// DefaultFunctionTimeout is Lambda's default function timeout. Cognito
	// gives a trigger 5 s whatever the function's own timeout.
	DefaultFunctionTimeout = 3 * time.Second
	// DefaultAccountID is the account shown in the ARNs of local functions.
	DefaultAccountID = "000000000000"
	// invocationsPath is the Invoke API route, with the function name (a
	// name, a partial or a full ARN, optionally :qualifier) in {name}.
	invocationsPath = "POST /2015-03-31/functions/{name}/invocations"
	latest          = "$LATEST"
)

// ServerOption configures NewServer.
type ServerOption func(*Server)

// WithFunctionTimeout sets how long a function may run before its
// invocation fails with Sandbox.Timedout (default DefaultFunctionTimeout).
// The handler's context carries the same deadline.
func WithFunctionTimeout(d time.Duration) ServerOption {
	return func(s *Server) { s.timeout = d }
}

// WithMaxConcurrency bounds the invocations of each function that run at
// once; one more is refused with 429 TooManyRequestsException, as Lambda
// does at its reserved concurrency. 0 (the default) means unbounded.
func WithMaxConcurrency(n int) ServerOption { return func(s *Server) { s.maxConc = n } }

// WithServerRegion sets the region and account shown in function ARNs
// (defaults DefaultRegion and DefaultAccountID).
func WithServerRegion(region, accountID string) ServerOption {
	return func(s *Server) { s.region, s.account = region, accountID }
}

// Server is a Lambda Invoke API server for aws-lambda-go handlers: it
// answers POST /2015-03-31/functions/{name}/invocations as Lambda does —
// the function's JSON answer with X-Amz-Executed-Version and
// X-Amzn-RequestId, or its error object with X-Amz-Function-Error: Unhandled
// — so a pool, cognito-local or any SDK reaches Ferry's trigger the same
// way as a function in AWS. Handlers get a lambdacontext with the request
// id and function ARN, and a deadline. Invocations run concurrently.
//
// Only synchronous (RequestResponse) and DryRun invocations are served;
// Event (asynchronous) invocations are refused with
// InvalidParameterValueException rather than silently run without a
// caller.
type Server struct {
	logger  *slog.Logger
	timeout time.Duration
	maxConc int
	region  string
	account string
	mux     *http.ServeMux

	mu  sync.RWMutex
	fns map[string]*function
}

type function struct {
	inv  userpool.Invoker // the handler, run as lambdainvoke.InProcess runs it
	slot chan struct{}    // nil when unbounded
}

// NewServer returns a Server with no functions; add them with Handle.
func NewServer(logger *slog.Logger, opts ...ServerOption) *Server {
	s := &Server{
		logger:  logger.With("component", "lambdainvoke.server"),
		timeout: DefaultFunctionTimeout,
		region:  DefaultRegion,
		account: DefaultAccountID,
		fns:     map[string]*function{},
		mux:     http.NewServeMux(),
	}
	for _, o := range opts {
		o(s)
	}
	s.mux.HandleFunc(invocationsPath, s.invoke)
	return s
}

// Handle serves handler (anything lambda.Start accepts) as the function
// name, replacing any function of that name. Invocations may name it by
// name, partial ARN or full ARN.
func (s *Server) Handle(name string, handler any) {
	fn := &function{inv: lambdainvoke.InProcess(handler)}
	if s.maxConc > 0 {
		fn.slot = make(chan struct{}, s.maxConc)
	}
	s.mu.Lock()
	s.fns[name] = fn
	s.mu.Unlock()
}

// ARN returns the function ARN Server reports for name.
func (s *Server) ARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.region, s.account, name)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("X-Amzn-Requestid", requestID)

	name, qualifier := splitFunctionName(r.PathValue("name"))
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	s.mu.RLock()
	fn := s.fns[name]
	s.mu.RUnlock()
	if fn == nil || (qualifier != "" && qualifier != latest) {
		arn := s.ARN(name)
		if qualifier != "" {
			arn += ":" + qualifier
		}
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+arn)
		return
	}

	switch it := r.Header.Get("X-Amz-Invocation-Type"); it {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"Unsupported invocation type "+it+": this server runs RequestResponse and DryRun invocations only")
		return
	}

	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayload))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
				fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxPayload))
			return
		}
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read request body")
		return
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}

	if fn.slot != nil {
		select {
		case fn.slot <- struct{}{}:
			defer func() { <-fn.slot }()
		default:
			writeAPIError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
			return
		}
	}

	start := time.Now()
	out, ferr := s.run(r.Context(), fn, name, requestID, payload)
	log := s.logger.With("function", name, "requestId", requestID, "duration", time.Since(start))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", latest)
	if ferr != nil {
		log.DebugContext(r.Context(), "lambda invocation failed", "errorType", ferr.Type)
		h.Set("X-Amz-Function-Error", "Unhandled")
		body, _ := json.Marshal(map[string]string{"errorMessage": ferr.Message, "errorType": ferr.Type})
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	log.DebugContext(r.Context(), "lambda invocation", "bytes", len(out))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// run invokes fn within the function timeout. Like Lambda, the function
// keeps its own deadline when the caller goes away; a function that
// overruns it is reported as timed out while it winds down on its own.
func (s *Server) run(ctx context.Context, fn *function, name, requestID string, payload []byte) ([]byte, *userpool.FunctionError) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: s.ARN(name),
	})
	type result struct {
		out      []byte
		ferr     *userpool.FunctionError
		overtime bool // the function returned after its deadline
	}
	done := make(chan result, 1)
	go func() {
		out, err := fn.inv.Invoke(ctx, payload)
		ferr, ok := errors.AsType[*userpool.FunctionError](err)
		if err != nil && !ok {
			// InProcess says so only when ctx ended first: overtime.
			ferr = &userpool.FunctionError{Type: "Unhandled", Message: err.Error()}
		}
		done <- result{out, ferr, ctx.Err() != nil}
	}()
	timedOut := &userpool.FunctionError{Type: "Sandbox.Timedout",
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, s.timeout.Seconds())}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		select {
		case res = <-done: // answered right at the deadline
		default:
			return nil, timedOut
		}
	}
	switch {
	case res.overtime:
		return nil, timedOut
	case res.ferr == nil && len(res.out) > MaxPayload:
		return nil, &userpool.FunctionError{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload)}
	}
	return res.out, res.ferr
}

// splitFunctionName accepts what the Invoke API accepts in the path — a
// name, name:qualifier, a partial ARN (account:function:name) or a full
// ARN (arn:aws:lambda:region:account:function:name) with optional
// :qualifier — and returns the name and qualifier.
func splitFunctionName(s string) (name, qualifier string) {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			name = parts[i+1]
			if i+2 < len(parts) {
				qualifier = parts[i+2]
			}
			return name, qualifier
		}
	}
	if len(parts) == 2 {
		return parts[0], parts[1]
	}
	return s, ""
}

// writeAPIError answers an Invoke API error the way the Lambda service
// does: the type in X-Amzn-ErrorType, a {"Type","message"} body.
func writeAPIError(w http.ResponseWriter, status int, errType, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", errType)
	body, _ := json.Marshal(map[string]string{"Type": "User", "message": msg})
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
