package userpool

import (
	"slices"
	"strings"
)

// ParseFilter parses a ListUsers Filter: `attribute = "value"` or
// `attribute ^= "value"`, whitespace around the operator optional, the
// value double-quoted with \" and \\ escapes. An empty filter selects every
// user.
func ParseFilter(f string) (ListUsersQuery, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return ListUsersQuery{}, nil
	}
	bad := func() (ListUsersQuery, error) {
		return ListUsersQuery{}, newErr(ErrInvalidParameter, "Error while parsing filter.")
	}
	if len(f) > 256 {
		return bad()
	}
	i := strings.IndexAny(f, "=^ \t")
	if i <= 0 {
		return bad()
	}
	attr := f[:i]
	rest := strings.TrimLeft(f[i:], " \t")
	var q ListUsersQuery
	switch {
	case strings.HasPrefix(rest, "^="):
		q.Prefix = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return bad()
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return bad()
	}
	var b strings.Builder
	body := rest[1 : len(rest)-1]
	for j := 0; j < len(body); j++ {
		c := body[j]
		switch {
		case c == '\\' && j+1 < len(body):
			j++
			b.WriteByte(body[j])
		case c == '"':
			return bad()
		default:
			b.WriteByte(c)
		}
	}
	if !slices.Contains(FilterableAttributes, attr) {
		return ListUsersQuery{}, newErr(ErrInvalidParameter, "Invalid search attribute: %s", attr)
	}
	q.Attribute = attr
	q.Value = b.String()
	return q, nil
}
