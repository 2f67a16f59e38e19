package ldapsource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

var (
	_ source.Lister      = (*Source)(nil)
	_ source.HashSampler = (*HashSource)(nil)
	_ source.Warmer      = (*HashSource)(nil)
)

// marksReason is what Count says about write-back marks: a directory keeps
// none (Ferry never writes to it), so progress is read from the pool.
const marksReason = "an LDAP source keeps no write-back marks"

// errSampled stops a walk once limit users were sampled.
var errSampled = errors.New("sample complete")

// List visits every entry ListFilter matches under the base DN, a page of
// PageSize at a time (RFC 2696 paged search), in the order the server
// returns them. Entry.Disabled is the sign-in's own decision: disabled
// flags, and locks that have not run out under the entry's password
// policy. Group searches are not run while listing (the export file has no
// groups column); Groups holds only what an attribute such as memberOf
// gives.
func (s *Source) List(ctx context.Context, fn func(source.Entry) error) error {
	const op = "list"
	return s.walk(ctx, op, s.cfg.searchAttributes(), func(e *ldap.Entry) error {
		u, err := s.cfg.userFromEntry(e)
		if err != nil {
			return s.listFault(op, fmt.Errorf("entry %s: %w", e.DN, err))
		}
		u.Attributes = nonNil(u.Attributes)
		return fn(source.Entry{User: u, Disabled: s.listedDisabled(ctx, e)})
	})
}

// listedDisabled decides whether a listed entry is disabled or locked.
// When the entry's own policy cannot be read, the lock is decided with the
// configured stand-ins alone (a lock without a known duration stays a
// lock), and the problem is logged.
func (s *Source) listedDisabled(ctx context.Context, e *ldap.Entry) bool {
	if disabledReason(e) != "" {
		return true
	}
	p, _, err := s.policyFor(ctx, e)
	if err != nil {
		s.log.WarnContext(ctx, "password policy unreadable; lock decided without it", "dn", e.DN, "error", err)
		p = policy{}.withConfig(s.cfg.PasswordPolicy)
	}
	return lockReason(e, p, s.now()) != ""
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Count counts the entries List visits (a paged search asking for no
// attributes). A directory keeps no write-back marks: Counts.Marked is
// false.
func (s *Source) Count(ctx context.Context) (source.Counts, error) {
	n := 0
	err := s.walk(ctx, "count", []string{"1.1"}, func(*ldap.Entry) error {
		n++
		return nil
	})
	if err != nil {
		return source.Counts{}, err
	}
	return source.Counts{Total: n, MarksReason: marksReason}, nil
}

func (s *Source) listFault(op string, err error) error {
	return &source.Error{Source: s.name, Op: op, Err: err}
}

// walk runs the listing's paged search on a connection of its own (a
// paging cookie belongs to the connection it was issued on) and calls fn
// once per entry; only one page is held at a time. An error of fn stops
// the walk and is returned as is; closing the connection releases the
// server's paging state.
func (s *Source) walk(ctx context.Context, op string, attrs []string, fn func(*ldap.Entry) error) error {
	if err := ctx.Err(); err != nil {
		return s.listFault(op, err)
	}
	c, err := s.search.dial(ctx)
	if err != nil {
		return s.listFault(op, err)
	}
	defer c.Close()
	scope := ldap.ScopeWholeSubtree
	if s.cfg.Scope == "one" {
		scope = ldap.ScopeSingleLevel
	}
	paging := ldap.NewControlPaging(uint32(s.cfg.PageSize))
	req := ldap.NewSearchRequest(s.cfg.BaseDN, scope, ldap.NeverDerefAliases, 0, 0, false,
		s.cfg.ListFilter, attrs, []ldap.Control{paging})
	seen := 0
	for page := 1; ; page++ {
		var res *ldap.SearchResult
		err := do(ctx, c, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
			var err error
			res, err = c.Search(req)
			return err
		})
		got := 0
		if res != nil {
			got = len(res.Entries)
		}
		switch {
		case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
			// Never a short count: the listing is refused as a whole.
			return s.listFault(op, fmt.Errorf("the directory ended the listing at its size limit, after %d entries: "+
				"let the service account page through every entry (OpenLDAP: limits dn.exact=%q size.prtotal=unlimited)",
				seen+got, s.cfg.BindDN))
		case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
			return s.listFault(op, fmt.Errorf("search: base dn %q does not exist: %w", s.cfg.BaseDN, err))
		case err != nil:
			return s.listFault(op, fmt.Errorf("paged search, page %d: %w", page, err))
		}
		for _, e := range res.Entries {
			seen++
			if err := fn(e); err != nil {
				return err
			}
		}
		ctrl, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if ctrl == nil || len(ctrl.Cookie) == 0 {
			// No cookie: the last page (or a server that ignored the
			// control and sent everything at once).
			s.log.DebugContext(ctx, "listed", "op", op, "entries", seen, "pages", page, slog.Int("page_size", s.cfg.PageSize))
			return nil
		}
		paging.SetCookie(ctrl.Cookie)
	}
}

// HashSource is a compare_hash mode Source: it also streams the stored
// password values for `ferry check` and `ferry audit`. In bind mode the
// source never reads them (the directory verifies the password), so it is
// a plain *Source, which has no SampleHashes: `ferry check` then reports
// "not sampled".
type HashSource struct {
	*Source
}

// OpenSource opens c as Open does and returns the *HashSource of a
// compare_hash configuration, else the *Source.
func (c *Config) OpenSource(ctx context.Context, name string, log *slog.Logger) (source.Source, error) {
	s, err := c.Open(ctx, name, log)
	if err != nil {
		return nil, err
	}
	if s.cfg.Mode == ModeCompareHash {
		return &HashSource{s}, nil
	}
	return s, nil
}

// cleartextMask stands for a cleartext value in a HashSample: the audit
// needs to know a password is kept in clear, never the password.
const cleartextMask = "********"

// SampleHashes passes the password attribute values of each listed entry,
// in List's order, for at most limit entries (limit <= 0: every entry):
// one sample per value, in the form compare verifies it. A cleartext value
// arrives as Format "plaintext" with Encoded masked; an entry without a
// value, with Encoded empty.
func (s *HashSource) SampleHashes(ctx context.Context, limit int, fn func(source.HashSample) error) error {
	n := 0
	attrs := []string{s.cfg.Attributes.ID, s.cfg.PasswordAttribute}
	err := s.walk(ctx, "sample", attrs, func(e *ldap.Entry) error {
		if limit > 0 && n >= limit {
			return errSampled
		}
		n++
		id := s.entryID(e)
		values := e.GetEqualFoldAttributeValues(s.cfg.PasswordAttribute)
		if len(values) == 0 {
			return fn(source.HashSample{UserID: id})
		}
		for _, v := range values {
			h, clear := s.storedHash(v)
			if clear {
				h.Encoded = cleartextMask
			}
			if err := fn(source.HashSample{UserID: id, Encoded: h.Encoded, Format: h.Format}); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errSampled) {
		return nil
	}
	return err
}

// Warm learns the padding floor of compare_hash mode before the first
// sign-in (source.Pacer's Warm) from the dummy and the stored hashes of
// the first source.WarmSample listed entries. Bind mode has nothing to
// learn: the directory verifies the password.
func (s *HashSource) Warm(ctx context.Context) error {
	return s.pacer.Warm(ctx, func(yield func(passhash.Hash)) error {
		return s.SampleHashes(ctx, source.WarmSample, func(h source.HashSample) error {
			if h.Encoded != "" && h.Format != "plaintext" {
				yield(passhash.Hash{Encoded: h.Encoded})
			}
			return nil
		})
	})
}
