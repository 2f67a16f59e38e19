package filesource

import (
	"cmp"
	"context"
	"slices"

	"github.com/ferry-migrate/ferry/internal/source"
)

var _ source.Lister = (*Source)(nil)

// noMarksReason is what Count says about migration marks: a file is read
// once and never written, so progress is read from the pool.
const noMarksReason = "a file source keeps no migration marks"

// entries returns the file's users ordered by id: the file is already in
// memory, so listing it costs one slice of pointers.
func (s *Source) entries() []*Entry {
	out := make([]*Entry, 0, len(s.byName))
	for _, e := range s.byName {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *Entry) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// List calls fn for each user of the file, ordered by id. No user is ever
// marked migrated.
func (s *Source) List(ctx context.Context, fn func(source.Entry) error) error {
	for _, e := range s.entries() {
		if err := ctx.Err(); err != nil {
			return s.fault("list", err)
		}
		if err := fn(source.Entry{User: toUser(e), Disabled: e.Disabled}); err != nil {
			return err
		}
	}
	return nil
}

// Count reports the number of users in the file.
func (s *Source) Count(ctx context.Context) (source.Counts, error) {
	if err := ctx.Err(); err != nil {
		return source.Counts{}, s.fault("count", err)
	}
	return source.Counts{Total: len(s.byName), MarksReason: noMarksReason}, nil
}
