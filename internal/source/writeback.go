package source

import "context"

// noWriteBack is the context key of WithoutWriteBack.
type noWriteBack struct{}

// WithoutWriteBack returns a context telling a Checker that the migration
// runs without write-back (mark_migrated off), so its health check must
// not require the write-back statement or its column: `ferry check` then
// passes on an untouched legacy schema.
func WithoutWriteBack(ctx context.Context) context.Context {
	return context.WithValue(ctx, noWriteBack{}, true)
}

// WriteBackWanted reports whether ctx leaves the write-back on (the
// default).
func WriteBackWanted(ctx context.Context) bool {
	off, _ := ctx.Value(noWriteBack{}).(bool)
	return !off
}
