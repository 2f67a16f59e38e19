package e2e

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/testenv"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// chromium is Debian's browser, which the managed-login test drives.
const chromium = "/usr/bin/chromium"

// managedLoginPool is a pool with Ferry's trigger over legacy users, the
// domain "ferry-demo", and an OAuth app client whose callback is spa.
func managedLoginPool(t *testing.T, users []legacyUser) (*pool, string) {
	t.Helper()
	app := ferryTrigger(t, users)
	p := newPool(t, lambdainvoke.InProcess(app.Handler),
		cognitotest.WithConfig(func(c *userpool.Config) { c.AWSIssuer = false }))
	ctx := t.Context()
	if _, err := p.API.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(p.PoolID), Domain: aws.String("ferry-demo")}); err != nil {
		t.Fatal(err)
	}
	return p, p.URL + "/ferry-demo"
}

// oauthClient creates an app client for the managed login.
func oauthClient(t *testing.T, p *pool, secret bool, callback, logout string) (id, sec string) {
	t.Helper()
	out, err := p.API.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(p.PoolID), ClientName: aws.String("web"), GenerateSecret: secret,
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		AllowedOAuthFlows:          []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{callback}, LogoutURLs: []string{logout},
		SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
}

// runManagedLogin runs a script of test/clients/node/managedlogin with
// input on stdin and returns its JSON lines by step; a failed script fails t.
func runManagedLogin(t *testing.T, script string, input any) map[string]driverLine {
	t.Helper()
	_, dir := requireNode(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		testenv.Missing(t, "playwright-core, oidc-client-ts and openid-client (npm ci in test/clients/node)")
	}
	lines, stderr := runScript(t, []string{filepath.Join("managedlogin", script)}, input)
	if l, ok := lines["error"]; ok {
		t.Fatalf("%s failed: %s\n%s", script, l.Detail.Error, stderr)
	}
	return lines
}

// serveSPA serves the single-page app on localhost (Cognito allows http
// callbacks for localhost only) with its configuration filled in.
func serveSPA(t *testing.T, ln net.Listener, config map[string]string) {
	t.Helper()
	_, dir := requireNode(t)
	page, err := os.ReadFile(filepath.Join(dir, "managedlogin", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(config)
	page = bytes.Replace(page, []byte("/*CONFIG*/{}"), cfg, 1)
	lib := filepath.Join(dir, "node_modules", "oidc-client-ts", "dist", "browser", "oidc-client-ts.min.js")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oidc-client-ts.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, lib) })
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// TestManagedLoginBrowser signs legacy users in through the managed login
// in headless Chromium, from an oidc-client-ts single-page app.
func TestManagedLoginBrowser(t *testing.T) {
	endToEnd(t)
	if _, err := os.Stat(chromium); err != nil {
		testenv.Missing(t, "Debian's chromium ("+chromium+")")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	spa := "http://localhost:" + port
	users := []legacyUser{
		{"alice", "alice@example.com", "Legacy#Pass1"},
		{"bob", "bob@example.com", "Legacy#Pass2"},
		{"dave", "dave@example.com", "Forgotten#Pass3"},
	}
	p, base := managedLoginPool(t, users)
	clientID, _ := oauthClient(t, p, false, spa+"/callback", spa+"/")
	serveSPA(t, ln, map[string]string{"authority": p.URL + "/" + p.PoolID, "clientId": clientID, "domainBase": base})

	shots := os.Getenv("FERRY_SCREENSHOTS") // set to docs/ to refresh the screenshots
	lines := runManagedLogin(t, "browser.mjs", map[string]any{
		"spa": spa, "endpoint": p.URL, "poolId": p.PoolID, "shots": shots,
		"legacy": map[string]string{"user": "alice", "password": "Legacy#Pass1"},
		"wrong":  map[string]string{"user": "bob", "password": "Not#HisPass9"},
		"forgot": map[string]string{"user": "dave", "newPassword": "Brand#New4pass"},
	})
	ctx := t.Context()
	var claims map[string]any
	if l := lines["login"]; !l.OK || json.Unmarshal(l.Detail.Claims, &claims) != nil || claims["email"] != "alice@example.com" {
		t.Errorf("login: %+v %s", l, l.Detail.Claims)
	}
	if gone, err := p.absent(ctx, "alice"); err != nil || gone {
		t.Errorf("alice not migrated (%v)", err)
	}
	if l, ok := lines["logout"]; !ok || !strings.Contains(l.Detail.Got, "/ferry-demo/login?") {
		t.Errorf("logout: %+v", l)
	}
	if l := lines["wrong-password"]; l.Detail.Message != "Incorrect username or password." {
		t.Errorf("wrong password message = %q", l.Detail.Message)
	}
	if gone, err := p.absent(ctx, "bob"); err != nil || !gone {
		t.Errorf("a wrong password created bob (%v)", err)
	}
	claims = nil
	if l := lines["forgot-password"]; !l.OK || json.Unmarshal(l.Detail.Claims, &claims) != nil || claims["email"] != "dave@example.com" {
		t.Errorf("forgot password: %+v %s", l, l.Detail.Claims)
	}
	// The reset password is dave's now: the API signs him in with it.
	if _, err := p.SignIn(ctx, "dave", "Brand#New4pass"); err != nil {
		t.Errorf("dave with the new password: %v", err)
	}
}

// TestManagedLoginConfidentialClient runs openid-client's code flow with a
// client secret, and its refresh.
func TestManagedLoginConfidentialClient(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	p, _ := managedLoginPool(t, []legacyUser{{"erin", "erin@example.com", "Legacy#Pass5"}})
	callback := "https://app.example.com/callback"
	id, secret := oauthClient(t, p, true, callback, "https://app.example.com/")
	lines := runManagedLogin(t, "confidential.mjs", map[string]string{"issuer": p.URL + "/" + p.PoolID, "clientId": id,
		"clientSecret": secret, "redirectUri": callback, "user": "erin", "password": "Legacy#Pass5"})
	for _, step := range []string{"code", "refresh", "userinfo"} {
		var c map[string]any
		if l := lines[step]; !l.OK || json.Unmarshal(l.Detail.Claims, &c) != nil || c["email"] != "erin@example.com" {
			t.Errorf("%s: %+v %s", step, l, l.Detail.Claims)
		}
	}
	if gone, err := p.absent(t.Context(), "erin"); err != nil || gone {
		t.Errorf("erin not migrated (%v)", err)
	}
}
