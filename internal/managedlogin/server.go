// Package managedlogin serves a user pool's managed login (Cognito's
// hosted UI) and its OAuth 2.0 endpoints: /oauth2/authorize, /login,
// /forgotPassword, /confirmForgotPassword, /signup, /confirm,
// /oauth2/token, /oauth2/userInfo, /oauth2/revoke and /logout.
//
// Cognito serves them on the pool's domain (https://<prefix>.auth.<region>.
// amazoncognito.com/login). Locally each domain is a path prefix of the
// server's own address, http://127.0.0.1:9229/<domain>/login, so browsers
// and OpenID Connect libraries reach it through a plain loopback URL, and
// the session cookie, scoped to that path, belongs to that domain alone.
//
// The pages are plain server-rendered HTML. Signing in runs the pool's
// password check with the migration trigger for unknown users, as the
// hosted UI runs UserMigration_Authentication; the forgot-password pages
// run UserMigration_ForgotPassword.
package managedlogin

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Lifetimes, Cognito's: an authorization code is good for 5 minutes and
// one use; the managed-login session cookie lasts an hour.
const (
	codeTTL    = 5 * time.Minute
	sessionTTL = time.Hour
	// maxPending bounds the in-memory codes and sessions; expired entries
	// are swept when it is reached, so a flood of sign-ins cannot grow
	// memory without end.
	maxPending = 100_000
)

// Cookie names, as Cognito's managed login sets them.
const (
	sessionCookie = "cognito"
	csrfCookie    = "XSRF-TOKEN"
	csrfField     = "_csrf"
)

// Server is the managed login of every pool of a userpool.Service.
type Server struct {
	svc *userpool.Service
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	codes    map[string]*authCode
	sessions map[string]*session
}

// session is a signed-in managed-login session.
type session struct {
	poolID   string
	username string
	authTime time.Time
	expires  time.Time
}

// authCode is an issued, not yet redeemed authorization code.
type authCode struct {
	req      authRequest
	poolID   string
	username string
	authTime time.Time
	expires  time.Time
}

// New returns the managed login of svc's pools.
func New(svc *userpool.Service, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{svc: svc, log: logger.With("component", "managedlogin"), now: time.Now,
		codes: map[string]*authCode{}, sessions: map[string]*session{}}
}

// Endpoints are the paths served under a domain, in the one table both
// Register and the discovery document read.
var Endpoints = []struct {
	Method, Path string
	handler      func(*Server, http.ResponseWriter, *http.Request)
}{
	{"GET", "/oauth2/authorize", (*Server).authorize},
	{"GET", "/login", (*Server).loginPage},
	{"POST", "/login", (*Server).login},
	{"GET", "/forgotPassword", (*Server).forgotPage},
	{"POST", "/forgotPassword", (*Server).forgot},
	{"GET", "/confirmForgotPassword", (*Server).confirmForgotPage},
	{"POST", "/confirmForgotPassword", (*Server).confirmForgot},
	{"GET", "/signup", (*Server).signupPage},
	{"POST", "/signup", (*Server).signup},
	{"GET", "/confirm", (*Server).confirmPage},
	{"POST", "/confirm", (*Server).confirm},
	{"POST", "/oauth2/token", (*Server).token},
	{"OPTIONS", "/oauth2/token", (*Server).preflight},
	{"GET", "/oauth2/userInfo", (*Server).userInfo},
	{"POST", "/oauth2/userInfo", (*Server).userInfo},
	{"OPTIONS", "/oauth2/userInfo", (*Server).preflight},
	{"POST", "/oauth2/revoke", (*Server).revoke},
	{"OPTIONS", "/oauth2/revoke", (*Server).preflight},
	{"GET", "/logout", (*Server).logout},
	{"GET", "/error", (*Server).errorPage},
}

// Register mounts every endpoint on mux under /{domain}.
func (s *Server) Register(mux *http.ServeMux) {
	for _, e := range Endpoints {
		h := e.handler
		mux.HandleFunc(e.Method+" /{domain}"+e.Path, func(w http.ResponseWriter, r *http.Request) { h(s, w, r) })
	}
}

// Mount returns the handler of one address serving the Cognito API (api)
// and, beside it, the managed login of every pool's domain: the one place
// the local server's routes are put together.
func Mount(api http.Handler, svc *userpool.Service, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", api)
	New(svc, logger).Register(mux)
	return mux
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sweepLocked drops expired codes and sessions once the maps are large.
func (s *Server) sweepLocked(now time.Time) {
	if len(s.codes)+len(s.sessions) < maxPending {
		return
	}
	for k, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
}

// poolOf resolves the request's domain to its pool, or answers 404.
func (s *Server) poolOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	poolID, err := s.svc.DomainPool(r.Context(), r.PathValue("domain"))
	if err != nil {
		http.NotFound(w, r)
		return "", false
	}
	return poolID, true
}

// currentSession returns the request's live session of poolID, if any.
func (s *Server) currentSession(r *http.Request, poolID string) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[c.Value]
	if sess == nil || sess.poolID != poolID || s.now().After(sess.expires) {
		return nil
	}
	return sess
}

// startSession signs the browser in and sets the session cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, poolID, username string) *session {
	now := s.now()
	sess := &session{poolID: poolID, username: username, authTime: now, expires: now.Add(sessionTTL)}
	id := randomString(32)
	s.mu.Lock()
	s.sweepLocked(now)
	s.sessions[id] = sess
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: domainPath(r), HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL / time.Second)})
	return sess
}

// endSession signs the browser out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: domainPath(r), HttpOnly: true, MaxAge: -1})
}

func domainPath(r *http.Request) string { return userpool.DomainPath(r.PathValue("domain")) }
