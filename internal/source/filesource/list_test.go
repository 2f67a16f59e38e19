package filesource

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/source"
)

func TestList(t *testing.T) {
	t.Parallel()
	s, err := Config{Path: yamlUsers(t, 4)}.Open(t.Context(), "file", discard())
	if err != nil {
		t.Fatal(err)
	}
	var got []source.Entry
	if err := s.List(t.Context(), func(e source.Entry) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []source.Entry{
		{User: &source.User{ID: "1", Username: "alice", Email: "alice@example.com", EmailVerified: true,
			Phone: "+15550100", Attributes: map[string]string{"given_name": "Alice", "custom:legacy_id": "1"}}},
		{User: &source.User{ID: "2", Username: "bob", Email: "bob@example.com"}},
		{User: &source.User{ID: "carol", Username: "carol"}, Disabled: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	counts, err := s.Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if counts.Total != 3 || counts.Marked || counts.Migrated != 0 || counts.MarksReason == "" {
		t.Errorf("Count = %+v; want 3 users, no marks with a reason", counts)
	}
}

func TestListStops(t *testing.T) {
	t.Parallel()
	s, err := Config{Path: yamlUsers(t, 4)}.Open(t.Context(), "file", discard())
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	tests := []struct {
		name string
		ctx  func() context.Context
		fn   func(source.Entry) error
		want error
	}{
		{name: "callback error is returned as is", ctx: t.Context,
			fn: func(source.Entry) error { return stop }, want: stop},
		{name: "cancelled context", ctx: func() context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, fn: func(source.Entry) error { return nil }, want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := 0
			err := s.List(tt.ctx(), func(e source.Entry) error { n++; return tt.fn(e) })
			if !errors.Is(err, tt.want) {
				t.Fatalf("List = %v; want %v", err, tt.want)
			}
			if n > 1 {
				t.Errorf("fn called %d times after the stop", n)
			}
		})
	}
}
