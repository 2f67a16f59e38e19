// Package refserver is a reference implementation of the legacy side of
// Ferry's HTTP source contract (docs/http-source.md), small enough to read in
// one sitting and to port to whatever the legacy application is written in.
//
// It serves, from an in-memory map of users with bcrypt password hashes:
//
//	POST /verify            {"username","password"} → 200 user | 401 | 404 | 423
//	POST /lookup            {"username"}            → 200 user | 404 | 423
//	GET  /keycloak/{name}                            → 200 Keycloak user | 404
//	POST /keycloak/{name}   {"password"}            → 200 | 401
//
// and authenticates Ferry by bearer token, basic credentials or an HMAC
// signature with a replay window (mutual TLS is the listener's business; see
// the example's main.go). Names match a username exactly or an email address
// case-insensitively. An unknown user costs a bcrypt verification like a
// known one, so response times do not reveal who exists.
package refserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// User is one legacy user as the users file holds it.
type User struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	PasswordHash  string `json:"password_hash"` // bcrypt
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Phone         string `json:"phone_number,omitempty"`
	PhoneVerified bool   `json:"phone_number_verified,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	FamilyName    string `json:"family_name,omitempty"`
	// Attributes are further Cognito attributes ("custom:plan": "pro").
	Attributes map[string]string `json:"attributes,omitempty"`
	Groups     []string          `json:"groups,omitempty"`
	Disabled   bool              `json:"disabled,omitempty"`
	// ResetRequired asks Ferry to migrate the user with RESET_REQUIRED.
	ResetRequired bool `json:"reset_required,omitempty"`
}

// Options configures the handler. At most one of Token, BasicUser or
// HMACKey is normally set; with none, requests are not authenticated.
type Options struct {
	Users []User
	// Token is the bearer token Ferry must present.
	Token string
	// BasicUser and BasicPassword are the basic credentials Ferry must present.
	BasicUser, BasicPassword string
	// HMACKey verifies X-Ferry-Signature; ReplayWindow (default 5 min) is
	// how far the signed time may be from now, either way.
	HMACKey      []byte
	ReplayWindow time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives one line per request (never a password); nil discards.
	Log *slog.Logger
}

// maxBody bounds a request body: a name and a password.
const maxBody = 16 << 10

type server struct {
	o       Options
	byName  map[string]*User
	byEmail map[string]*User
	// dummy is a bcrypt hash at the users' cost, verified for unknown users.
	dummy []byte
}

// New returns the handler. Every user needs an id, a username and a bcrypt
// hash; usernames and emails must be unique.
func New(o Options) (http.Handler, error) {
	if o.ReplayWindow == 0 {
		o.ReplayWindow = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{o: o, byName: map[string]*User{}, byEmail: map[string]*User{}}
	cost := bcrypt.DefaultCost
	for i := range o.Users {
		u := &o.Users[i]
		c, err := bcrypt.Cost([]byte(u.PasswordHash))
		if err != nil || u.ID == "" || u.Username == "" {
			return nil, fmt.Errorf("user %d (%q): needs id, username and a bcrypt password_hash", i, u.Username)
		}
		cost = c
		if s.byName[u.Username] != nil {
			return nil, fmt.Errorf("user %q: duplicate username", u.Username)
		}
		s.byName[u.Username] = u
		if u.Email != "" {
			e := strings.ToLower(u.Email)
			if s.byEmail[e] != nil {
				return nil, fmt.Errorf("user %q: duplicate email", u.Username)
			}
			s.byEmail[e] = u
		}
	}
	var pw [16]byte
	_, _ = rand.Read(pw[:])
	dummy, err := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(pw[:])), cost)
	if err != nil {
		return nil, err
	}
	s.dummy = dummy
	mux := http.NewServeMux()
	mux.HandleFunc("POST /verify", s.verify)
	mux.HandleFunc("POST /lookup", s.lookup)
	mux.HandleFunc("GET /keycloak/{name}", s.keycloakGet)
	mux.HandleFunc("POST /keycloak/{name}", s.keycloakVerify)
	return s.authenticate(mux), nil
}

// LoadUsers reads a JSON array of users.
func LoadUsers(path string) ([]User, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var users []User
	if err := json.Unmarshal(b, &users); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return users, nil
}

// authenticate checks Ferry's credentials before any handler runs, and
// answers 401 with a WWW-Authenticate challenge when they are wrong (Ferry
// reads that as "my credentials are refused", not "wrong password").
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if challenge, reason := s.refuse(r, body); challenge != "" {
			s.o.Log.Info("refused", "method", r.Method, "path", r.URL.Path, "reason", reason)
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse returns a challenge and a reason when the request is not Ferry's.
func (s *server) refuse(r *http.Request, body []byte) (challenge, reason string) {
	o := s.o
	if o.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(o.Token)) != 1 {
			return `Bearer realm="legacy"`, "bad bearer token"
		}
	}
	if o.BasicUser != "" {
		u, p, ok := r.BasicAuth()
		userOK := subtle.ConstantTimeCompare([]byte(u), []byte(o.BasicUser)) == 1
		passOK := subtle.ConstantTimeCompare([]byte(p), []byte(o.BasicPassword)) == 1
		if !ok || !userOK || !passOK {
			return `Basic realm="legacy"`, "bad basic credentials"
		}
	}
	if len(o.HMACKey) > 0 {
		if reason := s.checkSignature(r, body); reason != "" {
			return `Ferry-HMAC`, reason
		}
	}
	return "", ""
}

// checkSignature verifies X-Ferry-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of method "\n" path "\n" t "\n" body>.
func (s *server) checkSignature(r *http.Request, body []byte) string {
	var ts, sig string
	for part := range strings.SplitSeq(r.Header.Get("X-Ferry-Signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	got, herr := hex.DecodeString(sig)
	if err != nil || herr != nil || len(got) == 0 {
		return "signature missing"
	}
	m := hmac.New(sha256.New, s.o.HMACKey)
	m.Write([]byte(r.Method + "\n" + r.URL.EscapedPath() + "\n" + ts + "\n"))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return "signature mismatch"
	}
	if d := s.o.Now().Sub(time.Unix(sec, 0)); d > s.o.ReplayWindow || d < -s.o.ReplayWindow {
		return "signature outside the replay window"
	}
	return ""
}

// find matches a username exactly, or an email address ignoring case.
func (s *server) find(name string) *User {
	if u := s.byName[name]; u != nil {
		return u
	}
	if strings.Contains(name, "@") {
		return s.byEmail[strings.ToLower(name)]
	}
	return nil
}

// check verifies password for u, spending a bcrypt verification even when
// u is nil. It reports the HTTP status of the answer.
func (s *server) check(u *User, password string) int {
	if u == nil {
		_ = bcrypt.CompareHashAndPassword(s.dummy, []byte(password))
		return http.StatusNotFound
	}
	err := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password))
	switch {
	case u.Disabled:
		return http.StatusLocked
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return http.StatusUnauthorized
	case err != nil:
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

type request struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func decode(w http.ResponseWriter, r *http.Request) (request, bool) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return req, false
	}
	return req, true
}

func (s *server) verify(w http.ResponseWriter, r *http.Request) {
	req, ok := decode(w, r)
	if !ok {
		return
	}
	if req.Password == "" {
		s.answer(w, r, http.StatusUnauthorized, nil)
		return
	}
	u := s.find(req.Username)
	s.answer(w, r, s.check(u, req.Password), u)
}

func (s *server) lookup(w http.ResponseWriter, r *http.Request) {
	req, ok := decode(w, r)
	if !ok {
		return
	}
	u := s.find(req.Username)
	switch {
	case u == nil:
		s.answer(w, r, http.StatusNotFound, nil)
	case u.Disabled:
		s.answer(w, r, http.StatusLocked, nil)
	default:
		s.answer(w, r, http.StatusOK, u)
	}
}

// answer writes status, with the user JSON on 200 and a small error object
// otherwise.
func (s *server) answer(w http.ResponseWriter, r *http.Request, status int, u *User) {
	s.o.Log.Info("answer", "method", r.Method, "path", r.URL.Path, "status", status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status != http.StatusOK {
		_ = json.NewEncoder(w).Encode(map[string]string{"error": strings.ToLower(http.StatusText(status))})
		return
	}
	attrs := map[string]string{}
	for k, v := range u.Attributes {
		attrs[k] = v
	}
	if u.GivenName != "" {
		attrs["given_name"] = u.GivenName
	}
	if u.FamilyName != "" {
		attrs["family_name"] = u.FamilyName
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id":                      u.ID,
		"username":                u.Username,
		"email":                   u.Email,
		"email_verified":          u.EmailVerified,
		"phone_number":            u.Phone,
		"phone_number_verified":   u.PhoneVerified,
		"attributes":              attrs,
		"groups":                  u.Groups,
		"password_reset_required": u.ResetRequired,
	})
}

func (s *server) keycloakGet(w http.ResponseWriter, r *http.Request) {
	u := s.find(r.PathValue("name"))
	if u == nil {
		s.o.Log.Info("answer", "method", r.Method, "path", "/keycloak/…", "status", http.StatusNotFound)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	attrs := map[string][]string{}
	if u.Phone != "" {
		attrs["phone"] = []string{u.Phone}
	}
	for k, v := range u.Attributes {
		attrs[k] = []string{v}
	}
	var actions []string
	if u.ResetRequired {
		actions = []string{"UPDATE_PASSWORD"}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id":              u.ID,
		"username":        u.Username,
		"email":           u.Email,
		"emailVerified":   u.EmailVerified,
		"firstName":       u.GivenName,
		"lastName":        u.FamilyName,
		"enabled":         !u.Disabled,
		"attributes":      attrs,
		"groups":          u.Groups,
		"roles":           []string{},
		"requiredActions": actions,
	})
}

func (s *server) keycloakVerify(w http.ResponseWriter, r *http.Request) {
	req, ok := decode(w, r)
	if !ok {
		return
	}
	u := s.find(r.PathValue("name"))
	status := http.StatusUnauthorized
	if req.Password != "" && s.check(u, req.Password) == http.StatusOK {
		status = http.StatusOK
	} else if req.Password == "" {
		_ = bcrypt.CompareHashAndPassword(s.dummy, []byte("x"))
	}
	s.o.Log.Info("answer", "method", r.Method, "path", "/keycloak/…", "status", status)
	w.WriteHeader(status)
}
