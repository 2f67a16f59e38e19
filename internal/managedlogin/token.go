package managedlogin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// oauthError writes an OAuth 2.0 error body, as the token and revoke
// endpoints answer (error codes of RFC 6749 §5.2).
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// cors lets a single-page app on another origin call the token, userInfo
// and revoke endpoints, as Cognito's do.
func cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "authorization, content-type")
	h.Set("Access-Control-Max-Age", "86400")
}

func (s *Server) preflight(w http.ResponseWriter, _ *http.Request) {
	cors(w)
	w.WriteHeader(http.StatusNoContent)
}

// clientAuth authenticates the calling client: HTTP Basic
// (client_secret_basic, id and secret form-url-encoded as RFC 6749 §2.3.1
// says) or client_id and client_secret in the form (client_secret_post).
// A client with a secret must prove it; a public client must not send one.
func (s *Server) clientAuth(r *http.Request, poolID string) (*userpool.ManagedClient, string, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, "", false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, err := s.svc.ManagedLoginClient(r.Context(), poolID, id)
	if err != nil {
		return nil, "", false
	}
	if c.Secret == "" {
		return c, "", secret == ""
	}
	return c, secret, c.CheckSecret(secret)
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// token is POST /oauth2/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	cors(w)
	poolID, ok := s.poolOf(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.")
		return
	}
	c, _, ok := s.clientAuth(r, poolID)
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_client", "Client authentication failed.")
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		s.codeGrant(w, r, poolID, c)
	case "refresh_token":
		if !c.Settings.AllowedOAuthFlowsUserPoolClient {
			oauthError(w, http.StatusBadRequest, "unauthorized_client", "Client is not enabled for OAuth2.0 flows.")
			return
		}
		ts, err := s.svc.RefreshOAuth(r.Context(), c.ClientID, f.Get("refresh_token"))
		if err != nil {
			s.grantError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, tokenResponse{AccessToken: ts.AccessToken, IDToken: ts.IDToken, TokenType: "Bearer", ExpiresIn: ts.ExpiresIn})
	case "client_credentials":
		s.clientCredentials(w, r, c)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing.")
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials.")
	}
}

// grantError answers a refused grant: invalid_grant for the pool's
// outcomes (expired, revoked, unknown), server_error for faults.
func (s *Server) grantError(w http.ResponseWriter, r *http.Request, err error) {
	var e *userpool.Error
	if errors.As(err, &e) && e.Err == nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", e.Message)
		return
	}
	s.log.ErrorContext(r.Context(), "token grant", "err", err)
	oauthError(w, http.StatusInternalServerError, "server_error", "An internal error occurred.")
}

func (s *Server) codeGrant(w http.ResponseWriter, r *http.Request, poolID string, c *userpool.ManagedClient) {
	f := r.PostForm
	if !c.HasFlow(userpool.OAuthFlowCode) {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "Client is not allowed the code flow.")
		return
	}
	if f.Get("code") == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "code is missing.")
		return
	}
	ac, ok := s.redeem(poolID, c.ClientID, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"))
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The code is invalid, expired or used, or redirect_uri or code_verifier does not match.")
		return
	}
	ts, err := s.svc.IssueOAuth(r.Context(), c.ClientID, ac.username, ac.authTime,
		userpool.OAuthGrant{Scope: strings.Join(ac.req.Scopes, " "), Nonce: ac.req.Nonce}, true)
	if err != nil {
		s.grantError(w, r, err)
		return
	}
	out := tokenResponse{AccessToken: ts.AccessToken, RefreshToken: ts.RefreshToken, TokenType: "Bearer", ExpiresIn: ts.ExpiresIn}
	if slices.Contains(ac.req.Scopes, userpool.ScopeOpenID) {
		out.IDToken = ts.IDToken
	}
	writeJSON(w, http.StatusOK, out)
}

// clientCredentials grants a confidential client its custom scopes.
func (s *Server) clientCredentials(w http.ResponseWriter, r *http.Request, c *userpool.ManagedClient) {
	if c.Secret == "" || !c.HasFlow(userpool.OAuthFlowClientCredentials) {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "Client is not allowed the client_credentials flow.")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		for _, sc := range c.Settings.AllowedOAuthScopes {
			if userpool.IsCustomScope(sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	for _, sc := range scopes {
		if !c.HasScope(sc) || !userpool.IsCustomScope(sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "Invalid scope requested: "+sc)
			return
		}
	}
	tok, ttl, err := s.svc.ClientCredentials(r.Context(), c.ClientID, strings.Join(scopes, " "))
	if err != nil {
		s.grantError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: ttl})
}

// userInfo is GET/POST /oauth2/userInfo.
func (s *Server) userInfo(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if _, ok := s.poolOf(w, r); !ok {
		return
	}
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request", error_description="Access token is missing"`)
		oauthError(w, http.StatusUnauthorized, "invalid_request", "Access token is missing")
		return
	}
	info, err := s.svc.UserInfo(r.Context(), tok)
	if err != nil {
		var e *userpool.Error
		if !errors.As(err, &e) || e.Err != nil {
			s.log.ErrorContext(r.Context(), "userInfo", "err", err)
			oauthError(w, http.StatusInternalServerError, "server_error", "An internal error occurred.")
			return
		}
		desc := "Invalid access token"
		if strings.Contains(e.Message, "expired") {
			desc = "Access token is expired"
		} else if strings.Contains(e.Message, "revoked") {
			desc = "Access token has been revoked"
		} else if strings.Contains(e.Message, "scopes") {
			desc = "Access token does not contain openid scope"
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+desc+`"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", desc)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// revoke is POST /oauth2/revoke: a refresh token and every access token
// minted from it.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	cors(w)
	poolID, ok := s.poolOf(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is missing.")
		return
	}
	c, secret, ok := s.clientAuth(r, poolID)
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_client", "Client authentication failed.")
		return
	}
	err := s.svc.RevokeToken(r.Context(), r.PostForm.Get("token"), c.ClientID, secret)
	var e *userpool.Error
	switch {
	case err == nil:
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, userpool.ErrUnsupportedTokenType):
		oauthError(w, http.StatusBadRequest, "unsupported_token_type", e2msg(err))
	case errors.Is(err, userpool.ErrUnsupportedOperation):
		oauthError(w, http.StatusBadRequest, "unauthorized_client", e2msg(err))
	case errors.As(err, &e) && e.Err == nil:
		oauthError(w, http.StatusBadRequest, "invalid_request", e.Message)
	default:
		s.log.ErrorContext(r.Context(), "revoke", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "An internal error occurred.")
	}
}

func e2msg(err error) string {
	var e *userpool.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// logout is GET /logout: ends the session, then sends the browser to
// logout_uri (one of the client's LogoutURLs), or back to sign-in when
// called with redirect_uri and response_type as Cognito allows.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	poolID, ok := s.poolOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	c, err := s.svc.ManagedLoginClient(r.Context(), poolID, q.Get("client_id"))
	if err != nil {
		s.refuse(w, r, nil, &authError{code: "invalid_request", onPage: true})
		return
	}
	if lu := q.Get("logout_uri"); lu != "" {
		if !slices.Contains(c.Settings.LogoutURLs, lu) {
			s.refuse(w, r, nil, &authError{code: "logout_mismatch", onPage: true})
			return
		}
		s.endSession(w, r)
		http.Redirect(w, r, lu, http.StatusFound)
		return
	}
	if _, aerr := s.parseAuthRequest(r, poolID); aerr != nil {
		s.refuse(w, r, nil, &authError{code: "logout_mismatch", onPage: true})
		return
	}
	s.endSession(w, r)
	http.Redirect(w, r, domainPath(r)+"/login?"+r.URL.RawQuery, http.StatusFound)
}
