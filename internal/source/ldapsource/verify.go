package ldapsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// dummyCost is the bcrypt cost of the stand-in hash compare_hash mode
// verifies for unknown users when the directory shows it no real stored
// hash; 10 is the common default of the applications that write bcrypt.
const dummyCost = 10

// guardedBind binds as e unless a failed bind could lock e: under a
// lockout policy it reads the failures the directory holds against e
// afresh, with every other sign-in of e in this process waiting, and
// refuses (ErrUserDisabled, after the dummy bind a refusal costs) when one
// more would reach pwdMaxFailure. Such a user signs in once to the legacy
// system, which clears the count, or waits for pwdFailureCountInterval.
func (s *Source) guardedBind(ctx context.Context, e *ldap.Entry, p policy, password string) error {
	who := s.bindName(e.DN, e.GetEqualFoldAttributeValue(s.cfg.Attributes.Username))
	if !p.Lockout {
		return s.bind(ctx, who, password)
	}
	mu := &s.bindLocks[stripe(e.DN)]
	mu.Lock()
	defer mu.Unlock()
	fresh, err := s.readLockState(ctx, e.DN)
	if err != nil {
		return err
	}
	if n, risk := bindWouldRisk(fresh, p, s.now()); risk {
		s.dummyVerify(ctx, password)
		s.log.WarnContext(ctx, "sign-in refused without binding: one more failed bind would lock the directory account",
			"dn", e.DN, "failures", n, "max_failure", p.MaxFailure)
		return source.ErrUserDisabled
	}
	return s.bind(ctx, who, password)
}

// bindName is what the user binds as: the DN, or BindTemplate expanded.
func (s *Source) bindName(dn, username string) string {
	if s.cfg.BindTemplate == "" {
		return dn
	}
	return expand(s.cfg.BindTemplate, map[string]string{"dn": dn, "username": username})
}

// bind verifies password by a simple bind as who, on a bind-only connection.
func (s *Source) bind(ctx context.Context, who, password string) error {
	if password == "" {
		return source.ErrInvalidPassword
	}
	err := withConn(ctx, s.binds, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
		return c.Bind(who, password)
	})
	if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		// Active Directory says why in the diagnostic message ("…, data 533,
		// …"): 533 disabled, 775 locked out, 701 expired account. It only
		// says so when the password was right.
		msg := err.Error()
		for _, code := range []string{"data 533", "data 775", "data 701"} {
			if strings.Contains(msg, code) {
				return source.ErrUserDisabled
			}
		}
		return source.ErrInvalidPassword
	}
	if err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

// compare verifies password against the entry's stored hash. A value the
// verifier cannot use (unknown scheme, malformed, over budget, cleartext
// without allow_plaintext) is that user's *source.RecordError.
func (s *Source) compare(ctx context.Context, e *ldap.Entry, password string) (passhash.Result, error) {
	values := e.GetEqualFoldAttributeValues(s.cfg.PasswordAttribute)
	if len(values) == 0 {
		return passhash.Result{}, fmt.Errorf("entry %s: no readable %s (check the service account's access)", e.DN, s.cfg.PasswordAttribute)
	}
	start := time.Now()
	var family string
	for _, v := range values {
		h, clear := s.storedHash(v)
		res, err := s.verifier.Verify(ctx, password, h)
		if err != nil {
			if rec := source.HashRecord(s.entryID(e), err); rec != nil {
				s.dummyVerify(ctx, password)
				s.log.WarnContext(ctx, "legacy user's record is unusable", "dn", e.DN, "reason", rec.Reason, "error", err)
				return passhash.Result{}, rec
			}
			return passhash.Result{}, fmt.Errorf("entry %s: %s: %w", e.DN, s.cfg.PasswordAttribute, err)
		}
		if !clear && s.dummyHash.Load() == nil {
			hv := v
			s.dummyHash.CompareAndSwap(nil, &hv)
		}
		if res.Match {
			return res, nil
		}
		family = res.Family
	}
	s.pacer.Pad(ctx, start, family)
	return passhash.Result{}, source.ErrInvalidPassword
}

// storedHash reads a password attribute value: a {SCHEME} prefix names
// the scheme, as OpenLDAP reads it; {CLEARTEXT}secret is the password
// itself (clear is true: passhash's "plaintext" format, allowed only with
// allow_plaintext). A value without a prefix, which OpenLDAP would compare
// as cleartext, is a hash when a passhash family claims it (applications
// that verify passwords themselves store bcrypt or $6$ values bare) and
// cleartext otherwise.
func (s *Source) storedHash(v string) (h passhash.Hash, clear bool) {
	if strings.HasPrefix(v, "{") {
		if end := strings.IndexByte(v, '}'); end > 0 {
			if !strings.EqualFold(v[1:end], "CLEARTEXT") {
				return passhash.Hash{Encoded: v}, false
			}
			return passhash.Hash{Encoded: v[end+1:], Format: "plaintext"}, true
		}
	}
	if _, err := s.verifier.Identify(passhash.Hash{Encoded: v}); !errors.Is(err, passhash.ErrUnknownFormat) {
		return passhash.Hash{Encoded: v}, false
	}
	return passhash.Hash{Encoded: v, Format: "plaintext"}, true
}

// dummyVerify spends what a wrong password would cost and ignores the
// result: a bind as a name no entry has (bind mode), or a verification of
// the dummy hash padded to the floor of every refusal (compare_hash mode,
// source.Pacer).
func (s *Source) dummyVerify(ctx context.Context, password string) {
	if s.cfg.Mode == ModeCompareHash {
		start := time.Now()
		_ = s.pacer.Spend(ctx, password)
		s.pacer.Pad(ctx, start, "")
		return
	}
	dn := s.cfg.Attributes.Username + "=" + escapeDN(s.dummyName) + "," + s.cfg.BaseDN
	if err := s.bind(ctx, s.bindName(dn, s.dummyName), password); err == nil {
		s.log.WarnContext(ctx, "a bind as a non-existent entry succeeded; the server may allow unauthenticated binds", "dn", dn)
	}
}

// dummy returns the stored hash verified for unknown users: the last real
// one seen, else one read from any entry under the base DN (so it has the
// family and cost the directory really uses), else a bcrypt hash at
// dummyCost made once.
func (s *Source) dummy(ctx context.Context) string {
	if p := s.dummyHash.Load(); p != nil {
		return *p
	}
	attr := s.cfg.PasswordAttribute
	// A few entries, in case one holds a value passhash cannot read.
	req := ldap.NewSearchRequest(s.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 5, 0, false,
		"("+attr+"=*)", []string{attr}, nil)
	var v string
	_ = withConn(ctx, s.search, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
		res, err := c.Search(req) // a size-limit error still returns the entries
		for _, e := range res.Entries {
			if h := e.GetEqualFoldAttributeValue(attr); h != "" {
				if _, ierr := s.verifier.Identify(passhash.Hash{Encoded: h}); ierr == nil {
					v = h
					break
				}
			}
		}
		return err
	})
	if v == "" {
		s.fallbackOnce.Do(func() {
			var pw [12]byte
			_, _ = rand.Read(pw[:])
			h, _ := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(pw[:])), dummyCost)
			s.fallback = string(h)
		})
		v = s.fallback
	}
	s.dummyHash.CompareAndSwap(nil, &v)
	return v
}
