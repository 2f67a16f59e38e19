package sqlitestore

import (
	"github.com/ferry-migrate/ferry/internal/userpool"
)

func listLimit(limit int) int {
	if limit <= 0 {
		return defaultLimit
	}
	return limit
}

// page cuts items (fetched with one extra) to limit and returns the cursor
// of the next page, if any.
func page[T any](items []T, limit int, at func(T) userpool.Cursor) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, at(items[limit-1]).Encode()
}
