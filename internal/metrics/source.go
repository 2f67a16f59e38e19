package metrics

import (
	"context"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Instrument returns s timed: every Authenticate and Lookup is reported to
// the Recorder in the call's context (none: nothing is recorded). The
// result is a source.Wrapper: source.As finds s's optional capabilities
// through it.
func Instrument(name string, s source.Source) source.Source {
	return &timedSource{name: name, src: s, now: time.Now}
}

type timedSource struct {
	name string
	src  source.Source
	now  func() time.Time
}

func (t *timedSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	start := t.now()
	u, err := t.src.Authenticate(ctx, name, password)
	FromContext(ctx).Observe(t.name, t.now().Sub(start), err)
	return u, err
}

func (t *timedSource) Lookup(ctx context.Context, name string) (*source.User, error) {
	start := t.now()
	u, err := t.src.Lookup(ctx, name)
	FromContext(ctx).Observe(t.name, t.now().Sub(start), err)
	return u, err
}

// Unwrap returns the source timed.
func (t *timedSource) Unwrap() source.Source { return t.src }
