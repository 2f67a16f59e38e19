// Reading users: the lookup queries, the one matching row, and the hash,
// state and profile read from it.

package sqlsource

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// row is one result row keyed by lower-cased column name.
type row map[string]any

func (r row) get(col string) any { return r[strings.ToLower(col)] }

// fold is the name as the configured fold compares it, by the one
// normalisation every part of Ferry uses (identity.Name): a name the
// directory lower- or upper-cases is first put in NFKC, so a full-width or
// compatibility spelling finds the row its ordinary spelling finds. With
// fold none the name is bound exactly as typed.
func (s *Source) fold(name string) string {
	switch s.cfg.Fold {
	case FoldLower, FoldUpper:
		return identity.Name(name, identity.Fold(s.cfg.Fold))
	}
	return name
}

// find runs the lookup query (or queries) the mode calls for and returns the
// one matching row, or nil when none matches.
func (s *Source) find(ctx context.Context, name string) (row, error) {
	name = s.fold(name)
	var queries []string
	switch s.cfg.Lookup {
	case LookupEmail:
		queries = []string{s.cfg.Query.ByEmail}
	case LookupBoth:
		if strings.Contains(name, "@") {
			// An email first; a username that contains "@" second.
			queries = []string{s.cfg.Query.ByEmail, s.cfg.Query.ByUsername}
		} else {
			queries = []string{s.cfg.Query.ByUsername}
		}
	default:
		queries = []string{s.cfg.Query.ByUsername}
	}
	args := append([]any{name}, s.params...)
	for i, q := range queries {
		if i > 0 && q == queries[i-1] {
			continue
		}
		r, cols, err := s.queryOne(ctx, q, args, true)
		if err != nil {
			return nil, err
		}
		if err := s.checkColumns(cols); err != nil {
			return nil, err
		}
		if r != nil {
			return r, nil
		}
	}
	return nil, nil
}

// queryOne runs q and returns its only row (nil for none). With unique set,
// a second row is ErrAmbiguous; otherwise the first row is taken.
func (s *Source) queryOne(ctx context.Context, q string, args []any, unique bool) (row, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out row
	for rows.Next() {
		if out != nil {
			if unique {
				return nil, nil, ErrAmbiguous
			}
			break
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errUnreadableRow, err)
		}
		out = make(row, len(cols))
		for i, c := range cols {
			out[strings.ToLower(c)] = vals[i]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return out, cols, nil
}

// checkColumns reports a configured column that the lookup query does not
// return: a configuration error that would otherwise read as NULL.
func (s *Source) checkColumns(cols []string) error {
	have := make(map[string]bool, len(cols))
	for _, c := range cols {
		have[strings.ToLower(c)] = true
	}
	c := s.cfg.Columns
	var missing []string
	for _, name := range []string{c.ID, c.Username, c.Email, c.EmailVerified, c.Phone, c.PhoneVerified,
		c.PasswordHash, c.Salt, c.HashFormat, c.Disabled, c.Enabled, c.LockoutEnd, c.LockoutEnabled} {
		if name != "" && !have[strings.ToLower(name)] {
			missing = append(missing, name)
		}
	}
	for col := range s.cfg.Attributes {
		if !have[strings.ToLower(col)] {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingColumn, strings.Join(missing, ", "))
	}
	return nil
}

// hash reads the stored hash of r; Encoded is empty when the row has none.
func (s *Source) hash(r row) passhash.Hash {
	h := passhash.Hash{
		Encoded: asString(r.get(s.cfg.Columns.PasswordHash)),
		Format:  s.cfg.HashFormat,
	}
	if s.cfg.Columns.Salt != "" {
		h.Salt = asString(r.get(s.cfg.Columns.Salt))
	}
	if s.cfg.Columns.HashFormat != "" {
		if f := asString(r.get(s.cfg.Columns.HashFormat)); f != "" {
			h.Format = f
		}
	}
	if f, ok := s.cfg.bareHex[len(h.Encoded)]; ok && h.Format == "" && lowerHex(h.Encoded) {
		h.Format = f
	}
	return h
}

// lowerHex reports whether v is made only of lower-case hex digits: how the
// frameworks write their unsalted digests, and all they compare against.
func lowerHex(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return v != ""
}

// disabled reports whether r's user is disabled or locked out now.
func (s *Source) disabled(r row) (bool, error) {
	c := s.cfg.Columns
	if c.Disabled != "" {
		d, err := asBool(r.get(c.Disabled))
		if err != nil || d {
			return d, err
		}
	}
	if c.Enabled != "" {
		e, err := asBool(r.get(c.Enabled))
		if err != nil || !e {
			return !e, err
		}
	}
	if c.LockoutEnd != "" {
		if c.LockoutEnabled != "" {
			on, err := asBool(r.get(c.LockoutEnabled))
			if err != nil || !on {
				return false, err
			}
		}
		end, ok, err := asTime(r.get(c.LockoutEnd))
		if err != nil {
			return false, err
		}
		if ok && end.After(s.now()) {
			return true, nil
		}
	}
	if s.cfg.rule != nil {
		return s.cfg.rule(r, s.now())
	}
	return false, nil
}

// user maps r to a source.User.
func (s *Source) user(r row) (*source.User, error) {
	c := s.cfg.Columns
	u := &source.User{
		ID:       asString(r.get(c.ID)),
		Username: asString(r.get(c.Username)),
	}
	if u.ID == "" {
		return nil, fmt.Errorf("%w: column %s is NULL", errValue, c.ID)
	}
	if c.Email != "" {
		u.Email = asString(r.get(c.Email))
	}
	if c.Phone != "" {
		u.Phone = asString(r.get(c.Phone))
	}
	var err error
	if c.EmailVerified != "" {
		if u.EmailVerified, err = asBool(r.get(c.EmailVerified)); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.EmailVerified, err)
		}
	}
	if c.PhoneVerified != "" {
		if u.PhoneVerified, err = asBool(r.get(c.PhoneVerified)); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.PhoneVerified, err)
		}
	}
	for col, attr := range s.cfg.Attributes {
		if v := asString(r.get(col)); v != "" {
			if u.Attributes == nil {
				u.Attributes = make(map[string]string, len(s.cfg.Attributes))
			}
			u.Attributes[attr] = v
		}
	}
	return u, nil
}
