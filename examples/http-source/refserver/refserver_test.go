package refserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestExampleUsers serves the example users file: its documented passwords
// (alice-password, bob-password, carol-password) verify, and the statuses
// follow the contract.
func TestExampleUsers(t *testing.T) {
	t.Parallel()
	users, err := LoadUsers("../users.example.json")
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Users: users, Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body, token string
		want                            int
		wantBody                        string
	}{
		{"right password", "POST", "/verify", `{"username":"alice","password":"alice-password"}`, "tok", 200, `"id":"1001"`},
		{"by email", "POST", "/verify", `{"username":"BOB@example.com","password":"bob-password"}`, "tok", 200, `"password_reset_required":true`},
		{"wrong password", "POST", "/verify", `{"username":"alice","password":"nope"}`, "tok", 401, ""},
		{"empty password", "POST", "/verify", `{"username":"alice","password":""}`, "tok", 401, ""},
		{"unknown", "POST", "/verify", `{"username":"mallory","password":"x"}`, "tok", 404, ""},
		{"disabled", "POST", "/verify", `{"username":"carol","password":"carol-password"}`, "tok", 423, ""},
		{"lookup", "POST", "/lookup", `{"username":"alice"}`, "tok", 200, `"email_verified":true`},
		{"lookup disabled", "POST", "/lookup", `{"username":"carol"}`, "tok", 423, ""},
		{"bad json", "POST", "/verify", `{`, "tok", 400, ""},
		{"keycloak get", "GET", "/keycloak/alice", ``, "tok", 200, `"firstName":"Alice"`},
		{"keycloak get disabled", "GET", "/keycloak/carol", ``, "tok", 200, `"enabled":false`},
		{"keycloak verify", "POST", "/keycloak/alice", `{"password":"alice-password"}`, "tok", 200, ""},
		{"keycloak wrong", "POST", "/keycloak/alice", `{"password":"x"}`, "tok", 401, ""},
		{"no token", "POST", "/verify", `{"username":"alice","password":"alice-password"}`, "", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("%s %s = %d %s; want %d containing %q", tc.method, tc.path, rec.Code, rec.Body, tc.want, tc.wantBody)
			}
			challenge := rec.Header().Get("WWW-Authenticate")
			if (tc.token == "") != (challenge != "") {
				t.Errorf("WWW-Authenticate = %q: a challenge belongs only to refused callers", challenge)
			}
			if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "password_hash") {
				t.Errorf("the answer exposes the stored hash: %s", rec.Body)
			}
		})
	}
}

func TestNewRejectsBadUsers(t *testing.T) {
	t.Parallel()
	for name, users := range map[string][]User{
		"no id":          {{Username: "a", PasswordHash: validHash}},
		"not bcrypt":     {{ID: "1", Username: "a", PasswordHash: "md5:abc"}},
		"duplicate name": {{ID: "1", Username: "a", PasswordHash: validHash}, {ID: "2", Username: "a", PasswordHash: validHash}},
		"duplicate mail": {{ID: "1", Username: "a", Email: "x@y", PasswordHash: validHash}, {ID: "2", Username: "b", Email: "X@Y", PasswordHash: validHash}},
	} {
		if _, err := New(Options{Users: users}); err == nil {
			t.Errorf("%s: New accepted %+v", name, users)
		}
	}
}

// validHash is bcrypt("x") at cost 4.
const validHash = "$2a$04$sG7Q.RGYMFQ.UxsE8IV99eD6xqe65WI5m11t7OyMal/2I74DkIg7K"
