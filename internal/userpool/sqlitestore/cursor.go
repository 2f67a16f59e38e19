package sqlitestore

import (
	"encoding/base64"
	"encoding/json"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// cursor is the position after which the next page starts. Encoded, it is
// the opaque pagination token callers pass back.
type cursor struct {
	Kind  string `json:"k"`           // "pools", "clients" or "users"
	Pool  string `json:"p,omitempty"` // the pool and query it belongs to
	Value string `json:"v,omitempty"` // folded filter value of the last item
	Key   string `json:"i"`           // id or username key of the last item
}

// queryScope binds a users cursor to its pool and filter, so a token is
// refused by any other query.
func queryScope(poolID string, q userpool.ListUsersQuery) string {
	if q.Attribute == "" {
		return poolID
	}
	op := "="
	if q.Prefix {
		op = "^="
	}
	return poolID + "\x00" + q.Attribute + op + q.Value
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(kind, scope, s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Kind != kind || c.Pool != scope || c.Key == "" {
		return cursor{}, userpool.ErrInvalidCursor
	}
	return c, nil
}

func listLimit(limit int) int {
	if limit <= 0 {
		return defaultLimit
	}
	return limit
}

// page cuts items (fetched with one extra) to limit and returns the cursor
// of the next page, if any.
func page[T any](items []T, limit int, at func(T) cursor) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(at(items[limit-1]))
}
