// Package ldapsource is a legacy source backed by an LDAP directory or
// Active Directory: it finds the user with a service account, then verifies
// the password by binding as the user's entry (or, in compare_hash mode, by
// reading the stored userPassword and verifying it with passhash).
//
// Outcomes map as source.Source requires: no entry is ErrUserNotFound, LDAP
// result 49 (invalidCredentials) on the user bind is ErrInvalidPassword, an
// account disabled in the directory (AD userAccountControl ACCOUNTDISABLE,
// 389-DS nsAccountLock) or locked (OpenLDAP ppolicy pwdAccountLockedTime,
// AD lockoutTime) is ErrUserDisabled; an unreachable server, a timeout, any
// other result code and a name matching several entries are faults
// (*source.Error). A stored password compare_hash mode cannot use is that
// user's *source.RecordError.
//
// Password policy (policy.go): a lock lasts as long as the directory's
// policy says (pwdLockoutDuration, AD lockoutDuration), so a user whose
// temporary lock has run out migrates; "000001010000Z" and policies
// without a duration lock until an administrator unlocks. In bind mode the
// source never sends a bind that could be the one to lock an account: when
// the failures the directory holds against the entry are one short of the
// policy's pwdMaxFailure, the sign-in is refused without binding, and
// FailureCap tells the composition root to keep the per-user throttle
// below that count.
//
// Timing: when no entry matches, the source still performs a bind as a
// DN that does not exist under the base DN, with the typed password; the
// server answers invalidCredentials after the same search-then-bind round
// trips as for a wrong password, so the response time does not tell an
// unknown user from a known one. In compare_hash mode it verifies the
// password against a stored hash read from the directory (so of the family
// and cost its users really have) instead.
//
// Connections are pooled: searches run on connections bound as the service
// account, user binds on a second set of connections that are never used to
// search (a bind changes a connection's identity, so the two are not mixed).
// A pooled connection the server has dropped is detected on use and the call
// is retried once on a fresh one.
package ldapsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// ErrAmbiguous is the fault when a name matches more than one entry: the
// filter is too loose (or the directory has duplicates), and guessing which
// entry is meant could sign a user in as somebody else.
var ErrAmbiguous = errors.New("more than one entry matches")

// Source is an LDAP / Active Directory legacy source. It implements
// source.Source, source.Checker and io.Closer, and is safe for concurrent use.
type Source struct {
	name string
	cfg  Config
	log  *slog.Logger

	search *pool // bound as the service account
	binds  *pool // used only for user binds

	verifier *passhash.Verifier
	// pacer pads compare_hash mode's refusals to one time (source.Pacer).
	pacer *source.Pacer
	// dummyHash is what compare_hash mode verifies for unknown users (see
	// dummy).
	dummyHash    atomic.Pointer[string]
	fallbackOnce sync.Once
	fallback     string
	// dummyName is a name under the base DN that no entry has.
	dummyName string

	// now is the clock lock expiry is decided by.
	now      func() time.Time
	policies policies
	// bindLocks serialise the failure check and the bind of one entry
	// (striped by DN), so that two concurrent wrong passwords cannot both
	// pass the check and together reach pwdMaxFailure.
	bindLocks [64]sync.Mutex
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
)

// Open validates c and returns a Source named name. It does not connect:
// the first call (or Check) does.
func (c Config) Open(ctx context.Context, name string, log *slog.Logger) (*Source, error) {
	fail := func(err error) (*Source, error) {
		return nil, &source.Error{Source: name, Op: "open", Err: err}
	}
	if err := c.Validate(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	cfg := c.withDefaults()
	if cfg.BindPasswordFile != "" {
		b, err := os.ReadFile(cfg.BindPasswordFile)
		if err != nil {
			return fail(fmt.Errorf("bind_password_file: %w", err))
		}
		cfg.BindPassword = strings.TrimRight(string(b), "\r\n")
		if cfg.BindPassword == "" {
			return fail(fmt.Errorf("bind_password_file: %s is empty", cfg.BindPasswordFile))
		}
	}
	tlsConf, err := cfg.tlsConfig()
	if err != nil {
		return fail(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	s := &Source{
		name:      name,
		cfg:       cfg,
		log:       log.With("source", name, "type", "ldap"),
		dummyName: "ferry-absent-" + hex.EncodeToString(rnd[:]),
		now:       time.Now,
	}
	s.search = newPool(cfg.PoolSize, func(ctx context.Context) (*ldap.Conn, error) {
		conn, err := s.dial(ctx, tlsConf)
		if err != nil {
			return nil, err
		}
		err = do(ctx, conn, cfg.RequestTimeout, func(conn *ldap.Conn) error {
			return conn.Bind(cfg.BindDN, cfg.BindPassword)
		})
		if err != nil {
			conn.Close()
			if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
				// The service account's password was rotated or revoked.
				return nil, fmt.Errorf("service account bind: %w: %w", source.ErrBackendAuth, err)
			}
			return nil, fmt.Errorf("service account bind: %w", err)
		}
		return conn, nil
	})
	s.binds = newPool(cfg.PoolSize, func(ctx context.Context) (*ldap.Conn, error) {
		return s.dial(ctx, tlsConf)
	})
	s.log.DebugContext(ctx, "opened", "config", cfg)
	if cfg.Mode == ModeCompareHash {
		s.verifier, err = passhash.New(passhash.Options{AllowPlaintext: cfg.AllowPlaintext})
		if err != nil {
			return fail(err)
		}
		s.pacer = source.NewPacer(s.verifier, func(ctx context.Context) (passhash.Hash, error) {
			return passhash.Hash{Encoded: s.dummy(ctx)}, nil
		})
	}
	return s, nil
}

// Close closes the pooled connections. Calls after Close fail.
func (s *Source) Close() error {
	s.search.close()
	s.binds.close()
	return nil
}

// Check connects, binds as the service account and reads the base DN.
func (s *Source) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	err := withConn(ctx, s.search, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
		_, err := c.Search(ldap.NewSearchRequest(s.cfg.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
			1, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
		return err
	})
	if err != nil {
		return &source.Error{Source: s.name, Op: "check", Err: err}
	}
	return nil
}

// Lookup finds the user without verifying a password.
func (s *Source) Lookup(ctx context.Context, name string) (*source.User, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	fault := func(err error) (*source.User, error) {
		return nil, &source.Error{Source: s.name, Op: "lookup", Err: err}
	}
	e, err := s.find(ctx, name)
	if err != nil {
		return fault(err)
	}
	if e == nil {
		return nil, source.ErrUserNotFound
	}
	if _, err := s.usable(ctx, e); err != nil {
		if source.IsOutcome(err) {
			return nil, err
		}
		return fault(err)
	}
	u, err := s.user(ctx, e)
	if err != nil {
		return fault(err)
	}
	return u, nil
}

// usable returns e's password policy, or the outcome that stops a sign-in
// before any password is looked at: ErrUserDisabled for a disabled or
// locked account, a *source.RecordError when e's own policy entry cannot
// be read. Other errors are faults.
func (s *Source) usable(ctx context.Context, e *ldap.Entry) (policy, error) {
	p, own, err := s.policyFor(ctx, e)
	if err != nil {
		if own {
			s.log.WarnContext(ctx, "legacy user's record is unusable", "dn", e.DN, "reason", source.RecordUnreadable, "error", err)
			return policy{}, &source.RecordError{UserID: s.entryID(e), Reason: source.RecordUnreadable, Err: err}
		}
		return policy{}, err
	}
	reason := disabledReason(e)
	if reason == "" {
		reason = lockReason(e, p, s.now())
	}
	if reason != "" {
		s.log.DebugContext(ctx, "disabled account", "dn", e.DN, "reason", reason)
		return policy{}, source.ErrUserDisabled
	}
	return p, nil
}

// entryID is e's legacy id as User.ID has it (the DN when the id
// attribute is missing or unreadable).
func (s *Source) entryID(e *ldap.Entry) string {
	if id, err := textValue(e, s.cfg.Attributes.ID); err == nil && id != "" {
		return id
	}
	return e.DN
}

// Authenticate finds the user and verifies password.
func (s *Source) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	// An empty simple bind is an unauthenticated bind, which servers
	// answer with success: refuse it before anything is sent.
	if password == "" {
		return nil, source.ErrInvalidPassword
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	fault := func(err error) (*source.User, error) {
		return nil, &source.Error{Source: s.name, Op: "authenticate", Err: err}
	}
	e, err := s.find(ctx, name)
	if err != nil {
		return fault(err)
	}
	if e == nil {
		s.dummyVerify(ctx, password)
		return nil, source.ErrUserNotFound
	}
	p, err := s.usable(ctx, e)
	if err != nil {
		s.dummyVerify(ctx, password)
		if source.IsOutcome(err) {
			return nil, err
		}
		return fault(err)
	}
	var res passhash.Result
	if s.cfg.Mode == ModeCompareHash {
		res, err = s.compare(ctx, e, password)
	} else {
		err = s.guardedBind(ctx, e, p, password)
	}
	if err != nil {
		if source.IsOutcome(err) {
			return nil, err
		}
		return fault(err)
	}
	u, err := s.user(ctx, e)
	if err != nil {
		return fault(err)
	}
	u.HashFamily, u.WeakHash = res.Family, res.Weak
	return u, nil
}

// user maps e, then adds groups found by the group search if configured.
func (s *Source) user(ctx context.Context, e *ldap.Entry) (*source.User, error) {
	u, err := s.cfg.userFromEntry(e)
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", e.DN, err)
	}
	g := s.cfg.Groups
	if g == nil {
		return u, nil
	}
	filter := expand(g.Filter, map[string]string{
		"dn":       ldap.EscapeFilter(e.DN),
		"username": ldap.EscapeFilter(u.Username),
	})
	req := ldap.NewSearchRequest(g.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, []string{g.NameAttribute}, nil)
	res, err := s.searchReq(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("group search: %w", err)
	}
	for _, ge := range res.Entries {
		if n := ge.GetEqualFoldAttributeValue(g.NameAttribute); n != "" {
			u.Groups = append(u.Groups, n)
		}
	}
	return u, nil
}
