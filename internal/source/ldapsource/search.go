package ldapsource

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/identity"
)

// searchName turns the name as typed into what the filter is given, and
// picks the filter: CORP\alice and alice@corp.example.com become alice when
// the domain is configured; other names with "@" use EmailFilter if set.
func (s *Source) searchName(name string) (string, string) {
	for _, d := range s.cfg.Domains {
		if len(name) > len(d)+1 && strings.EqualFold(name[:len(d)+1], d+`\`) {
			return name[len(d)+1:], s.cfg.UserFilter
		}
		if len(name) > len(d)+1 && strings.EqualFold(name[len(name)-len(d)-1:], "@"+d) {
			return name[:len(name)-len(d)-1], s.cfg.UserFilter
		}
	}
	if strings.Contains(name, "@") && s.cfg.EmailFilter != "" {
		return name, s.cfg.EmailFilter
	}
	return name, s.cfg.UserFilter
}

// find returns the one entry matching name, nil when none does, or a fault
// (ErrAmbiguous when several do).
func (s *Source) find(ctx context.Context, name string) (*ldap.Entry, error) {
	n, tmpl := s.searchName(name)
	if !identity.Usable(n) {
		return nil, nil
	}
	esc := ldap.EscapeFilter(n)
	filter := expand(tmpl, map[string]string{"username": esc, "email": esc})
	scope := ldap.ScopeWholeSubtree
	if s.cfg.Scope == "one" {
		scope = ldap.ScopeSingleLevel
	}
	// A size limit of 2 is enough to tell one match from several.
	req := ldap.NewSearchRequest(s.cfg.BaseDN, scope, ldap.NeverDerefAliases, 2, 0, false,
		filter, s.cfg.searchAttributes(), nil)
	res, err := s.searchReq(ctx, req)
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
		return nil, fmt.Errorf("search %s: %w", filter, ErrAmbiguous)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return nil, fmt.Errorf("search: base dn %q does not exist: %w", s.cfg.BaseDN, err)
	case err != nil:
		return nil, fmt.Errorf("search: %w", err)
	}
	switch len(res.Entries) {
	case 0:
		return nil, nil
	case 1:
		return res.Entries[0], nil
	default:
		return nil, fmt.Errorf("search %s: %d entries: %w", filter, len(res.Entries), ErrAmbiguous)
	}
}

// readLockState reads dn's lock and failure attributes.
func (s *Source) readLockState(ctx context.Context, dn string) (*ldap.Entry, error) {
	req := ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", lockAttributes, nil)
	res, err := s.searchReq(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("read lock state of %s: %w", dn, err)
	}
	if len(res.Entries) != 1 {
		return nil, fmt.Errorf("read lock state of %s: entry gone", dn)
	}
	return res.Entries[0], nil
}

// stripe picks the bind lock of dn (FNV-1a of its lower-cased text).
func stripe(dn string) int {
	h := uint32(2166136261)
	for _, b := range []byte(strings.ToLower(dn)) {
		h = (h ^ uint32(b)) * 16777619
	}
	return int(h % uint32(len((*Source)(nil).bindLocks)))
}
