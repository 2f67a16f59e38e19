package progress

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// A source that cannot list its users, by its type or its configuration,
// is reported as not counted; any other error is a fault.
func TestUnlisted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"type without listing", fmt.Errorf("source a (http): %w", ErrUnlisted), true},
		{"sql source without a listing statement", fmt.Errorf("list: %w", sqlsource.ErrNoListing), true},
		{"a fault", errors.New("connection refused"), false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		if got := unlisted(tt.err); got != tt.want {
			t.Errorf("%s: unlisted(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// The pool index matches usernames regardless of case, and emails only in
// the pool modes where users sign in with them.
func TestPoolIndexFind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode     migration.PoolMode
		user     source.User
		wantName string
		wantOK   bool
	}{
		{migration.PoolUsername, source.User{Username: "Alice"}, "alice", true},
		{migration.PoolUsername, source.User{Username: "bobby", Email: "Bob@Example.com"}, "", false},
		{migration.PoolAlias, source.User{Username: "bobby", Email: "Bob@Example.com"}, "bob", true},
		{migration.PoolEmailAsUsername, source.User{Username: "carol", Email: "carol@example.com"}, "", false},
	} {
		p := migration.Policy{PoolMode: tt.mode}
		m, err := export.NewMapper(p, export.StandardHeader)
		if err != nil {
			t.Fatal(err)
		}
		idx := &poolIndex{matchEmail: matchesEmail(p.WithDefaults()),
			usernames: map[string]bool{"alice": true, "bob": true}, emails: map[string]string{"bob@example.com": "bob"}}
		name, ok := idx.find(m, &tt.user)
		if name != tt.wantName || ok != tt.wantOK {
			t.Errorf("%s pool, %+v: find = %q, %v; want %q, %v", tt.mode, tt.user, name, ok, tt.wantName, tt.wantOK)
		}
	}
}

func TestStatusReportFailed(t *testing.T) {
	t.Parallel()
	r := &StatusReport{Sources: []SourceStatus{{Name: "a"}, {Name: "b", Unlisted: "cannot list"}}}
	if r.Failed() {
		t.Error("a report with an unlisted source counts as failed")
	}
	r.Sources = append(r.Sources, SourceStatus{Name: "c", Error: "connection refused"})
	if !r.Failed() {
		t.Error("a report with a source that could not be read does not count as failed")
	}
}
