package migration_test

import (
	"slices"
	"testing"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// TestDeferMarks: with DeferMarks, a migrated user is marked only once the
// pool reports it stored the user; a name the pool never commits is never
// marked.
func TestDeferMarks(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	m, err := migration.New(migration.Options{Sources: []migration.NamedSource{{Name: "sql", Source: src}},
		Policy: migration.Policy{MarkMigrated: true}, DeferMarks: true})
	if err != nil {
		t.Fatal(err)
	}
	marked := func() []string {
		src.mu.Lock()
		defer src.mu.Unlock()
		return slices.Clone(src.marked)
	}
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	if got := marked(); len(got) != 0 {
		t.Fatalf("marked %v before the pool's commit", got)
	}
	m.Committed(t.Context(), "bob") // nothing held for bob
	if got := marked(); len(got) != 0 {
		t.Fatalf("marked %v on another name's commit", got)
	}
	m.Committed(t.Context(), "alice")
	m.Committed(t.Context(), "alice") // a second commit marks nothing more
	if got := marked(); !slices.Equal(got, []string{"17"}) {
		t.Fatalf("marked %v after the commit, want [17]", got)
	}
}
