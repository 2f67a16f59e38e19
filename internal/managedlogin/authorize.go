package managedlogin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// authRequest is an authorization request, carried from /oauth2/authorize
// through the pages in their query string as Cognito carries it.
type authRequest struct {
	ClientID      string
	RedirectURI   string
	ResponseType  string
	State         string
	Scopes        []string
	Nonce         string
	CodeChallenge string
	client        *userpool.ManagedClient
}

// query re-encodes the request for the next page's URL.
func (a *authRequest) query() string {
	v := url.Values{"client_id": {a.ClientID}, "response_type": {a.ResponseType}, "redirect_uri": {a.RedirectURI}}
	if a.State != "" {
		v.Set("state", a.State)
	}
	if len(a.Scopes) > 0 {
		v.Set("scope", strings.Join(a.Scopes, " "))
	}
	if a.Nonce != "" {
		v.Set("nonce", a.Nonce)
	}
	if a.CodeChallenge != "" {
		v.Set("code_challenge", a.CodeChallenge)
		v.Set("code_challenge_method", "S256")
	}
	return v.Encode()
}

// authError is a refused authorization request: shown on the error page
// (when the redirect URI cannot be trusted) or sent to the redirect URI.
type authError struct {
	code, description string
	onPage            bool
}

// parseAuthRequest checks an authorization request as Cognito does. A bad
// client or redirect URI is shown on the managed login's error page (it is
// never safe to redirect there); everything else goes back to the app's
// redirect URI as error and error_description.
func (s *Server) parseAuthRequest(r *http.Request, poolID string) (*authRequest, *authError) {
	q := r.URL.Query()
	a := &authRequest{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), ResponseType: q.Get("response_type"),
		State: q.Get("state"), Nonce: q.Get("nonce"), CodeChallenge: q.Get("code_challenge"), Scopes: strings.Fields(q.Get("scope"))}
	c, err := s.svc.ManagedLoginClient(r.Context(), poolID, a.ClientID)
	if err != nil {
		return nil, &authError{code: "invalid_request", description: "Invalid client_id.", onPage: true}
	}
	a.client = c
	if a.RedirectURI == "" || !slices.Contains(c.Settings.CallbackURLs, a.RedirectURI) {
		return nil, &authError{code: "redirect_mismatch", description: "redirect_uri is not one of the client's callback URLs.", onPage: true}
	}
	if !c.Settings.AllowedOAuthFlowsUserPoolClient {
		return a, &authError{code: "unauthorized_client", description: "Client is not enabled for OAuth2.0 flows."}
	}
	switch a.ResponseType {
	case "code", "token":
	case "":
		return a, &authError{code: "invalid_request", description: "response_type is missing."}
	default:
		return a, &authError{code: "unsupported_response_type", description: "response_type must be code or token."}
	}
	flow := map[string]string{"code": userpool.OAuthFlowCode, "token": userpool.OAuthFlowImplicit}[a.ResponseType]
	if !c.HasFlow(flow) {
		return a, &authError{code: "unauthorized_client", description: "Client is not allowed the " + flow + " flow."}
	}
	if len(a.Scopes) == 0 {
		a.Scopes = slices.Clone(c.Settings.AllowedOAuthScopes)
	}
	for _, sc := range a.Scopes {
		if !c.HasScope(sc) {
			return a, &authError{code: "invalid_scope", description: "Invalid scope requested: " + sc}
		}
	}
	if a.CodeChallenge != "" || q.Has("code_challenge_method") {
		// Cognito accepts only S256 (RFC 7636's plain is refused).
		if m := q.Get("code_challenge_method"); m != "S256" {
			return a, &authError{code: "invalid_request", description: "code_challenge_method must be S256."}
		}
		if a.ResponseType != "code" || len(a.CodeChallenge) < 43 || len(a.CodeChallenge) > 128 {
			return a, &authError{code: "invalid_request", description: "Invalid code_challenge."}
		}
	}
	return a, nil
}

// refuse answers a failed authorization request the way Cognito does.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, a *authRequest, e *authError) {
	if e.onPage || a == nil {
		http.Redirect(w, r, domainPath(r)+"/error?"+url.Values{"error": {e.code}}.Encode(), http.StatusFound)
		return
	}
	v := url.Values{"error": {e.code}, "error_description": {e.description}}
	if a.State != "" {
		v.Set("state", a.State)
	}
	redirectWith(w, r, a.RedirectURI, a.ResponseType == "token", v)
}

// redirectWith sends the browser to target with v in its query, or in
// its fragment for the implicit flow.
func redirectWith(w http.ResponseWriter, r *http.Request, target string, fragment bool, v url.Values) {
	sep := "?"
	if fragment {
		sep = "#"
	} else if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+v.Encode(), http.StatusFound)
}

// authorize is GET /oauth2/authorize: with a live session the browser goes
// straight back to the app; otherwise to the sign-in page.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	poolID, ok := s.poolOf(w, r)
	if !ok {
		return
	}
	a, aerr := s.parseAuthRequest(r, poolID)
	if aerr != nil {
		s.refuse(w, r, a, aerr)
		return
	}
	if sess := s.currentSession(r, poolID); sess != nil {
		s.complete(w, r, a, sess)
		return
	}
	http.Redirect(w, r, domainPath(r)+"/login?"+a.query(), http.StatusFound)
}

// complete finishes a signed-in authorization request: an authorization
// code, or the tokens themselves for the implicit flow.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, a *authRequest, sess *session) {
	v := url.Values{}
	if a.State != "" {
		v.Set("state", a.State)
	}
	if a.ResponseType == "code" {
		code := randomString(27)
		now := s.now()
		s.mu.Lock()
		s.sweepLocked(now)
		s.codes[code] = &authCode{req: *a, poolID: sess.poolID, username: sess.username, authTime: sess.authTime, expires: now.Add(codeTTL)}
		s.mu.Unlock()
		v.Set("code", code)
		redirectWith(w, r, a.RedirectURI, false, v)
		return
	}
	ts, err := s.svc.IssueOAuth(r.Context(), a.ClientID, sess.username, sess.authTime,
		userpool.OAuthGrant{Scope: strings.Join(a.Scopes, " "), Nonce: a.Nonce}, false)
	if err != nil {
		s.log.ErrorContext(r.Context(), "implicit grant", "err", err)
		s.refuse(w, r, a, &authError{code: "server_error", description: "An internal error occurred."})
		return
	}
	v.Set("access_token", ts.AccessToken)
	if slices.Contains(a.Scopes, userpool.ScopeOpenID) {
		v.Set("id_token", ts.IDToken)
	}
	v.Set("token_type", "Bearer")
	v.Set("expires_in", strconv.FormatInt(ts.ExpiresIn, 10))
	redirectWith(w, r, a.RedirectURI, true, v)
}

// redeem takes an authorization code (once) for its client, checking the
// redirect URI and the PKCE verifier.
func (s *Server) redeem(poolID, clientID, code, redirectURI, verifier string) (*authCode, bool) {
	s.mu.Lock()
	c := s.codes[code]
	delete(s.codes, code)
	s.mu.Unlock()
	if c == nil || c.poolID != poolID || c.req.ClientID != clientID || s.now().After(c.expires) || c.req.RedirectURI != redirectURI {
		return nil, false
	}
	if c.req.CodeChallenge != "" {
		sum := sha256.Sum256([]byte(verifier))
		got := base64.RawURLEncoding.EncodeToString(sum[:])
		if verifier == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.req.CodeChallenge)) != 1 {
			return nil, false
		}
	}
	return c, true
}
