package ldapsource

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Attributes of the directory's lockout state and policy. Each is absent
// from directories that do not use it.
const (
	// attrPwdPolicySubentry (ppolicy, operational) names an entry's own
	// policy; entries without it follow the overlay's default.
	attrPwdPolicySubentry = "pwdPolicySubentry"
	// attrPwdFailureTime (ppolicy, operational) holds one time per failed
	// bind that still counts.
	attrPwdFailureTime = "pwdFailureTime"
	// attrLockoutTime (AD) is when the account was locked, as a FILETIME;
	// 0 is not locked.
	attrLockoutTime = "lockoutTime"
	// attrBadPwdCount and attrBadPasswordTime (AD) count failed binds and
	// say when the last one was.
	attrBadPwdCount     = "badPwdCount"
	attrBadPasswordTime = "badPasswordTime"

	// permanentLock is the pwdAccountLockedTime value that means "locked
	// until an administrator unlocks", whatever the policy's duration.
	permanentLock = "000001010000Z"
	// generalizedTime parses LDAP GeneralizedTime; Go accepts the optional
	// fraction after the seconds (pwdFailureTime has microseconds).
	generalizedTime = "20060102150405Z0700"
)

// policyTTL is how long a policy entry read from the directory is reused:
// policies change rarely, and a sign-in should not cost a second search.
// Five minutes bounds how long a changed policy goes unseen.
const policyTTL = 5 * time.Minute

// policy is what the source needs of a password policy.
type policy struct {
	// Lockout: the directory locks an account after MaxFailure failed
	// binds (ppolicy pwdLockout with pwdMaxFailure > 0; AD lockoutThreshold
	// > 0).
	Lockout    bool
	MaxFailure int
	// LockoutDuration is how long a lock lasts; 0 is until an
	// administrator unlocks (ppolicy pwdLockoutDuration 0, AD
	// lockoutDuration "forever").
	LockoutDuration time.Duration
	// FailureInterval is how long a failed bind counts; 0 is until the next
	// successful bind (ppolicy pwdFailureCountInterval 0).
	FailureInterval time.Duration
	// Read: a policy entry was read (otherwise only the configuration's
	// stand-ins apply).
	Read bool
}

// withConfig applies the configured stand-ins: max_failure always (the
// smaller count wins: locking later than the directory would is the one
// mistake that cannot happen), lockout_duration where no entry was read.
func (p policy) withConfig(c PasswordPolicy) policy {
	if n := c.MaxFailure; n > 0 {
		if !p.Lockout || p.MaxFailure == 0 || n < p.MaxFailure {
			p.MaxFailure = n
		}
		p.Lockout = true
	}
	if !p.Read && c.LockoutDuration > 0 {
		p.LockoutDuration = c.LockoutDuration
	}
	return p
}

// ppolicyAttributes are read from an OpenLDAP policy entry.
var ppolicyAttributes = []string{"pwdLockout", "pwdMaxFailure", "pwdLockoutDuration", "pwdFailureCountInterval"}

// adPolicyAttributes are read from an Active Directory domain object.
var adPolicyAttributes = []string{"lockoutThreshold", "lockoutDuration", "lockOutObservationWindow"}

// parsePPolicy reads an OpenLDAP pwdPolicy entry (draft-behera-ldap-
// password-policy): durations are in seconds, pwdLockout defaults to FALSE.
func parsePPolicy(e *ldap.Entry) (policy, error) {
	if e.GetEqualFoldAttributeValue("pwdMaxFailure") == "" && e.GetEqualFoldAttributeValue("pwdLockout") == "" {
		return policy{}, fmt.Errorf("%s shows no pwdLockout or pwdMaxFailure (is it a pwdPolicy entry the service account may read?)", e.DN)
	}
	p := policy{Read: true, Lockout: strings.EqualFold(e.GetEqualFoldAttributeValue("pwdLockout"), "TRUE")}
	var err error
	num := func(attr string) int {
		v := e.GetEqualFoldAttributeValue(attr)
		if v == "" || err != nil {
			return 0
		}
		n, perr := strconv.Atoi(strings.TrimSpace(v))
		if perr != nil || n < 0 {
			err = fmt.Errorf("%s: %s %q is not a count", e.DN, attr, v)
		}
		return n
	}
	p.MaxFailure = num("pwdMaxFailure")
	p.LockoutDuration = time.Duration(num("pwdLockoutDuration")) * time.Second
	p.FailureInterval = time.Duration(num("pwdFailureCountInterval")) * time.Second
	if err != nil {
		return policy{}, err
	}
	p.Lockout = p.Lockout && p.MaxFailure > 0
	return p, nil
}

// adNever is the Integer8 value Active Directory writes for "forever".
const adNever = math.MinInt64

// parseADPolicy reads an Active Directory domain object: lockoutThreshold
// is a count, lockoutDuration and lockOutObservationWindow are negative
// intervals of 100 ns; a lockoutDuration of 0 or "forever" keeps an
// account locked until an administrator unlocks it.
func parseADPolicy(e *ldap.Entry) (policy, error) {
	th := e.GetEqualFoldAttributeValue("lockoutThreshold")
	if th == "" {
		return policy{}, fmt.Errorf("%s shows no lockoutThreshold (is it the domain object, readable by the service account?)", e.DN)
	}
	n, err := strconv.Atoi(strings.TrimSpace(th))
	if err != nil || n < 0 {
		return policy{}, fmt.Errorf("%s: lockoutThreshold %q is not a count", e.DN, th)
	}
	p := policy{Read: true, Lockout: n > 0, MaxFailure: n}
	interval := func(attr string) (time.Duration, error) {
		v := strings.TrimSpace(e.GetEqualFoldAttributeValue(attr))
		if v == "" {
			return 0, nil
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x > 0 {
			return 0, fmt.Errorf("%s: %s %q is not a negative interval", e.DN, attr, v)
		}
		if x == adNever {
			return 0, nil
		}
		return time.Duration(-x) * 100, nil
	}
	if p.LockoutDuration, err = interval("lockoutDuration"); err != nil {
		return policy{}, err
	}
	if p.FailureInterval, err = interval("lockOutObservationWindow"); err != nil {
		return policy{}, err
	}
	return p, nil
}

// fileTime converts a Windows FILETIME (100 ns since 1601-01-01 UTC).
func fileTime(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	return time.Unix(0, 0).UTC().Add(time.Duration(n-epochDiff) * 100), true
}

// lockReason returns why e is locked at now under p, or "" when it is not
// (never locked, or a temporary lock the directory has already lifted: a
// bind would succeed again).
func lockReason(e *ldap.Entry, p policy, now time.Time) string {
	if v := strings.TrimSpace(e.GetEqualFoldAttributeValue(attrPwdAccountLockedTime)); v != "" {
		if v == permanentLock {
			return "pwdAccountLockedTime " + permanentLock + " (until an administrator unlocks)"
		}
		t, err := time.Parse(generalizedTime, v)
		if err != nil {
			// Unreadable: a lock all the same, as the directory has it.
			return "pwdAccountLockedTime " + strconv.Quote(v)
		}
		return temporaryLock("pwdAccountLockedTime", t, p, now)
	}
	if v := e.GetEqualFoldAttributeValue(attrLockoutTime); v != "" {
		if t, ok := fileTime(v); ok {
			return temporaryLock("lockoutTime", t, p, now)
		}
	}
	return ""
}

// temporaryLock decides a lock set at t: it lasts the policy's duration,
// forever when the policy has none (or none was read).
func temporaryLock(attr string, t time.Time, p policy, now time.Time) string {
	if p.LockoutDuration <= 0 {
		return attr + " " + t.UTC().Format(time.RFC3339) + " (no lockout duration: until an administrator unlocks)"
	}
	until := t.Add(p.LockoutDuration)
	if !now.Before(until) {
		return ""
	}
	return attr + " until " + until.UTC().Format(time.RFC3339)
}

// failures counts the failed binds the directory holds against e that
// still count towards a lock at now.
func failures(e *ldap.Entry, p policy, now time.Time) int {
	n := 0
	for _, v := range e.GetEqualFoldAttributeValues(attrPwdFailureTime) {
		t, err := time.Parse(generalizedTime, strings.TrimSpace(v))
		if err != nil || p.FailureInterval <= 0 || now.Sub(t) < p.FailureInterval {
			n++ // an unreadable time counts: erring towards not locking
		}
	}
	if v := e.GetEqualFoldAttributeValue(attrBadPwdCount); v != "" {
		c, err := strconv.Atoi(strings.TrimSpace(v))
		last, ok := fileTime(e.GetEqualFoldAttributeValue(attrBadPasswordTime))
		// AD resets badPwdCount on the next attempt after the observation
		// window; until then it counts.
		if err == nil && c > 0 && (!ok || p.FailureInterval <= 0 || now.Sub(last) < p.FailureInterval) {
			n += c
		}
	}
	return n
}

// bindWouldRisk reports whether one more failed bind as e could lock it:
// binding is then refused without sending the password, so a sign-in
// through Cognito can never be the one that locks a directory account.
func bindWouldRisk(e *ldap.Entry, p policy, now time.Time) (int, bool) {
	if !p.Lockout || p.MaxFailure <= 0 {
		return 0, false
	}
	n := failures(e, p, now)
	return n, n+1 >= p.MaxFailure
}

// policies reads and caches password policy entries.
type policies struct {
	mu    sync.Mutex
	cache map[string]cachedPolicy
}

type cachedPolicy struct {
	p       policy
	expires time.Time
}

// policyFor returns the policy that governs e, with the configured
// stand-ins applied. ownErr is true when the error belongs to e alone (its
// pwdPolicySubentry names an entry that cannot be read).
func (s *Source) policyFor(ctx context.Context, e *ldap.Entry) (p policy, ownErr bool, err error) {
	pp := s.cfg.PasswordPolicy
	dn, ad, own := pp.DefaultDN, false, false
	if v := e.GetEqualFoldAttributeValue(attrPwdPolicySubentry); v != "" {
		dn, own = v, true
	} else if pp.DomainDN != "" {
		dn, ad = pp.DomainDN, true
	}
	if dn == "" {
		return policy{}.withConfig(pp), false, nil
	}
	p, err = s.readPolicy(ctx, dn, ad)
	if err != nil {
		return policy{}, own, err
	}
	return p.withConfig(pp), false, nil
}

// readPolicy returns the policy entry dn, from the cache when fresh.
// ad says whether dn is an Active Directory domain object rather than a
// ppolicy entry.
func (s *Source) readPolicy(ctx context.Context, dn string, ad bool) (policy, error) {
	now := s.now()
	key := strings.ToLower(dn)
	s.policies.mu.Lock()
	c, ok := s.policies.cache[key]
	s.policies.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	attrs, parse := ppolicyAttributes, parsePPolicy
	if ad {
		attrs, parse = adPolicyAttributes, parseADPolicy
	}
	req := ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", attrs, nil)
	res, err := s.searchReq(ctx, req)
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return policy{}, fmt.Errorf("password policy %s does not exist or the service account may not read it", dn)
	case err != nil:
		return policy{}, fmt.Errorf("password policy %s: %w", dn, err)
	case len(res.Entries) != 1:
		return policy{}, fmt.Errorf("password policy %s: not readable by the service account", dn)
	}
	p, err := parse(res.Entries[0])
	if err != nil {
		return policy{}, fmt.Errorf("password policy %w", err)
	}
	s.policies.mu.Lock()
	if s.policies.cache == nil {
		s.policies.cache = map[string]cachedPolicy{}
	}
	s.policies.cache[key] = cachedPolicy{p: p, expires: now.Add(policyTTL)}
	s.policies.mu.Unlock()
	return p, nil
}

// FailureCap returns how many failed sign-ins per user Ferry may let reach
// the directory before its own throttle refuses: one fewer than the
// lockout threshold of the policy most entries follow (password_policy
// default_dn or domain_dn, and max_failure), or 0 when no lockout is
// known or the mode never binds as users (compare_hash). The composition
// root lowers the per-user throttle to it. On a read error it returns the
// cap the configuration alone gives, with the error; entries with policies
// of their own are still protected by the check before each bind.
func (s *Source) FailureCap(ctx context.Context) (int, error) {
	if s.cfg.Mode != ModeBind {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	capOf := func(p policy) int {
		if !p.Lockout || p.MaxFailure <= 1 {
			return 0
		}
		return p.MaxFailure - 1
	}
	p, _, err := s.policyFor(ctx, ldap.NewEntry("", nil))
	if err != nil {
		return capOf(policy{}.withConfig(s.cfg.PasswordPolicy)), &source.Error{Source: s.name, Op: "policy", Err: err}
	}
	return capOf(p), nil
}
