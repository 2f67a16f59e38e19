package lambdainvoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// ErrEndpoint reports an endpoint NewHTTP cannot use.
var ErrEndpoint = errors.New("invalid lambda endpoint")

// DefaultRegion is the region requests are signed for when none is given.
// Local Invoke API servers accept any region; us-east-1 is what the AWS
// SDKs fall back to in examples and what local emulators expect.
const DefaultRegion = "us-east-1"

// dummyCredentials sign requests to local endpoints that do not check
// signatures (the Lambda service would refuse them).
var dummyCredentials = credentials.NewStaticCredentialsProvider("ferry", "ferry", "")

// HTTPOption configures NewHTTP.
type HTTPOption func(*httpConfig)

type httpConfig struct {
	region string
}

// WithRegion sets the region requests are signed for (default DefaultRegion).
func WithRegion(region string) HTTPOption { return func(c *httpConfig) { c.region = region } }

// HTTP invokes a function over the Lambda Invoke API
// (POST <endpoint>/2015-03-31/functions/<name>/invocations) with
// aws-sdk-go-v2, synchronously (RequestResponse) and without SDK retries.
// It is safe for concurrent use.
type HTTP struct {
	client   *lambda.Client
	function string
}

// NewHTTP returns an Invoker for the function named functionName (a name,
// a partial or a full ARN, each optionally followed by :version or :alias)
// behind endpoint, an absolute http(s) URL such as http://127.0.0.1:3001 or
// https://lambda.eu-west-1.amazonaws.com.
func NewHTTP(endpoint, functionName string, opts ...HTTPOption) (*HTTP, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrEndpoint, endpoint, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w %q: want an absolute http or https URL", ErrEndpoint, endpoint)
	}
	if functionName == "" {
		return nil, fmt.Errorf("%w: empty function name", ErrEndpoint)
	}
	cfg := httpConfig{region: DefaultRegion}
	for _, o := range opts {
		o(&cfg)
	}
	// The client keeps connections alive, has no overall timeout (each
	// call is bound by its context, as the pool does with Cognito's
	// 5-second budget) and ignores proxy variables, so a function on
	// loopback is never sent through a proxy.
	client := &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}}
	h := &HTTP{
		function: functionName,
		client: lambda.New(lambda.Options{
			BaseEndpoint: aws.String(endpoint),
			Region:       cfg.region,
			Credentials:  dummyCredentials,
			HTTPClient:   client,
			Retryer:      aws.NopRetryer{},
		}),
	}
	return h, nil
}

// Invoke sends payload to the function and returns its answer.
//
// A function error — X-Amz-Function-Error set, or (as aws-lambda-rie
// answers) a 200 whose body is nothing but an error object — is a
// *userpool.FunctionError parsed from {"errorMessage","errorType"}. An
// Invoke API error, a 5xx, a network failure or an ended ctx is a plain
// error.
func (h *HTTP) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(h.function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return nil, fmt.Errorf("invoke lambda function %s: %w", h.function, err)
	}
	if out.FunctionError != nil {
		return nil, parseFunctionError(*out.FunctionError, out.Payload)
	}
	if fe, ok := bareFunctionError(out.Payload); ok {
		return nil, fe
	}
	return out.Payload, nil
}

// errorObject is the body Lambda answers for a failed function. Runtimes
// add stackTrace, and some requestId or cause.
type errorObject struct {
	Message *string `json:"errorMessage"`
	Type    *string `json:"errorType"`
}

// parseFunctionError reads the error body of an invocation answered with
// X-Amz-Function-Error: header (Unhandled or Handled). A body that is not
// the usual object still makes a function error, with the raw body as its
// message so nothing is lost.
func parseFunctionError(header string, body []byte) *userpool.FunctionError {
	var eo errorObject
	if err := json.Unmarshal(body, &eo); err != nil || (eo.Message == nil && eo.Type == nil) {
		return &userpool.FunctionError{Type: header, Message: string(bytes.TrimSpace(body))}
	}
	fe := &userpool.FunctionError{Type: header}
	if eo.Type != nil {
		fe.Type = *eo.Type
	}
	if eo.Message != nil {
		fe.Message = *eo.Message
	}
	return fe
}

// errorKeys are the only keys a runtime's error object carries. A body made
// of these alone is an error even without the header; a real answer to a
// Cognito event always carries the event's own keys.
var errorKeys = map[string]bool{
	"errorMessage": true, "errorType": true, "stackTrace": true, "requestId": true, "cause": true,
}

// bareFunctionError recognises a function error answered without the
// X-Amz-Function-Error header, as aws-lambda-rie does.
func bareFunctionError(body []byte) (*userpool.FunctionError, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, false
	}
	_, hasMsg := obj["errorMessage"]
	_, hasType := obj["errorType"]
	if !hasMsg && !hasType {
		return nil, false
	}
	for k := range obj {
		if !errorKeys[k] {
			return nil, false
		}
	}
	return parseFunctionError("Unhandled", b), true
}
