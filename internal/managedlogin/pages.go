package managedlogin

import (
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	// link is the URL of another page of the domain, carrying the
	// authorization request (the Query, which the server itself encoded).
	"link": func(d pageData, page string) template.URL {
		return template.URL(d.Base + "/" + page + "?" + d.Query)
	},
}).ParseFS(templateFS, "templates/*.html"))

// genericError is what a user sees for a fault (never a detail of it).
const genericError = "An error was encountered with the requested page."

// pageData is what every page template receives.
type pageData struct {
	Title    string
	Base     string // the domain's path, e.g. /my-app
	Query    string // the authorization request, re-encoded
	CSRF     string
	Error    string
	Notice   string
	Username string
	Code     string // error page: the OAuth error code
}

// render writes page name with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	d.Base = domainPath(r)
	if d.CSRF == "" {
		d.CSRF = s.csrfToken(w, r)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, d); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

// csrfToken returns the browser's form token, setting the cookie that
// proves it (a double-submit token, as Cognito's XSRF-TOKEN).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	t := randomString(32)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: t, Path: domainPath(r), HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return t
}

// checkForm parses a posted form and checks its CSRF token.
func (s *Server) checkForm(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) == 1
}

// userMessage is the text a page shows for err: Cognito's message for an
// outcome, a generic one for a fault (which is logged).
func (s *Server) userMessage(r *http.Request, err error) string {
	var e *userpool.Error
	if errors.As(err, &e) && e.Err == nil {
		return e.Message
	}
	s.log.ErrorContext(r.Context(), "managed login", "path", r.URL.Path, "err", err)
	return genericError
}

// pageRequest resolves the domain and the authorization request a page
// carries; on failure it has already answered.
func (s *Server) pageRequest(w http.ResponseWriter, r *http.Request) (string, *authRequest, bool) {
	poolID, ok := s.poolOf(w, r)
	if !ok {
		return "", nil, false
	}
	a, aerr := s.parseAuthRequest(r, poolID)
	if aerr != nil {
		s.refuse(w, r, a, aerr)
		return "", nil, false
	}
	return poolID, a, true
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, a, ok := s.pageRequest(w, r); ok {
		s.render(w, r, http.StatusOK, "login.html", pageData{Title: "Sign in", Query: a.query(), Notice: noticeText(r)})
	}
}

// notices are the messages a page shows after a redirect (?notice=).
var notices = map[string]string{
	"reset":     "Your password has been changed. Sign in with your new password.",
	"confirmed": "Your account is confirmed. Sign in to continue.",
}

func noticeText(r *http.Request) string { return notices[r.URL.Query().Get("notice")] }

// formPost begins a POST of one of the pages: the authorize request it
// carries and the page's data, once the form's CSRF token is checked (a
// form without a valid one gets the page back, refused).
func (s *Server) formPost(w http.ResponseWriter, r *http.Request, page, title string) (poolID string, a *authRequest, d pageData, ok bool) {
	poolID, a, ok = s.pageRequest(w, r)
	if !ok {
		return "", nil, d, false
	}
	d = pageData{Title: title, Query: a.query()}
	if !s.checkForm(r) {
		d.Error = genericError
		s.render(w, r, http.StatusForbidden, page, d)
		return "", nil, d, false
	}
	return poolID, a, d, true
}

// login is POST /login: the password sign-in, migrating unknown users.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	poolID, a, d, ok := s.formPost(w, r, "login.html", "Sign in")
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	u, err := s.svc.ManagedSignIn(r.Context(), a.ClientID, username, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, userpool.ErrUserNotConfirmed):
		http.Redirect(w, r, domainPath(r)+"/confirm?"+a.query()+"&"+url.Values{"username": {username}}.Encode(), http.StatusFound)
		return
	case errors.Is(err, userpool.ErrPasswordResetRequired):
		http.Redirect(w, r, domainPath(r)+"/forgotPassword?"+a.query()+"&"+url.Values{"username": {username}}.Encode(), http.StatusFound)
		return
	case err != nil:
		d.Username, d.Error = username, s.userMessage(r, err)
		s.render(w, r, http.StatusOK, "login.html", d)
		return
	}
	s.complete(w, r, a, s.startSession(w, r, poolID, u.Username))
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	if _, a, ok := s.pageRequest(w, r); ok {
		s.render(w, r, http.StatusOK, "forgot.html", pageData{Title: "Forgot your password?", Query: a.query(), Username: r.URL.Query().Get("username")})
	}
}

// forgot is POST /forgotPassword: sends the reset code (to the outbox),
// migrating an unknown user first.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	_, a, d, ok := s.formPost(w, r, "forgot.html", "Forgot your password?")
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	_, err := s.svc.ForgotPassword(r.Context(), userpool.ForgotPasswordInput{ClientID: a.ClientID,
		SecretHash: a.client.SecretHash(username), Username: username})
	if err != nil {
		d.Username, d.Error = username, s.userMessage(r, err)
		s.render(w, r, http.StatusOK, "forgot.html", d)
		return
	}
	http.Redirect(w, r, domainPath(r)+"/confirmForgotPassword?"+a.query()+"&"+url.Values{"username": {username}}.Encode(), http.StatusFound)
}

func (s *Server) confirmForgotPage(w http.ResponseWriter, r *http.Request) {
	if _, a, ok := s.pageRequest(w, r); ok {
		s.render(w, r, http.StatusOK, "confirm_forgot.html", pageData{Title: "Reset your password", Query: a.query(), Username: r.URL.Query().Get("username")})
	}
}

func (s *Server) confirmForgot(w http.ResponseWriter, r *http.Request) {
	_, a, d, ok := s.formPost(w, r, "confirm_forgot.html", "Reset your password")
	if !ok {
		return
	}
	f := r.PostForm
	d.Username = f.Get("username")
	if f.Get("password") != f.Get("confirm_password") {
		d.Error = "Passwords do not match."
		s.render(w, r, http.StatusOK, "confirm_forgot.html", d)
		return
	}
	if err := s.svc.ConfirmForgotPassword(r.Context(), a.ClientID, a.client.SecretHash(d.Username), d.Username, f.Get("code"), f.Get("password")); err != nil {
		d.Error = s.userMessage(r, err)
		s.render(w, r, http.StatusOK, "confirm_forgot.html", d)
		return
	}
	http.Redirect(w, r, domainPath(r)+"/login?"+a.query()+"&notice=reset", http.StatusFound)
}

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) {
	if _, a, ok := s.pageRequest(w, r); ok {
		s.render(w, r, http.StatusOK, "signup.html", pageData{Title: "Sign up", Query: a.query()})
	}
}

// signup is POST /signup: a new user with an email address.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	_, a, d, ok := s.formPost(w, r, "signup.html", "Sign up")
	if !ok {
		return
	}
	f := r.PostForm
	d.Username = f.Get("username")
	attrs := map[string]string{}
	if e := f.Get("email"); e != "" {
		attrs["email"] = e
	}
	res, err := s.svc.SignUp(r.Context(), userpool.SignUpInput{ClientID: a.ClientID, SecretHash: a.client.SecretHash(d.Username),
		Username: d.Username, Password: f.Get("password"), Attributes: attrs})
	if err != nil {
		d.Error = s.userMessage(r, err)
		s.render(w, r, http.StatusOK, "signup.html", d)
		return
	}
	if res.UserConfirmed {
		http.Redirect(w, r, domainPath(r)+"/login?"+a.query()+"&notice=confirmed", http.StatusFound)
		return
	}
	http.Redirect(w, r, domainPath(r)+"/confirm?"+a.query()+"&"+url.Values{"username": {d.Username}}.Encode(), http.StatusFound)
}

func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	if _, a, ok := s.pageRequest(w, r); ok {
		s.render(w, r, http.StatusOK, "confirm.html", pageData{Title: "Confirm your account", Query: a.query(), Username: r.URL.Query().Get("username")})
	}
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	_, a, d, ok := s.formPost(w, r, "confirm.html", "Confirm your account")
	if !ok {
		return
	}
	d.Username = r.PostForm.Get("username")
	if _, err := s.svc.ConfirmSignUp(r.Context(), userpool.ConfirmSignUpInput{ClientID: a.ClientID,
		SecretHash: a.client.SecretHash(d.Username), Username: d.Username, Code: r.PostForm.Get("code")}); err != nil {
		d.Error = s.userMessage(r, err)
		s.render(w, r, http.StatusOK, "confirm.html", d)
		return
	}
	http.Redirect(w, r, domainPath(r)+"/login?"+a.query()+"&notice=confirmed", http.StatusFound)
}

// pageErrors are the error page's explanations, by error code; the page
// shows only these fixed texts, never text from its URL.
var pageErrors = map[string]string{
	"invalid_request":   "The request names no app client of this user pool (client_id).",
	"redirect_mismatch": "The redirect_uri is not one of the app client's callback URLs.",
	"logout_mismatch":   "The logout_uri is not one of the app client's sign-out URLs.",
}

// errorPage is GET /error: the page Cognito shows for a request it cannot
// send back to the app.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.poolOf(w, r); !ok {
		return
	}
	code := r.URL.Query().Get("error")
	s.render(w, r, http.StatusBadRequest, "error.html", pageData{Title: "Error", Code: code, Error: pageErrors[code]})
}

// WithoutError is d without its error, for the error page's heading (the
// page shows the error itself).
func (d pageData) WithoutError() pageData { d.Error = ""; return d }
