package metrics

import (
	"context"
	"io"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Instrument returns s timed: every Authenticate and Lookup is reported to
// the Recorder in the call's context (none: nothing is recorded). The
// result passes MarkMigrated and Close through to s when s has them.
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

// MarkMigrated writes back through s; a source without a write-back has
// nothing to do, as if it had not been wrapped.
func (t *timedSource) MarkMigrated(ctx context.Context, u *source.User) error {
	if mk, ok := t.src.(source.Marker); ok {
		return mk.MarkMigrated(ctx, u)
	}
	return nil
}

// Close closes s when it holds resources.
func (t *timedSource) Close() error {
	if c, ok := t.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Unwrap returns the source timed.
func (t *timedSource) Unwrap() source.Source { return t.src }
