package managedlogin_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

const (
	domain      = "my-app"
	callback    = "http://localhost:3000/callback"
	logoutURL   = "http://localhost:3000/"
	legacyPass  = "Legacy#Pass1"
	verifier    = "dBjftJeZ4CVP-mJ92K5b1fl9DEbNbwN4C3MT7Ybzb5Zxq1z0"
	wantTrigger = "UserMigration failed with error Bad password."
)

// migrate is a UserMigration trigger that knows legacy users whose
// password is legacyPass.
func migrate(_ context.Context, ev trigger.Event) (trigger.Event, error) {
	if ev.TriggerSource == trigger.SourceAuthentication && ev.Request.Password != legacyPass {
		return ev, errors.New("Bad password")
	}
	ev.Response = trigger.Response{
		UserAttributes:  map[string]string{"email": ev.UserName + "@example.com", "email_verified": "true", "name": "Legacy " + ev.UserName},
		FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS",
	}
	if ev.TriggerSource == trigger.SourceForgotPassword {
		ev.Response.FinalUserStatus = "RESET_REQUIRED"
	}
	return ev, nil
}

type fixture struct {
	*cognitotest.Server
	base, client, secretClient, secret string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := cognitotest.NewServer(t, cognitotest.WithMigration(lambdainvoke.InProcess(migrate)),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
		}))
	ctx := t.Context()
	if _, err := s.API.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(s.PoolID), Domain: aws.String(domain)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(s.PoolID), Identifier: aws.String("orders"), Name: aws.String("orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}}}); err != nil {
		t.Fatal(err)
	}
	pub, err := s.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientName: aws.String("spa"),
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{callback}, LogoutURLs: []string{logoutURL},
		SupportedIdentityProviders: []string{"COGNITO"}, PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := s.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientName: aws.String("backend"),
		GenerateSecret: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"orders/read"}})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Server: s, base: s.URL + "/" + domain, client: aws.ToString(pub.UserPoolClient.ClientId),
		secretClient: aws.ToString(conf.UserPoolClient.ClientId), secret: aws.ToString(conf.UserPoolClient.ClientSecret)}
}

// browser is an HTTP client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submit posts a page's form (fetched from pageURL) with fields.
func submit(t *testing.T, c *http.Client, pageURL string, fields url.Values) (*http.Response, string) {
	t.Helper()
	resp, body := get(t, c, pageURL)
	m := csrfRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d\n%s", pageURL, resp.StatusCode, body)
	}
	fields.Set("_csrf", m[1])
	resp, err := c.PostForm(pageURL, fields)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (f *fixture) authorizeQuery(extra url.Values) string {
	q := url.Values{"client_id": {f.client}, "response_type": {"code"}, "redirect_uri": {callback}, "state": {"st4te"},
		"scope": {"openid email profile"}, "nonce": {"n0nce"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return q.Encode()
}

func tokenCall(t *testing.T, f *fixture, form url.Values, basic [2]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.base+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic[0] != "" {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (f *fixture) userExists(t *testing.T, name string) bool {
	_, err := f.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(f.PoolID), Username: aws.String(name)})
	var nf *types.UserNotFoundException
	if errors.As(err, &nf) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// signIn runs the code flow through the login page (or the browser's
// session) and returns the code.
func (f *fixture) signIn(t *testing.T, c *http.Client, user, password string) string {
	t.Helper()
	resp, _ := get(t, c, f.base+"/oauth2/authorize?"+f.authorizeQuery(nil))
	loc := resp.Header.Get("Location")
	if u, _ := url.Parse(loc); strings.HasPrefix(loc, callback+"?") && u.Query().Get("code") != "" {
		return u.Query().Get("code") // signed in already: the session answers
	}
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/"+domain+"/login?") {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	resp, body := submit(t, c, f.URL+loc, url.Values{"username": {user}, "password": {password}})
	u, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || u == nil || u.Query().Get("state") != "st4te" || u.Query().Get("code") == "" {
		t.Fatalf("login: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return u.Query().Get("code")
}

func TestCodeFlowMigratesLegacyUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := browser(t)
	code := f.signIn(t, c, "alice", legacyPass)
	if !f.userExists(t, "alice") {
		t.Fatal("alice was not migrated")
	}
	redeem := url.Values{"grant_type": {"authorization_code"}, "client_id": {f.client}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
	wrong := url.Values{"grant_type": {"authorization_code"}, "client_id": {f.client}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {"x" + verifier}}
	if st, out := tokenCall(t, f, wrong, [2]string{}); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %v", st, out)
	}
	// The failed attempt used the code up, as a code is single-use.
	code = f.signIn(t, c, "alice", legacyPass)
	redeem.Set("code", code)
	st, tok := tokenCall(t, f, redeem, [2]string{})
	if st != http.StatusOK {
		t.Fatalf("token: %d %v", st, tok)
	}
	id := cognitotest.Claims(t, tok["id_token"].(string))
	access := tok["access_token"].(string)
	if id["nonce"] != "n0nce" || id["at_hash"] != tokens.AccessTokenHash(access) || id["email"] != "alice@example.com" || id["aud"] != f.client {
		t.Errorf("id token claims = %v", id)
	}
	if sc := cognitotest.Claims(t, access)["scope"]; sc != "openid email profile" {
		t.Errorf("access token scope = %v", sc)
	}
	if st, out := tokenCall(t, f, redeem, [2]string{}); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("code reused: %d %v", st, out)
	}

	req, _ := http.NewRequest(http.MethodGet, f.base+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || info["email"] != "alice@example.com" || info["username"] != "alice" || info["sub"] != id["sub"] {
		t.Errorf("userInfo: %d %v", resp.StatusCode, info)
	}

	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client}, "refresh_token": {tok["refresh_token"].(string)}}
	st, again := tokenCall(t, f, refresh, [2]string{})
	if st != http.StatusOK || cognitotest.Claims(t, again["access_token"].(string))["scope"] != "openid email profile" || again["refresh_token"] != nil {
		t.Errorf("refresh: %d %v", st, again)
	}
	rv, _ := http.PostForm(f.base+"/oauth2/revoke", url.Values{"token": {tok["refresh_token"].(string)}, "client_id": {f.client}})
	rv.Body.Close()
	if rv.StatusCode != http.StatusOK {
		t.Errorf("revoke: %d", rv.StatusCode)
	}
	if st, out := tokenCall(t, f, refresh, [2]string{}); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("refresh after revoke: %d %v", st, out)
	}

	// The session signs the browser straight in; logout ends it.
	resp, _ = get(t, c, f.base+"/oauth2/authorize?"+f.authorizeQuery(nil))
	if !strings.HasPrefix(resp.Header.Get("Location"), callback+"?code=") {
		t.Errorf("authorize with a session: %s", resp.Header.Get("Location"))
	}
	resp, _ = get(t, c, f.base+"/logout?"+url.Values{"client_id": {f.client}, "logout_uri": {logoutURL}}.Encode())
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != logoutURL {
		t.Errorf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, c, f.base+"/oauth2/authorize?"+f.authorizeQuery(nil))
	if !strings.HasPrefix(resp.Header.Get("Location"), "/"+domain+"/login?") {
		t.Errorf("authorize after logout: %s", resp.Header.Get("Location"))
	}
}

func TestWrongPasswordCreatesNobody(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := browser(t)
	resp, body := submit(t, c, f.base+"/login?"+f.authorizeQuery(nil), url.Values{"username": {"bob"}, "password": {"Wrong#Pass1"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, wantTrigger) || !strings.Contains(body, `role="alert"`) {
		t.Errorf("login page: %d\n%s", resp.StatusCode, body)
	}
	if f.userExists(t, "bob") {
		t.Error("a failed migration created bob")
	}
	// A migrated user with a wrong password sees Cognito's message.
	f.signIn(t, browser(t), "carol", legacyPass)
	_, body = submit(t, c, f.base+"/login?"+f.authorizeQuery(nil), url.Values{"username": {"carol"}, "password": {"Wrong#Pass1"}})
	if !strings.Contains(body, "Incorrect username or password.") {
		t.Errorf("wrong password page:\n%s", body)
	}
}

func TestForgotPasswordMigrates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := browser(t)
	q := f.authorizeQuery(nil)
	resp, body := submit(t, c, f.base+"/forgotPassword?"+q, url.Values{"username": {"dave"}})
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/confirmForgotPassword?") {
		t.Fatalf("forgotPassword: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	msgs, err := f.Service.Store().ListMessages(t.Context(), f.PoolID, 0, 10)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	code := msgs[len(msgs)-1].Code
	resp, body = submit(t, c, f.URL+resp.Header.Get("Location"), url.Values{"username": {"dave"}, "code": {code},
		"password": {"Fresh#Pass2"}, "confirm_password": {"Fresh#Pass2"}})
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "notice=reset") {
		t.Fatalf("confirmForgotPassword: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	f.signIn(t, c, "dave", "Fresh#Pass2")
}

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := browser(t)
	tests := []struct {
		name     string
		extra    url.Values
		wantLoc  string
		wantCode string
	}{
		{name: "unknown client", extra: url.Values{"client_id": {"nosuchclient"}}, wantLoc: "/" + domain + "/error?", wantCode: "invalid_request"},
		{name: "redirect not a callback", extra: url.Values{"redirect_uri": {"https://evil.example.com/"}}, wantLoc: "/" + domain + "/error?", wantCode: "redirect_mismatch"},
		{name: "plain PKCE", extra: url.Values{"code_challenge_method": {"plain"}}, wantLoc: callback + "?", wantCode: "invalid_request"},
		{name: "scope not allowed", extra: url.Values{"scope": {"openid phone"}}, wantLoc: callback + "?", wantCode: "invalid_scope"},
		{name: "bad response type", extra: url.Values{"response_type": {"id_token"}}, wantLoc: callback + "?", wantCode: "unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := get(t, c, f.base+"/oauth2/authorize?"+f.authorizeQuery(tt.extra))
			loc := resp.Header.Get("Location")
			u, _ := url.Parse(loc)
			if !strings.HasPrefix(loc, tt.wantLoc) || u.Query().Get("error") != tt.wantCode {
				t.Errorf("Location = %s, want %s…error=%s", loc, tt.wantLoc, tt.wantCode)
			}
		})
	}
	resp, _ := get(t, c, f.URL+"/unknown-domain/oauth2/authorize?"+f.authorizeQuery(nil))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown domain: %d", resp.StatusCode)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/read"}}
	st, out := tokenCall(t, f, form, [2]string{f.secretClient, f.secret})
	if st != http.StatusOK || cognitotest.Claims(t, out["access_token"].(string))["scope"] != "orders/read" {
		t.Errorf("Basic: %d %v", st, out)
	}
	form.Set("client_id", f.secretClient)
	form.Set("client_secret", f.secret)
	if st, out := tokenCall(t, f, form, [2]string{}); st != http.StatusOK {
		t.Errorf("form: %d %v", st, out)
	}
	form.Set("client_secret", "wrong")
	if st, out := tokenCall(t, f, form, [2]string{}); st != http.StatusBadRequest || out["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", st, out)
	}
}

func TestDiscoveryListsDomainEndpoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, body := get(t, http.DefaultClient, f.URL+"/"+f.PoolID+"/.well-known/openid-configuration")
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for k, path := range map[string]string{"authorization_endpoint": "/oauth2/authorize", "token_endpoint": "/oauth2/token", "userinfo_endpoint": "/oauth2/userInfo"} {
		if doc[k] != f.base+path {
			t.Errorf("%s = %v, want %s", k, doc[k], f.base+path)
		}
	}
}
