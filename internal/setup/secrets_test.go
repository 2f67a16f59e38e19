package setup_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/metrics"
	"github.com/ferry-migrate/ferry/internal/metrics/emftest"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/secrets/secretstest"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// legacyAPI is an HTTP source endpoint that accepts one bearer token at a
// time, as a legacy API whose token was rotated does.
type legacyAPI struct {
	mu    sync.Mutex
	token string
	calls int
}

func (l *legacyAPI) setToken(t string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.token = t
}

func (l *legacyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	want := "Bearer " + l.token
	l.calls++
	l.mu.Unlock()
	if r.Header.Get("Authorization") != want {
		w.Header().Set("WWW-Authenticate", `Bearer realm="legacy"`)
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	var in struct{ Username, Password string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.Username != "alice" {
		http.NotFound(w, r)
		return
	}
	if r.URL.Path == "/verify" && in.Password != "Alice-pw-1" {
		http.Error(w, "wrong", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":"1","username":"alice","email":"alice@example.com","email_verified":true}`))
}

func signIn(t *testing.T, h *trigger.Handler, user, password string) error {
	t.Helper()
	ev := trigger.Event{TriggerSource: trigger.SourceAuthentication, UserName: user}
	ev.Version, ev.Region, ev.UserPoolID = "1", "eu-west-1", "eu-west-1_Test"
	ev.Request.Password = password
	b, _ := json.Marshal(ev)
	_, err := h.Invoke(t.Context(), b)
	return err
}

// A rotated token is fetched again on the first refusal, at most once per
// MinRefresh, and the sign-in that met the refusal is retried on the
// reopened source.
func TestSecretRotation(t *testing.T) {
	t.Parallel()
	sm := secretstest.NewServer(t)
	sm.PutParameter("/ferry/legacy-token", "token-1")
	api := &legacyAPI{token: "token-1"}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	o := sm.Options()
	o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	res := secrets.New(o)

	doc := fmt.Sprintf(`sources:
  - name: legacy
    type: http
    config:
      url: %s
      allow_insecure_http: true
      auth: {type: bearer, token: "${aws-ssm:/ferry/legacy-token}"}
migration:
  attributes: [email, email_verified]
`, srv.URL)
	loaded, err := setup.LoadEnv(func(k string) string {
		if k == "FERRY_CONFIG" {
			return doc
		}
		return ""
	}, res)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Config.Warnings) != 0 {
		t.Errorf("warnings for a referenced token: %q", loaded.Config.Warnings)
	}
	var emf, logs bytes.Buffer
	app, err := setup.BuildWith(t.Context(), loaded.Config, setup.Options{
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Metrics: metrics.NewEmitter(&emf, metrics.Options{}),
		Secrets: loaded.Secrets, Reload: loaded.Reload,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })

	// Caching: one fetch for many sign-ins.
	for range 5 {
		if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
			t.Fatalf("sign-in before rotation: %v", err)
		}
	}
	if got := sm.Requests("AmazonSSM.GetParameter"); got != 1 {
		t.Fatalf("5 sign-ins made %d fetches, want 1", got)
	}

	// Rotation: the API takes the new token only. The first sign-in meets
	// the refusal, Ferry fetches the token again, reopens, and retries.
	sm.PutParameter("/ferry/legacy-token", "token-2")
	api.setToken("token-2")
	advance(time.Minute)
	if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
		t.Fatalf("sign-in after rotation: %v\n%s", err, logs.String())
	}
	if got := sm.Requests("AmazonSSM.GetParameter"); got != 2 {
		t.Errorf("fetches after rotation = %d, want 2", got)
	}

	// A second rotation within MinRefresh: no fetch, the sign-in faults;
	// once MinRefresh has passed, the next one picks the token up.
	sm.PutParameter("/ferry/legacy-token", "token-3")
	api.setToken("token-3")
	advance(10 * time.Second)
	var me *trigger.MigrationError
	if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); !errors.As(err, &me) {
		t.Fatalf("sign-in within MinRefresh = %v, want a MigrationError", err)
	}
	if got := sm.Requests("AmazonSSM.GetParameter"); got != 2 {
		t.Errorf("fetches within MinRefresh = %d, want still 2", got)
	}
	advance(secrets.DefaultMinRefresh)
	if err := signIn(t, app.Handler, "alice", "Alice-pw-1"); err != nil {
		t.Fatalf("sign-in after MinRefresh: %v", err)
	}
	if got := sm.Requests("AmazonSSM.GetParameter"); got != 3 {
		t.Errorf("fetches = %d, want 3", got)
	}

	lines, err := emftest.Lines(emf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, l := range lines {
		outcomes = append(outcomes, l.Dim("Outcome"))
	}
	want := "migrated migrated migrated migrated migrated migrated fault migrated"
	if got := strings.Join(outcomes, " "); got != want {
		t.Errorf("outcomes = %s, want %s", got, want)
	}
	for _, v := range []string{"token-1", "token-2", "token-3", "Alice-pw-1"} {
		if strings.Contains(logs.String(), v) || strings.Contains(emf.String(), v) {
			t.Errorf("a secret value %q reached the logs or metrics", v)
		}
	}
}

// A secret that cannot be resolved stops the start, naming the reference
// and never a value.
func TestSecretErrorsAtStart(t *testing.T) {
	t.Parallel()
	sm := secretstest.NewServer(t)
	sm.Put("legacy-db", `{"dsn":"postgres://ferry:Db-pw-9@127.0.0.1/legacy"}`)
	tests := []struct {
		name string
		dsn  string
		want error
	}{
		{"missing secret", "${aws-sm:legacy-db-old#dsn}", secrets.ErrNotFound},
		{"bad key", "${aws-sm:legacy-db#dns}", secrets.ErrNoKey},
		{"missing parameter", "${aws-ssm:/ferry/none}", secrets.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := fmt.Sprintf("sources:\n  - name: legacy\n    type: sql\n    config: {preset: django, driver: postgres, dsn: %q}\n", tt.dsn)
			_, err := setup.LoadEnv(func(k string) string {
				if k == "FERRY_CONFIG" {
					return doc
				}
				return ""
			}, secrets.New(sm.Options()))
			if err == nil {
				t.Fatal("LoadEnv succeeded")
			}
			ref := strings.TrimSuffix(strings.TrimPrefix(tt.dsn, "${"), "}")
			if !strings.Contains(err.Error(), ref) || !strings.Contains(err.Error(), tt.want.Error()) {
				t.Errorf("error %q: want the reference %s and %q", err, ref, tt.want)
			}
			if strings.Contains(err.Error(), "Db-pw-9") {
				t.Errorf("error %q reveals the secret", err)
			}
		})
	}
}

func migrationRequest(user, password string) migration.Request {
	return migration.Request{Kind: migration.Authentication, Username: user, Password: password}
}
