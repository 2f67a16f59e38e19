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
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// ErrAmbiguous is the fault when a name matches more than one entry: the
// filter is too loose (or the directory has duplicates), and guessing which
// entry is meant could sign a user in as somebody else.
var ErrAmbiguous = errors.New("more than one entry matches")

// dummyCost is the bcrypt cost of the stand-in hash compare_hash mode
// verifies for unknown users when the directory shows it no real stored
// hash; 10 is the common default of the applications that write bcrypt.
const dummyCost = 10

// Source is an LDAP / Active Directory legacy source. It implements
// source.Source, source.Checker and io.Closer, and is safe for concurrent use.
type Source struct {
	name string
	cfg  Config
	log  *slog.Logger

	search *pool // bound as the service account
	binds  *pool // used only for user binds

	verifier *passhash.Verifier
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
	}
	return s, nil
}

func (c *Config) tlsConfig() (*tls.Config, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if conf.ServerName == "" {
		conf.ServerName = u.Hostname()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", c.CAFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// dial connects (and upgrades with StartTLS when configured) within the
// connect timeout and ctx.
func (s *Source) dial(ctx context.Context, tlsConf *tls.Config) (*ldap.Conn, error) {
	d := &net.Dialer{Timeout: s.cfg.ConnectTimeout}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	type result struct {
		c   *ldap.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ldap.DialURL(s.cfg.URL, ldap.DialWithDialer(d), ldap.DialWithTLSConfig(tlsConf))
		if err == nil && s.cfg.StartTLS {
			c.SetTimeout(s.cfg.ConnectTimeout)
			if err = c.StartTLS(tlsConf); err != nil {
				c.Close()
				err = fmt.Errorf("starttls: %w", err)
			}
		}
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("connect: %w", r.err)
		}
		return r.c, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
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

// searchReq runs req on a pooled service-account connection.
func (s *Source) searchReq(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	var res *ldap.SearchResult
	err := withConn(ctx, s.search, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
		var err error
		res, err = c.Search(req)
		return err
	})
	return res, err
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
	}
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
// result: a bind as a name no entry has (bind mode), or a hash verification
// (compare_hash mode).
func (s *Source) dummyVerify(ctx context.Context, password string) {
	if s.cfg.Mode == ModeCompareHash {
		_, _ = s.verifier.Verify(ctx, password, passhash.Hash{Encoded: s.dummy(ctx)})
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
