package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/migration"
)

// FailureStyle is how a user that is not migrated is answered.
type FailureStyle string

// Failure styles.
const (
	// FailError fails the invocation with MigrationError. Cognito answers
	// the client UserLambdaValidationException "UserMigration failed with
	// error User migration failed.". It applies to sign-ins only: a
	// forgot-password that migrates nobody is always answered empty, so a
	// client with PreventUserExistenceErrors ENABLED sends the same
	// simulated code delivery for an unknown name as for a legacy user.
	FailError FailureStyle = "error"
	// FailEmpty returns the event with an empty response. With the app
	// client's PreventUserExistenceErrors enabled, the client sees the same
	// NotAuthorizedException as for any wrong password. Faults still fail
	// the invocation: a source that is down must not read as "no".
	FailEmpty FailureStyle = "empty"
)

// MigrationMessage is the one text that leaves the process on failure.
// Cognito shows it to the signing-in user as "UserMigration failed with
// error User migration failed.", so it says nothing about why.
const MigrationMessage = "User migration failed"

// MigrationError is the only error the trigger returns to the Lambda
// runtime. Its message is fixed; the cause is kept for errors.Is/As and for
// local tools, and never serialised (the runtime sends only the type name
// and Error()).
type MigrationError struct {
	cause error
}

func (e *MigrationError) Error() string { return MigrationMessage }

// Unwrap returns the cause.
func (e *MigrationError) Unwrap() error { return e.cause }

// Malformed-event errors, wrapped in a MigrationError.
var (
	// ErrUnknownTriggerSource: the event is not a user-migration event.
	ErrUnknownTriggerSource = errors.New("unknown trigger source")
	// ErrMalformedEvent: the payload is not a user-migration event.
	ErrMalformedEvent = errors.New("malformed event")
)

// Migrator is what the handler needs from the use case.
type Migrator interface {
	Migrate(ctx context.Context, req migration.Request) (migration.Result, error)
}

// Options configure a Handler.
type Options struct {
	// FailureStyle (default FailError).
	FailureStyle FailureStyle
	// Logger receives one debug line per event (password redacted) and
	// the precise reason of every failure.
	Logger *slog.Logger
	// Metrics, when set, receives one EMF line per invocation. Its
	// sources must be wrapped with metrics.Instrument for the outcome of
	// a "no" (wrong password, unknown, disabled) and the source latency.
	Metrics *metrics.Emitter
	// Now is the clock for the handler latency (default time.Now).
	Now func() time.Time
}

// Handler handles Cognito user-migration events.
type Handler struct {
	m       Migrator
	style   FailureStyle
	logger  *slog.Logger
	metrics *metrics.Emitter
	now     func() time.Time
}

// New returns a Handler around m.
func New(m Migrator, o Options) (*Handler, error) {
	switch o.FailureStyle {
	case "":
		o.FailureStyle = FailError
	case FailError, FailEmpty:
	default:
		return nil, fmt.Errorf("trigger: failure style %q is not one of error, empty", o.FailureStyle)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{m: m, style: o.FailureStyle, logger: o.Logger, metrics: o.Metrics, now: o.Now}, nil
}

// Invoke implements lambda.Handler: it decodes the raw payload itself so a
// malformed event, too, fails with MigrationError rather than a decoder's
// error type.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		start := h.now()
		err = fmt.Errorf("%w: %w", ErrMalformedEvent, err)
		h.logger.LogAttrs(ctx, slog.LevelError, "malformed event", slog.String("request_id", requestID(ctx)), slog.String("error", err.Error()))
		h.emit(ctx, start, &observation{malformed: true}, nil)
		return nil, &MigrationError{cause: err}
	}
	out, err := h.Handle(ctx, ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// Handle answers one event.
func (h *Handler) Handle(ctx context.Context, ev Event) (Event, error) {
	if h.metrics == nil {
		return h.handle(ctx, ev, &observation{})
	}
	start := h.now()
	ctx, rec := metrics.NewContext(ctx)
	obs := &observation{triggerSource: ev.TriggerSource}
	out, err := h.handle(ctx, ev, obs)
	h.emit(ctx, start, obs, rec)
	return out, err
}

// observation is what handle learnt, for the metrics.
type observation struct {
	triggerSource string
	malformed     bool
	res           migration.Result
	err           error
}

func (h *Handler) handle(ctx context.Context, ev Event, obs *observation) (Event, error) {
	reqID := requestID(ctx)
	h.logger.LogAttrs(ctx, slog.LevelDebug, "event", slog.String("request_id", reqID), slog.Any("event", ev))

	req := migration.Request{
		Username:       ev.UserName,
		Password:       ev.Request.Password,
		ClientID:       ev.CallerContext.ClientID,
		RequestID:      reqID,
		ValidationData: ev.Request.ValidationData,
		ClientMetadata: ev.Request.ClientMetadata,
	}
	switch ev.TriggerSource {
	case SourceAuthentication:
		req.Kind = migration.Authentication
	case SourceForgotPassword:
		req.Kind = migration.ForgotPassword
		req.Password = ""
	default:
		obs.malformed = true
		return ev, h.malformed(ctx, reqID, fmt.Errorf("%w %q", ErrUnknownTriggerSource, ev.TriggerSource))
	}
	if ev.UserName == "" {
		obs.malformed = true
		return ev, h.malformed(ctx, reqID, fmt.Errorf("%w: empty userName", ErrMalformedEvent))
	}

	res, err := h.m.Migrate(ctx, req)
	obs.res, obs.err = res, err
	// Cognito reads only the response; the password need not travel back.
	ev.Request.Password = ""
	var fault *migration.Fault
	switch {
	case err == nil:
	case h.style == FailEmpty && !errors.As(err, &fault), req.Kind == migration.ForgotPassword && forgotNo(err):
		ev.Response = Response{}
		return ev, nil
	default:
		// The migrator has logged the precise reason.
		return ev, &MigrationError{cause: err}
	}
	force := res.ForceAliasCreation
	ev.Response = Response{
		UserAttributes:         res.UserAttributes,
		FinalUserStatus:        res.FinalUserStatus,
		MessageAction:          res.MessageAction,
		DesiredDeliveryMediums: res.DesiredDeliveryMediums,
		ForceAliasCreation:     &force,
	}
	if res.EnableSMSMFA {
		on := true
		ev.Response.EnableSMSMFA = &on
	}
	return ev, nil
}

// forgotNo reports whether a forgot-password's err is answered as "no
// user" (an empty response) whatever the failure style: every outcome that
// is not a source's fault, and a legacy user who has no verified channel
// for the code. An error for either would tell an unknown name (an
// exception) from a legacy user (a code delivery, simulated by Cognito
// for one it cannot reach when PreventUserExistenceErrors is ENABLED).
// The migrator has logged the precise reason.
func forgotNo(err error) bool {
	var fault *migration.Fault
	return !errors.As(err, &fault) || errors.Is(err, migration.ErrNoVerifiedChannel)
}

func (h *Handler) malformed(ctx context.Context, reqID string, err error) error {
	h.logger.LogAttrs(ctx, slog.LevelError, "malformed event", slog.String("request_id", reqID), slog.String("error", err.Error()))
	return &MigrationError{cause: err}
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// emit writes the invocation's metric line. A line that cannot be written
// is logged and otherwise ignored: metrics never fail a sign-in.
func (h *Handler) emit(ctx context.Context, start time.Time, obs *observation, rec *metrics.Recorder) {
	if h.metrics == nil {
		return
	}
	inv := metrics.Invocation{
		Outcome:       outcome(obs),
		TriggerSource: obs.triggerSource,
		Handler:       h.now().Sub(start),
		RequestID:     requestID(ctx),
	}
	if obs.malformed {
		// Anything else in an untrusted triggerSource would become a
		// dimension value.
		inv.TriggerSource = "invalid"
	}
	if u := obs.res.User; u != nil && (obs.err == nil || obs.res.Shadow) {
		inv.HashFamily = u.HashFamily
		if inv.HashFamily == "" {
			inv.HashFamily = metrics.NoHashFamily
		}
	}
	inv.Source, inv.SourceTime, _ = rec.Source()
	if err := h.metrics.Emit(inv); err != nil {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "metrics", slog.String("error", err.Error()))
	}
}

// outcome classifies an invocation for the Outcome dimension: the
// Migrator's own Outcome, so logs and metrics name it alike. A Migrator
// that sets none is classified by its error.
func outcome(obs *observation) migration.Outcome {
	var fault *migration.Fault
	switch err := obs.err; {
	case obs.malformed:
		return migration.OutcomeFault
	case obs.res.Outcome != "":
		return obs.res.Outcome
	case err == nil:
		return migration.OutcomeMigrated
	case obs.res.Shadow || errors.Is(err, migration.ErrShadow):
		return migration.OutcomeShadow
	case errors.Is(err, migration.ErrThrottled):
		return migration.OutcomeThrottled
	case errors.Is(err, migration.ErrOutsideRollout):
		return migration.OutcomeOutsideRollout
	case errors.Is(err, migration.ErrCircuitOpen):
		return migration.OutcomeCircuitOpen
	case errors.As(err, &fault):
		return migration.OutcomeFault
	case errors.Is(err, migration.ErrUnmigratable):
		return migration.OutcomeUnmigratable
	case errors.Is(err, migration.ErrNotMigrated):
		return migration.OutcomeUnknown
	default:
		return migration.OutcomeFault
	}
}
