package sourcetest

import (
	"context"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// The optional capabilities a decorator must let through, by the names
// Decorator reports them under.
const (
	capMarker  = "Marker"
	capChecker = "Checker"
	capLister  = "Lister"
	capSampler = "HashSampler"
	capCloser  = "io.Closer"
	capWarmer  = "Warmer"
)

// Decorator checks a decorator of sources (timing, a circuit breaker,
// secret refresh): wrap must return a source through which source.As
// finds exactly the optional capabilities of the source it was given —
// each of source.Marker, source.Checker, source.Lister,
// source.HashSampler, source.Warmer and io.Closer when that source has it, none it
// lacks — with calls reaching that source, and through which
// source.Close closes it.
func Decorator(t *testing.T, wrap func(source.Source) source.Source) {
	t.Helper()
	tests := []struct {
		name string
		open func(*capSource) source.Source
		has  []string
	}{
		{"no capability", func(c *capSource) source.Source { return c }, nil},
		{"marker", func(c *capSource) source.Source { return withMarker{c} }, []string{capMarker}},
		{"checker", func(c *capSource) source.Source { return withChecker{c} }, []string{capChecker}},
		{"lister", func(c *capSource) source.Source { return withLister{c} }, []string{capLister}},
		{"hash sampler", func(c *capSource) source.Source { return withSampler{c} }, []string{capSampler}},
		{"closer", func(c *capSource) source.Source { return withCloser{c} }, []string{capCloser}},
		{"warmer", func(c *capSource) source.Source { return withWarmer{c} }, []string{capWarmer}},
		{"every capability", func(c *capSource) source.Source {
			return withAll{c, withMarker{c}, withChecker{c}, withLister{c}, withSampler{c}, withCloser{c}, withWarmer{c}}
		}, []string{capMarker, capChecker, capLister, capSampler, capCloser, capWarmer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &capSource{}
			s := wrap(tt.open(inner))
			for _, p := range probes {
				call, ok := p.find(s)
				if want := slices.Contains(tt.has, p.name); ok != want {
					t.Errorf("source.As finds %s: %v, want %v", p.name, ok, want)
					continue
				}
				if !ok {
					continue
				}
				if err := call(t.Context()); err != nil {
					t.Errorf("%s through the decorator: %v", p.name, err)
				}
				if n := inner.count(p.name); n != 1 {
					t.Errorf("%s through the decorator reached the source %d times, want 1", p.name, n)
				}
			}
			if err := source.Close(s); err != nil {
				t.Errorf("source.Close: %v", err)
			}
			want := 0
			if slices.Contains(tt.has, capCloser) {
				want = 2 // once by the probe, once by source.Close
			}
			if n := inner.count(capCloser); n != want {
				t.Errorf("the source was closed %d times, want %d", n, want)
			}
		})
	}
}

// probes find one capability through source.As and return a call of it.
var probes = []struct {
	name string
	find func(source.Source) (func(context.Context) error, bool)
}{
	{capMarker, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[source.Marker](s)
		return func(ctx context.Context) error { return c.MarkMigrated(ctx, &source.User{ID: "1"}) }, ok
	}},
	{capChecker, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[source.Checker](s)
		return func(ctx context.Context) error { return c.Check(ctx) }, ok
	}},
	{capLister, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[source.Lister](s)
		return func(ctx context.Context) error {
			return c.List(ctx, func(source.Entry) error { return nil })
		}, ok
	}},
	{capSampler, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[source.HashSampler](s)
		return func(ctx context.Context) error {
			return c.SampleHashes(ctx, 0, func(source.HashSample) error { return nil })
		}, ok
	}},
	{capCloser, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[io.Closer](s)
		return func(context.Context) error { return c.Close() }, ok
	}},
	{capWarmer, func(s source.Source) (func(context.Context) error, bool) {
		c, ok := source.As[source.Warmer](s)
		return func(ctx context.Context) error { return c.Warm(ctx) }, ok
	}},
}

// capSource is a source with no optional capability that counts the calls
// its capability-bearing variants receive.
type capSource struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *capSource) note(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
}

func (c *capSource) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[name]
}

func (c *capSource) Authenticate(context.Context, string, string) (*source.User, error) {
	return nil, source.ErrUserNotFound
}

func (c *capSource) Lookup(context.Context, string) (*source.User, error) {
	return nil, source.ErrUserNotFound
}

type withMarker struct{ *capSource }

func (w withMarker) MarkMigrated(context.Context, *source.User) error { w.note(capMarker); return nil }

type withChecker struct{ *capSource }

func (w withChecker) Check(context.Context) error { w.note(capChecker); return nil }

type withLister struct{ *capSource }

func (w withLister) List(context.Context, func(source.Entry) error) error {
	w.note(capLister)
	return nil
}

func (w withLister) Count(context.Context) (source.Counts, error) { return source.Counts{}, nil }

type withSampler struct{ *capSource }

func (w withSampler) SampleHashes(context.Context, int, func(source.HashSample) error) error {
	w.note(capSampler)
	return nil
}

type withCloser struct{ *capSource }

func (w withCloser) Close() error { w.note(capCloser); return nil }

type withWarmer struct{ *capSource }

func (w withWarmer) Warm(context.Context) error { w.note(capWarmer); return nil }

// withAll has every capability; its own *capSource, one level up, is the
// Source the embedded variants would otherwise make ambiguous.
type withAll struct {
	*capSource
	withMarker
	withChecker
	withLister
	withSampler
	withCloser
	withWarmer
}
