package userpool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/ferry-migrate/ferry/internal/trigger"
)

// The pool's Lambda triggers, dispatched as Cognito dispatches them: the
// event in Cognito's JSON shape (the shapes of aws-lambda-go's
// events.CognitoEventUserPools* types), one synchronous invocation per
// attempt bounded by the trigger timeout (Cognito: 5 s), up to the
// configured attempts when the function times out or cannot be invoked
// (Cognito: 3; a function error is final, and a Lambda 5xx is not retried),
// and Cognito's error mapping for every trigger:
//
//   - the function failed (it threw, X-Amz-Function-Error):
//     UserLambdaValidationException "<Trigger> failed with error <errorMessage>."
//   - the function timed out or could not be invoked: UnexpectedLambdaException
//     "<Trigger> invocation failed due to error …"
//   - the function answered something that is not the event:
//     InvalidLambdaResponseException.
//
// Each trigger lives in its own file (trigger_presignup.go, …) and is called
// at the point of the flow where Cognito calls it. A trigger the pool does
// not name is not run.

// Trigger names, as LambdaConfig names them and Cognito's messages quote them.
const (
	triggerUserMigration      = "UserMigration"
	triggerPreSignUp          = "PreSignUp"
	triggerPostConfirmation   = "PostConfirmation"
	triggerPreAuthentication  = "PreAuthentication"
	triggerPostAuthentication = "PostAuthentication"
	triggerPreTokenGeneration = "PreTokenGeneration"
	triggerCustomMessage      = "CustomMessage"
)

// clientNotApplicable is callerContext.clientId of events raised by admin
// operations, which name no app client.
const clientNotApplicable = "CLIENT_ID_NOT_APPLICABLE"

// msgUnrecognizableOutput is Cognito's message for a trigger answer that is
// not a JSON object shaped like the event.
const msgUnrecognizableOutput = "Unrecognizable lambda output"

// triggerCall is what the API request gives every trigger it raises: the
// app client, the caller's SDK and the request's ClientMetadata. The
// operation's entry point puts it in the context (withTriggerCall), so the
// points deep in a flow (token issue, message delivery) raise their
// triggers with it. source, when set, names the trigger source a shared
// point reports for this operation (CustomMessage_ResendCode,
// TokenGeneration_NewPasswordChallenge, …).
type triggerCall struct {
	clientID string
	sdk      string
	meta     map[string]string
	source   string
}

type triggerCallKey struct{}

// withTriggerCall returns ctx carrying tc for the triggers raised under it;
// without metadata of its own, tc keeps the ClientMetadata ctx carries.
func withTriggerCall(ctx context.Context, tc triggerCall) context.Context {
	if tc.meta == nil {
		tc.meta = callOf(ctx).meta
	}
	return context.WithValue(ctx, triggerCallKey{}, tc)
}

// WithClientMetadata returns ctx carrying a request's ClientMetadata to
// the triggers the operation raises, for the operations that take it in
// the API but not in their Go signature (ConfirmSignUp,
// ConfirmForgotPassword, ResendConfirmationCode, AdminConfirmSignUp).
func WithClientMetadata(ctx context.Context, meta map[string]string) context.Context {
	tc := callOf(ctx)
	tc.meta = meta
	return context.WithValue(ctx, triggerCallKey{}, tc)
}

// withTriggerSource returns ctx whose shared trigger points report source.
func withTriggerSource(ctx context.Context, source string) context.Context {
	tc := callOf(ctx)
	tc.source = source
	return withTriggerCall(ctx, tc)
}

// callOf returns the trigger call of ctx, or the admin defaults.
func callOf(ctx context.Context) triggerCall {
	tc, _ := ctx.Value(triggerCallKey{}).(triggerCall)
	return tc
}

// triggerHeader is the part every Cognito user-pool event shares
// (events.CognitoEventUserPoolsHeader).
type triggerHeader struct {
	Version       string                `json:"version"`
	TriggerSource string                `json:"triggerSource"`
	Region        string                `json:"region"`
	UserPoolID    string                `json:"userPoolId"`
	UserName      string                `json:"userName"`
	CallerContext trigger.CallerContext `json:"callerContext"`
}

// triggerEvent is a whole event: the header, the request and the response
// as Cognito prefills it (null members, or the documented defaults).
type triggerEvent struct {
	triggerHeader
	Request  any `json:"request"`
	Response any `json:"response"`
}

// newEvent starts an event of pool p for userName raised by call tc.
func newEvent(p *pool, tc triggerCall, version, source, userName string) triggerEvent {
	clientID, sdk := tc.clientID, tc.sdk
	if clientID == "" {
		clientID = clientNotApplicable
	}
	if sdk == "" {
		sdk = defaultSDK
	}
	return triggerEvent{triggerHeader: triggerHeader{Version: version, TriggerSource: source,
		Region: PoolRegion(p.ID), UserPoolID: p.ID, UserName: userName,
		CallerContext: trigger.CallerContext{AWSSDKVersion: sdk, ClientID: clientID}}}
}

// runTrigger invokes the function arn, the pool's trigger name, with ev
// and decodes the answer's "response" member into resp (which may be nil
// for triggers whose response Cognito ignores).
func (s *Service) runTrigger(ctx context.Context, p *pool, name, arn string, ev triggerEvent, resp any) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", name, err)
	}
	out, err := s.invoke(ctx, p, name, arn, payload)
	if err != nil {
		return err
	}
	var back struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(out, &back); err != nil || !bytes.HasPrefix(bytes.TrimSpace(out), []byte("{")) {
		return &Error{Kind: ErrInvalidLambdaResponse, Message: msgUnrecognizableOutput, Err: err}
	}
	if resp == nil || len(back.Response) == 0 || string(back.Response) == "null" {
		return nil
	}
	if err := json.Unmarshal(back.Response, resp); err != nil {
		return &Error{Kind: ErrInvalidLambdaResponse, Message: msgUnrecognizableOutput, Err: err}
	}
	return nil
}

// runNotice runs a trigger whose answer Cognito ignores but for its
// errors (PreAuthentication, PostAuthentication, PostConfirmation): a
// version 1 event with request and an empty response.
func (s *Service) runNotice(ctx context.Context, p *pool, name, arn, source, userName string, request any) error {
	ev := newEvent(p, callOf(ctx), "1", source, userName)
	ev.Request = request
	ev.Response = struct{}{}
	return s.runTrigger(ctx, p, name, arn, ev, nil)
}

// invoke runs one trigger payload with Cognito's attempts, timeout and
// error mapping, and returns the function's answer.
func (s *Service) invoke(ctx context.Context, p *pool, name, arn string, payload []byte) ([]byte, error) {
	inv, err := s.invoker(arn)
	if err != nil {
		s.log.ErrorContext(ctx, "trigger unavailable", "pool", p.ID, "trigger", name, "function", arn, "err", err)
		return nil, &Error{Kind: ErrUnexpectedLambda, Message: name + " invocation failed due to error Lambda function could not be invoked.", Err: err}
	}
	return s.invokeWith(ctx, p, name, arn, inv, payload)
}

// invoker resolves the function a pool's LambdaConfig names.
func (s *Service) invoker(arn string) (Invoker, error) {
	if s.resolve == nil {
		return nil, errors.New("no trigger resolver configured")
	}
	inv, err := s.resolve(arn)
	if err == nil && inv == nil {
		err = fmt.Errorf("no function %s", arn)
	}
	return inv, err
}

// invokeWith is invoke with the function already resolved.
func (s *Service) invokeWith(ctx context.Context, p *pool, name, arn string, inv Invoker, payload []byte) ([]byte, error) {
	var (
		out      []byte
		err      error
		lastErr  error
		timedOut bool
	)
	for attempt := 1; attempt <= s.triggerAttempts; attempt++ {
		actx, cancel := context.WithTimeout(ctx, s.triggerTimeout)
		out, err = inv.Invoke(actx, payload)
		expired := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		var fe *FunctionError
		switch {
		case err == nil:
			lastErr = nil
		case errors.As(err, &fe):
			s.log.InfoContext(ctx, "trigger refused", "pool", p.ID, "trigger", name, "function", arn, "type", fe.Type)
			return nil, newErr(ErrLambdaValidation, "%s failed with error %s.", name, fe.Message)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%s trigger: %w", name, ctx.Err())
		default:
			lastErr = err
			timedOut = expired
			s.log.WarnContext(ctx, "trigger attempt failed", "pool", p.ID, "trigger", name, "function", arn,
				"attempt", attempt, "timeout", expired, "err", err)
			if serverFault(err) {
				// Lambda answered 5xx (it could not run the function):
				// Cognito does not retry those.
				attempt = s.triggerAttempts
			}
			continue
		}
		break
	}
	if lastErr != nil {
		if timedOut {
			return nil, newErr(ErrUnexpectedLambda, "%s invocation failed due to error Socket timeout while invoking Lambda function.", name)
		}
		return nil, &Error{Kind: ErrUnexpectedLambda, Message: name + " invocation failed due to error Lambda function could not be invoked.", Err: lastErr}
	}
	return out, nil
}

// eventAttributes are a stored user's attributes as Cognito puts them in
// trigger events: every attribute, sub, the user's status as
// cognito:user_status, and the active sign-in aliases as
// cognito:email_alias / cognito:phone_number_alias.
func eventAttributes(p *pool, u *User) map[string]string {
	attrs := maps.Clone(u.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["sub"] = u.Sub
	attrs["cognito:user_status"] = u.Status
	for _, a := range []string{"email", "phone_number"} {
		if _, ok := u.Aliases[a]; ok && p.set.aliasAttr(a) {
			attrs["cognito:"+a+"_alias"] = u.Attributes[a]
		}
	}
	return attrs
}

// nonNil returns m, or an empty map: Cognito sends {} for absent metadata.
func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
