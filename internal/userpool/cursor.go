package userpool

import (
	"encoding/base64"
	"encoding/json"
)

// Cursor is the position after which a store's next page starts. Encoded,
// it is the opaque pagination token callers pass back; every Store uses
// this one form, so a token is refused by any other listing or query.
type Cursor struct {
	Kind  string `json:"k"`           // "pools", "clients" or "users"
	Pool  string `json:"p,omitempty"` // the pool and query it belongs to (CursorScope)
	Value string `json:"v,omitempty"` // folded filter value of the last item
	Key   string `json:"i"`           // id or username key of the last item
}

// CursorScope binds a users cursor to its pool and filter.
func CursorScope(poolID string, q ListUsersQuery) string {
	if q.Attribute == "" {
		return poolID
	}
	op := "="
	if q.Prefix {
		op = "^="
	}
	return poolID + "\x00" + q.Attribute + op + q.Value
}

// Encode returns the pagination token of c.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // a struct of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a pagination token of the given kind and scope; ""
// is the start. A token of another kind or scope, or one that does not
// parse, is ErrInvalidCursor.
func DecodeCursor(kind, scope, token string) (Cursor, error) {
	var c Cursor
	if token == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Kind != kind || c.Pool != scope || c.Key == "" {
		return Cursor{}, ErrInvalidCursor
	}
	return c, nil
}
