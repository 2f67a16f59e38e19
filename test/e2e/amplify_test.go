package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// testClock is a pool clock the test moves forward, so tokens expire
// without waiting for them.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// amplify runs test/clients/node/amplify.mjs, one step at a time.
type amplify struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

func startAmplify(t *testing.T, p *pool, clientID string) *amplify {
	t.Helper()
	node, dir := requireNode(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, node, "amplify.mjs", "--endpoint", p.URL, "--pool", p.PoolID, "--client", clientID)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("amplify.mjs: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait() // a failed step makes it exit 1; the steps say why
		cancel()
	})
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &amplify{t: t, in: stdin, out: sc}
}

// amplifyLine is one line of amplify.mjs's output.
type amplifyLine struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail struct {
		Got     string          `json:"got"`
		Message string          `json:"message"`
		Result  json.RawMessage `json:"result"`
	} `json:"detail"`
}

// do runs one step and returns what Amplify answered.
func (a *amplify) do(step map[string]any) amplifyLine {
	a.t.Helper()
	b, err := json.Marshal(step)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.in.Write(append(b, '\n')); err != nil {
		a.t.Fatalf("amplify.mjs stdin: %v", err)
	}
	if !a.out.Scan() {
		a.t.Fatalf("amplify.mjs ended before answering %v: %v", step["step"], a.out.Err())
	}
	var l amplifyLine
	if err := json.Unmarshal(a.out.Bytes(), &l); err != nil {
		a.t.Fatalf("amplify.mjs printed %q: %v", a.out.Text(), err)
	}
	return l
}

// must runs one step that has to succeed, and decodes its result into out.
func (a *amplify) must(out any, step map[string]any) {
	a.t.Helper()
	l := a.do(step)
	if !l.OK {
		a.t.Fatalf("%s: Amplify answered %s: %s", step["step"], l.Detail.Got, l.Detail.Message)
	}
	if out != nil {
		if err := json.Unmarshal(l.Detail.Result, out); err != nil {
			a.t.Fatalf("%s: result %s: %v", step["step"], l.Detail.Result, err)
		}
	}
}

type amplifySession struct {
	Claims struct {
		Access map[string]any `json:"access"`
		ID     map[string]any `json:"id"`
		JTI    string         `json:"jti"`
	} `json:"claims"`
}

// TestAmplifySessionOutlivesAccessToken signs a legacy user in with Amplify
// JS v6 (the sign-in migrates them), lets the access token expire on the
// pool's clock, and shows that the app's session lives on: Amplify ≥ 6.15
// refreshes only through GetTokensFromRefreshToken, and getCurrentUser and
// fetchUserAttributes work with the refreshed tokens.
func TestAmplifySessionOutlivesAccessToken(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	clock := &testClock{}
	users := legacyUsersFor("amplify")
	app := ferryTrigger(t, users)
	p := newPool(t, lambdainvoke.InProcess(app.Handler),
		cognitotest.WithConfig(func(c *userpool.Config) { c.Now = clock.now }))
	mia := users[0]
	a := startAmplify(t, p, p.legacyClient)

	var signedIn struct {
		IsSignedIn bool `json:"isSignedIn"`
	}
	a.must(&signedIn, map[string]any{"step": "signIn", "op": "signIn", "username": mia.username, "password": mia.password})
	if !signedIn.IsSignedIn {
		t.Fatalf("signIn: not signed in: %+v", signedIn)
	}
	var before amplifySession
	a.must(&before, map[string]any{"step": "session", "op": "session"})
	if before.Claims.Access["username"] != mia.username {
		t.Fatalf("session: access token of %v, want %s", before.Claims.Access["username"], mia.username)
	}

	clock.advance(61 * time.Minute) // past the default one-hour access token
	// The pool now refuses the old access token, as Cognito would.
	if l := a.do(map[string]any{"step": "stale attributes", "op": "userAttributes"}); l.OK || l.Detail.Got != "NotAuthorizedException" {
		t.Fatalf("stale attributes: got %s (%s), want NotAuthorizedException for the expired access token", l.Detail.Got, l.Detail.Message)
	}

	var after amplifySession
	a.must(&after, map[string]any{"step": "refresh", "op": "refresh"})
	if after.Claims.JTI == "" || after.Claims.JTI == before.Claims.JTI {
		t.Fatalf("refresh: access token jti %q, want a new one (was %q)", after.Claims.JTI, before.Claims.JTI)
	}
	if after.Claims.Access["origin_jti"] != before.Claims.Access["origin_jti"] {
		t.Errorf("refresh: origin_jti %v, want the sign-in's %v", after.Claims.Access["origin_jti"], before.Claims.Access["origin_jti"])
	}
	if after.Claims.ID["email"] != mia.email {
		t.Errorf("refresh: id token email %v, want %s", after.Claims.ID["email"], mia.email)
	}
	var current struct {
		Username string `json:"username"`
		UserID   string `json:"userId"`
	}
	a.must(&current, map[string]any{"step": "currentUser", "op": "currentUser"})
	if current.Username != mia.username || current.UserID != before.Claims.Access["sub"] {
		t.Errorf("currentUser: %+v, want %s with sub %v", current, mia.username, before.Claims.Access["sub"])
	}
	var attrs map[string]string
	a.must(&attrs, map[string]any{"step": "userAttributes", "op": "userAttributes"})
	if attrs["email"] != mia.email || attrs["sub"] != current.UserID {
		t.Errorf("userAttributes: %v, want email %s and sub %s", attrs, mia.email, current.UserID)
	}

	// Global sign-out goes through with the refreshed access token.
	a.must(nil, map[string]any{"step": "signOut", "op": "signOut", "global": true})
}
