// Copied unchanged from the peer measurement of cognito-local (its loadgen/main.go),
// so both servers are driven by the very same client; Ferry needs no change to it:
// it speaks Cognito's wire protocol on POST / as cognito-local does.
// loadgen: bounded load generator for Cognito-compatible endpoints (raw JSON over HTTP, stdlib only).
// Build: cd loadgen && go build -o /tmp/clrun/loadgen main.go
// Ops: signin (existing users userI@example.com), migrate (legacyI@example.com first sign-in),
// create (AdminCreateUser SUPPRESS + AdminSetUserPassword Permanent), listusers,
// invoke (direct Lambda Invoke of a UserMigration event; -ep = the invocations URL).
// Every run stops at -n requests or -t seconds, whichever comes first.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

var (
	ep       = flag.String("ep", "http://127.0.0.1:9229", "endpoint")
	clientID = flag.String("client", "", "app client id")
	poolID   = flag.String("pool", "", "user pool id")
	op       = flag.String("op", "signin", "signin|migrate|create|listusers")
	conc     = flag.Int("c", 1, "concurrency")
	total    = flag.Int("n", 2000, "max requests")
	maxDur   = flag.Duration("t", 60*time.Second, "max duration")
	start    = flag.Int("start", 0, "first user index (migrate/create)")
	users    = flag.Int("users", 1000, "signin: pick users uniformly from [0,users)")
	prefix   = flag.String("prefix", "user", "username prefix (signin/create)")
	pw       = flag.String("pw", "Bench#Pass1", "password (signin/create)")
	progress = flag.Int("progress", 0, "print a progress line every N ops")
)

var hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 64}, Timeout: 120 * time.Second}

func call(target string, body any) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", *ep+"/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	return resp.StatusCode, rb, err
}

func one(i int) error {
	var st int
	var rb []byte
	var err error
	switch *op {
	case "signin":
		u := fmt.Sprintf("%s%d@example.com", *prefix, rand.Intn(*users))
		st, rb, err = call("InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": *clientID,
			"AuthParameters": map[string]string{"USERNAME": u, "PASSWORD": *pw}})
	case "migrate":
		u := fmt.Sprintf("legacy%d@example.com", *start+i)
		st, rb, err = call("InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": *clientID,
			"AuthParameters": map[string]string{"USERNAME": u, "PASSWORD": "Legacy#Pass1"}})
	case "create":
		u := fmt.Sprintf("%s%d@example.com", *prefix, *start+i)
		st, rb, err = call("AdminCreateUser", map[string]any{"UserPoolId": *poolID, "Username": u, "MessageAction": "SUPPRESS",
			"TemporaryPassword": "Temp#Pass1", "UserAttributes": []map[string]string{{"Name": "email", "Value": u}, {"Name": "email_verified", "Value": "true"}}})
		if err == nil && st == 200 {
			st, rb, err = call("AdminSetUserPassword", map[string]any{"UserPoolId": *poolID, "Username": u, "Password": *pw, "Permanent": true})
		}
	case "listusers":
		st, rb, err = call("ListUsers", map[string]any{"UserPoolId": *poolID})
	case "invoke": // direct Lambda Invoke of a UserMigration event; -ep is the full invocations URL
		b, _ := json.Marshal(map[string]any{"version": "1", "triggerSource": "UserMigration_Authentication", "userName": fmt.Sprintf("legacy%d@example.com", *start+i),
			"request": map[string]any{"password": "Legacy#Pass1"}, "response": map[string]any{}})
		var resp *http.Response
		if resp, err = hc.Post(*ep, "application/json", bytes.NewReader(b)); err == nil {
			rb, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			st = resp.StatusCode
			if err == nil && !bytes.Contains(rb, []byte("CONFIRMED")) {
				err = fmt.Errorf("unexpected: %.200s", rb)
			}
		}
	}
	if err != nil {
		return err
	}
	if st != 200 {
		return fmt.Errorf("HTTP %d: %.200s", st, rb)
	}
	if (*op == "signin" || *op == "migrate") && !bytes.Contains(rb, []byte("AccessToken")) {
		return fmt.Errorf("no token: %.200s", rb)
	}
	return nil
}

func main() {
	flag.Parse()
	var next, errs, done int64
	var mu sync.Mutex
	lats := make([]time.Duration, 0, *total)
	var firstErr string
	deadline := time.Now().Add(*maxDur)
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(atomic.AddInt64(&next, 1) - 1)
				if i >= *total {
					return
				}
				s := time.Now()
				err := one(i)
				d := time.Since(s)
				mu.Lock()
				lats = append(lats, d)
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
				mu.Unlock()
				n := atomic.AddInt64(&done, 1)
				if *progress > 0 && n%int64(*progress) == 0 {
					fmt.Fprintf(os.Stderr, "progress ops=%d elapsed_s=%.1f\n", n, time.Since(t0).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	sort.Slice(lats, func(a, b int) bool { return lats[a] < lats[b] })
	pct := func(p float64) float64 {
		if len(lats) == 0 {
			return 0
		}
		return float64(lats[int(p*float64(len(lats)-1))].Microseconds()) / 1000
	}
	out := map[string]any{"op": *op, "c": *conc, "ops": len(lats), "errors": errs, "elapsed_s": el.Seconds(),
		"ops_per_s": float64(len(lats)) / el.Seconds(), "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99), "max_ms": pct(1)}
	if firstErr != "" {
		out["first_error"] = firstErr
	}
	j, _ := json.Marshal(out)
	fmt.Println(string(j))
}
