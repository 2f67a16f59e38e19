package source_test

import (
	"context"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
)

// layer is the plainest decorator: it forwards and unwraps.
type layer struct{ src source.Source }

func (l layer) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	return l.src.Authenticate(ctx, name, password)
}
func (l layer) Lookup(ctx context.Context, name string) (*source.User, error) {
	return l.src.Lookup(ctx, name)
}
func (l layer) Unwrap() source.Source { return l.src }

// loop unwraps to itself, as a faulty decorator might.
type loop struct{ layer }

func (l *loop) Unwrap() source.Source { return l }

func TestAs(t *testing.T) {
	t.Run("unwrapped", func(t *testing.T) {
		sourcetest.Decorator(t, func(s source.Source) source.Source { return s })
	})
	t.Run("three layers", func(t *testing.T) {
		sourcetest.Decorator(t, func(s source.Source) source.Source { return layer{layer{layer{s}}} })
	})
	t.Run("nil", func(t *testing.T) {
		if _, ok := source.As[source.Marker](nil); ok {
			t.Error("As found a Marker in a nil source")
		}
		if err := source.Close(nil); err != nil {
			t.Errorf("Close(nil): %v", err)
		}
	})
	t.Run("a decorator that unwraps to itself", func(t *testing.T) {
		if _, ok := source.As[source.Marker](&loop{}); ok {
			t.Error("As found a Marker in a loop")
		}
	})
}
