// Package metrics writes the trigger's metrics as CloudWatch Embedded
// Metric Format (EMF): one JSON line per invocation on the function's
// stdout, which CloudWatch Logs turns into metrics with no API call and no
// extra latency.
//
// Each line carries three directives in one namespace (default "Ferry"):
//
//	Migrations      Count         by {Outcome}, {TriggerSource}, {HashFamily}
//	HandlerLatency  Milliseconds  no dimension (one series, for p50/p99)
//	SourceLatency   Milliseconds  by {Source}
//
// Outcome is a migration.Outcome: the one vocabulary of logs, Stats and
// metrics. HashFamily is present only when
// a legacy user was found and answered (migrated or shadow): the family
// that verified the password, or "none" when the source verified by other
// means (LDAP bind, HTTP call) or no password was checked
// (forgot-password). SourceLatency is the time of the source that decided
// the answer — the first that did not answer "no such user", or the last
// asked when none knew the user — since an EMF line holds one value per
// dimension.
//
// A line never holds a password, a username, an email address or any
// other attribute of the user: usernames are personal data, and CloudWatch
// metrics and their log lines are kept and shared more widely than the
// trigger's own logs. The invocation's request id is the key that joins a
// metric line to the trigger's log lines.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// DefaultNamespace is the CloudWatch namespace when none is configured.
const DefaultNamespace = "Ferry"

// NoHashFamily is the HashFamily value for a user answered without a
// password hash.
const NoHashFamily = "none"

// Invocation is what one trigger invocation reports.
type Invocation struct {
	Outcome migration.Outcome
	// TriggerSource is Cognito's triggerSource, or "invalid" for a
	// malformed event (never a value read from an untrusted payload that
	// is not one of the two, which would make a dimension of anything).
	TriggerSource string
	// HashFamily, when set, adds the HashFamily dimension.
	HashFamily string
	// Handler is the handler's own time.
	Handler time.Duration
	// Source and SourceTime are the deciding source, when one was asked.
	Source     string
	SourceTime time.Duration
	// RequestID is Lambda's request id (a property, not a dimension).
	RequestID string
}

// Options configure an Emitter.
type Options struct {
	// Namespace (default DefaultNamespace).
	Namespace string
	// Now stamps each line (default time.Now).
	Now func() time.Time
}

// Emitter writes one EMF line per Emit. It is safe for concurrent use;
// lines never interleave.
type Emitter struct {
	w   io.Writer
	ns  string
	now func() time.Time
	mu  sync.Mutex
}

// NewEmitter returns an Emitter writing to w (a Lambda's stdout).
func NewEmitter(w io.Writer, o Options) *Emitter {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Emitter{w: w, ns: o.Namespace, now: o.Now}
}

// Namespace returns the CloudWatch namespace.
func (e *Emitter) Namespace() string { return e.ns }

// Metric is one entry of a directive's Metrics.
type Metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Directive is one entry of _aws.CloudWatchMetrics.
type Directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []Metric   `json:"Metrics"`
}

// Metadata is the _aws member of an EMF line.
type Metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []Directive `json:"CloudWatchMetrics"`
}

// ErrWrite wraps a failure to write a line.
var ErrWrite = errors.New("metrics: writing the EMF line")

// Emit writes inv as one EMF line.
func (e *Emitter) Emit(inv Invocation) error {
	b, err := json.Marshal(e.Line(inv))
	if err != nil {
		return errors.Join(ErrWrite, err)
	}
	b = append(b, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(b); err != nil {
		return errors.Join(ErrWrite, err)
	}
	return nil
}

// Line returns inv as the EMF object Emit writes.
func (e *Emitter) Line(inv Invocation) map[string]any {
	dims := [][]string{{"Outcome"}, {"TriggerSource"}}
	line := map[string]any{
		"Outcome":        string(inv.Outcome),
		"TriggerSource":  inv.TriggerSource,
		"Migrations":     1,
		"HandlerLatency": millis(inv.Handler),
	}
	if inv.HashFamily != "" {
		dims = append(dims, []string{"HashFamily"})
		line["HashFamily"] = inv.HashFamily
	}
	directives := []Directive{
		{Namespace: e.ns, Dimensions: dims, Metrics: []Metric{{Name: "Migrations", Unit: "Count"}}},
		{Namespace: e.ns, Dimensions: [][]string{{}}, Metrics: []Metric{{Name: "HandlerLatency", Unit: "Milliseconds"}}},
	}
	if inv.Source != "" {
		directives = append(directives, Directive{
			Namespace: e.ns, Dimensions: [][]string{{"Source"}}, Metrics: []Metric{{Name: "SourceLatency", Unit: "Milliseconds"}},
		})
		line["Source"] = inv.Source
		line["SourceLatency"] = millis(inv.SourceTime)
	}
	if inv.RequestID != "" {
		line["RequestId"] = inv.RequestID
	}
	line["_aws"] = Metadata{Timestamp: e.now().UnixMilli(), CloudWatchMetrics: directives}
	return line
}

// millis is d in milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Recorder collects what the instrumented sources saw during one
// invocation. It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	calls []call
}

type call struct {
	source  string
	latency time.Duration
	err     error
}

type recorderKey struct{}

// NewContext returns ctx carrying a new Recorder.
func NewContext(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	return context.WithValue(ctx, recorderKey{}, r), r
}

// FromContext returns the Recorder in ctx, or nil.
func FromContext(ctx context.Context) *Recorder {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	return r
}

// Observe records one source call.
func (r *Recorder) Observe(sourceName string, latency time.Duration, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{source: sourceName, latency: latency, err: err})
}

// decisive returns the call that decided the answer: the first that did
// not answer "no such user" (later calls are the chain's timing
// equalisation, asked for a name nobody has), else the last.
func (r *Recorder) decisive() (call, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.calls {
		if !errors.Is(c.err, source.ErrUserNotFound) {
			return c, true
		}
	}
	if len(r.calls) == 0 {
		return call{}, false
	}
	return r.calls[len(r.calls)-1], true
}

// Source returns the deciding source's name and latency, if one was asked.
func (r *Recorder) Source() (string, time.Duration, bool) {
	if r == nil {
		return "", 0, false
	}
	c, ok := r.decisive()
	return c.source, c.latency, ok
}
