package cognitoapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// post sends a raw JSON 1.1 request.
func post(t *testing.T, url, target, body string, header map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", raw, err)
	}
	return resp, out
}

func TestWire(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	const prefix = "AWSCognitoIdentityProviderService."
	tests := []struct {
		name       string
		target     string
		body       string
		header     map[string]string
		wantStatus int
		wantType   string
		wantMsg    string
	}{
		{name: "unknown operation", target: prefix + "FlyToTheMoon", body: `{}`, wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "no target", body: `{}`, wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "foreign service prefix", target: "AmazonS3.ListUserPools", body: `{"MaxResults":1}`, wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "malformed JSON", target: prefix + "ListUserPools", body: `{"MaxResults":`, wantStatus: 400, wantType: "InvalidParameterException"},
		{name: "wrong member type", target: prefix + "ListUserPools", body: `{"MaxResults":"ten"}`, wantStatus: 400, wantType: "InvalidParameterException"},
		{name: "missing required member", target: prefix + "DescribeUserPool", body: `{}`, wantStatus: 400, wantType: "InvalidParameterException",
			wantMsg: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{name: "unknown pool", target: prefix + "DescribeUserPool", body: `{"UserPoolId":"us-east-1_nope"}`, wantStatus: 400,
			wantType: "ResourceNotFoundException", wantMsg: "User pool us-east-1_nope does not exist."},
		{name: "target header case-insensitive", target: prefix + "ListUserPools", body: `{"MaxResults":5}`,
			header: map[string]string{"x-amz-target": prefix + "ListUserPools"}, wantStatus: 200},
		{name: "unknown members ignored", target: prefix + "ListUserPools", body: `{"MaxResults":5,"FutureMember":true}`, wantStatus: 200},
		{name: "empty output is {}", target: prefix + "AdminDisableUser", body: `{"UserPoolId":"` + s.PoolID + `","Username":"alice"}`, wantStatus: 200},
	}
	s.CreateUser(t, "alice", "Passw0rd!")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, out := post(t, s.URL, tt.target, tt.body, tt.header)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", resp.StatusCode, tt.wantStatus, out)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tt.name == "empty output is {}" && len(out) != 0 {
				t.Errorf("body = %v, want {}", out)
			}
			if tt.wantType == "" {
				return
			}
			if out["__type"] != tt.wantType {
				t.Errorf("__type = %v, want %s", out["__type"], tt.wantType)
			}
			if got := resp.Header.Get("x-amzn-ErrorType"); got != tt.wantType+":" {
				t.Errorf("x-amzn-ErrorType = %q", got)
			}
			if msg, _ := out["message"].(string); msg == "" || tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("message = %q, want %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestWireBodyLimit serves the handler directly: over a socket the client
// may still be writing the oversized body when the server answers and
// closes, and see a reset instead of the answer.
func TestWireBodyLimit(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	h := cognitoapi.New(s.Service, nil)
	body := `{"MaxResults":5,"x":"` + strings.Repeat("a", cognitoapi.MaxBodyBytes) + `"}`
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "InvalidParameterException") {
		t.Fatalf("oversized body: %d %s", rec.Code, rec.Body.String())
	}
}

func TestWireTimestampsAreEpochSeconds(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	_, out := post(t, s.URL, "AWSCognitoIdentityProviderService.DescribeUserPool", `{"UserPoolId":"`+s.PoolID+`"}`, nil)
	pool := out["UserPool"].(map[string]any)
	created, ok := pool["CreationDate"].(float64)
	if !ok || created < 1.7e9 || created > 1e10 {
		t.Fatalf("CreationDate = %#v, want epoch seconds as a number", pool["CreationDate"])
	}
}

func TestWireCORSPreflight(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, s.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "x-amz-target") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestWellKnown(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	for _, tt := range []struct{ path, want string }{
		{"/" + s.PoolID + "/.well-known/jwks.json", `"keys"`},
		{"/" + s.PoolID + "/.well-known/openid-configuration", `"issuer":"` + s.URL + "/" + s.PoolID + `"`},
	} {
		resp, err := http.Get(s.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), tt.want) {
			t.Errorf("GET %s: %d %s", tt.path, resp.StatusCode, body)
		}
	}
	resp, err := http.Get(s.URL + "/us-east-1_missing/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("JWKS of a missing pool: %d", resp.StatusCode)
	}
}
