package httpsource_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/examples/http-source/refserver"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/httpsource"
)

const (
	alicePassword = "Alice-pa55 word"
	bobPassword   = "bob-password"
	carolPassword = "carol-password"
)

func hash(t testing.TB, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// users are the reference server's users: alice (by username), bob (by
// email), carol (disabled).
func users(t testing.TB) []refserver.User {
	return []refserver.User{
		{ID: "1001", Username: "alice", PasswordHash: hash(t, alicePassword), Email: "alice@example.com", EmailVerified: true,
			Phone: "+15550100001", GivenName: "Alice", FamilyName: "Liddell", Groups: []string{"staff"},
			Attributes: map[string]string{"custom:plan": "pro"}},
		{ID: "1002", Username: "bob", PasswordHash: hash(t, bobPassword), Email: "Bob@Example.com", ResetRequired: true},
		{ID: "1003", Username: "carol", PasswordHash: hash(t, carolPassword), Email: "carol@example.com", Disabled: true},
	}
}

var (
	wantAlice = &source.User{
		ID: "1001", Username: "alice", Email: "alice@example.com", EmailVerified: true, Phone: "+15550100001",
		Attributes: map[string]string{"given_name": "Alice", "family_name": "Liddell", "custom:plan": "pro"},
		Groups:     []string{"staff"},
	}
	wantBob = &source.User{ID: "1002", Username: "bob", Email: "Bob@Example.com", ResetRequired: true, Attributes: map[string]string{}}
)

// refServer starts the reference implementation over HTTP on 127.0.0.1.
func refServer(t testing.TB, o refserver.Options) *httptest.Server {
	t.Helper()
	if o.Users == nil {
		o.Users = users(t)
	}
	h, err := refserver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func open(t testing.TB, c httpsource.Config, log *slog.Logger) *httpsource.Source {
	t.Helper()
	s, err := c.Open(t.Context(), "http-test", log)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func diff(want, got *source.User) string { return cmp.Diff(want, got, cmpopts.EquateEmpty()) }

type call struct {
	name, user, password string // empty password with lookup: Lookup
	lookup               bool
	want                 *source.User
	wantErr              error
}

func runCalls(t *testing.T, s *httpsource.Source, calls []call) {
	t.Helper()
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got *source.User
			var err error
			if tc.lookup {
				got, err = s.Lookup(t.Context(), tc.user)
			} else {
				got, err = s.Authenticate(t.Context(), tc.user, tc.password)
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestFerryContract(t *testing.T) {
	t.Parallel()
	key := []byte("hmac-key-for-tests")
	srv := refServer(t, refserver.Options{HMACKey: key})
	s := open(t, httpsource.Config{URL: srv.URL, Auth: httpsource.Auth{Type: httpsource.AuthHMAC, HMACKey: string(key)}}, nil)
	runCalls(t, s, []call{
		{name: "right password", user: "alice", password: alicePassword, want: wantAlice},
		{name: "by email, reset required", user: "bob@example.com", password: bobPassword, want: wantBob},
		{name: "wrong password", user: "alice", password: "wrong", wantErr: source.ErrInvalidPassword},
		{name: "empty password", user: "alice", password: "", wantErr: source.ErrInvalidPassword},
		{name: "unknown", user: "mallory", password: "x", wantErr: source.ErrUserNotFound},
		{name: "disabled", user: "carol", password: carolPassword, wantErr: source.ErrUserDisabled},
		{name: "case-sensitive username", user: "ALICE", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "NUL in name", user: "alice\x00", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "invalid UTF-8", user: "alice\xff", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "lookup oversized", user: strings.Repeat("a", 2000), lookup: true, wantErr: source.ErrUserNotFound},
		{name: "lookup", user: "alice", lookup: true, want: wantAlice},
		{name: "lookup unknown", user: "mallory", lookup: true, wantErr: source.ErrUserNotFound},
		{name: "lookup disabled", user: "carol", lookup: true, wantErr: source.ErrUserDisabled},
	})
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestKeycloakContract(t *testing.T) {
	t.Parallel()
	srv := refServer(t, refserver.Options{Token: "tok"})
	s := open(t, httpsource.Config{
		URL:        srv.URL + "/keycloak",
		Mode:       httpsource.ModeKeycloak,
		Auth:       httpsource.Auth{Type: httpsource.AuthBearer, Token: "tok"},
		Attributes: map[string]string{"phone_number": "phone", "custom:plan": "custom:plan"},
	}, nil)
	alice := *wantAlice
	runCalls(t, s, []call{
		{name: "right password", user: "alice", password: alicePassword, want: &alice},
		{name: "by email, update password required", user: "bob@example.com", password: bobPassword, want: wantBob},
		{name: "wrong password", user: "alice", password: "wrong", wantErr: source.ErrInvalidPassword},
		{name: "unknown", user: "mallory", password: "x", wantErr: source.ErrUserNotFound},
		{name: "slash in name", user: "a/../alice", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "dot dot", user: "..", password: alicePassword, wantErr: source.ErrUserNotFound},
		{name: "disabled", user: "carol", password: carolPassword, wantErr: source.ErrUserDisabled},
		{name: "lookup", user: "alice", lookup: true, want: &alice},
	})
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestEndpointAuth(t *testing.T) {
	t.Parallel()
	key := []byte("k1")
	tests := []struct {
		name    string
		server  refserver.Options
		auth    httpsource.Auth
		refused bool
	}{
		{name: "bearer", server: refserver.Options{Token: "t1"}, auth: httpsource.Auth{Type: "bearer", Token: "t1"}},
		{name: "bearer wrong", server: refserver.Options{Token: "t1"}, auth: httpsource.Auth{Type: "bearer", Token: "t2"}, refused: true},
		{name: "bearer missing", server: refserver.Options{Token: "t1"}, auth: httpsource.Auth{}, refused: true},
		{name: "basic", server: refserver.Options{BasicUser: "ferry", BasicPassword: "p"}, auth: httpsource.Auth{Type: "basic", Username: "ferry", Password: "p"}},
		{name: "basic wrong", server: refserver.Options{BasicUser: "ferry", BasicPassword: "p"}, auth: httpsource.Auth{Type: "basic", Username: "ferry", Password: "q"}, refused: true},
		{name: "hmac", server: refserver.Options{HMACKey: key}, auth: httpsource.Auth{Type: "hmac", HMACKey: "k1"}},
		{name: "hmac wrong key", server: refserver.Options{HMACKey: key}, auth: httpsource.Auth{Type: "hmac", HMACKey: "k2"}, refused: true},
		{name: "hmac clock skew beyond window", server: refserver.Options{HMACKey: key, Now: func() time.Time {
			return time.Now().Add(10 * time.Minute)
		}}, auth: httpsource.Auth{Type: "hmac", HMACKey: "k1"}, refused: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := refServer(t, tc.server)
			s := open(t, httpsource.Config{URL: srv.URL, Auth: tc.auth}, nil)
			u, err := s.Authenticate(t.Context(), "alice", alicePassword)
			checkErr := s.Check(t.Context())
			if !tc.refused {
				if err != nil || checkErr != nil {
					t.Fatalf("Authenticate = %v; Check = %v", err, checkErr)
				}
				if u.ID != "1001" {
					t.Errorf("ID = %q", u.ID)
				}
				return
			}
			// Refused credentials are a fault, never a wrong password.
			var se *source.Error
			if !errors.As(err, &se) || !errors.Is(err, httpsource.ErrRefused) || !errors.Is(err, source.ErrBackendAuth) || source.IsOutcome(err) {
				t.Errorf("Authenticate = %v, want a fault wrapping ErrRefused", err)
			}
			if !errors.Is(checkErr, httpsource.ErrRefused) {
				t.Errorf("Check = %v, want ErrRefused", checkErr)
			}
		})
	}
}

// TestStatuses drives the client with answers the contract does and does
// not define.
func TestStatuses(t *testing.T) {
	t.Parallel()
	var redirectedTo atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { redirectedTo.Add(1) }))
	t.Cleanup(target.Close)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr error // an outcome, or a fault sentinel
		fault   bool
	}{
		{"401", status(401, ""), source.ErrInvalidPassword, false},
		{"403", status(403, ""), source.ErrInvalidPassword, false},
		{"404", status(404, ""), source.ErrUserNotFound, false},
		{"423", status(423, ""), source.ErrUserDisabled, false},
		{"401 with challenge", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="x"`)
			w.WriteHeader(401)
		}, httpsource.ErrRefused, true},
		{"500", status(500, ""), httpsource.ErrStatus, true},
		{"429", status(429, ""), httpsource.ErrStatus, true},
		{"204", status(204, ""), httpsource.ErrStatus, true},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/verify", http.StatusTemporaryRedirect)
		}, httpsource.ErrStatus, true},
		{"200 not json", status(200, "<html>ok</html>"), httpsource.ErrBadResponse, true},
		{"200 without id", status(200, `{"username":"alice"}`), httpsource.ErrBadResponse, true},
		{"200 wrong type", status(200, `{"id":1001}`), httpsource.ErrBadResponse, true},
		{"too large", status(200, `{"id":"1","x":"`+strings.Repeat("a", 70<<10)+`"}`), httpsource.ErrResponseTooLarge, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			s := open(t, httpsource.Config{URL: srv.URL}, nil)
			u, err := s.Authenticate(t.Context(), "alice", alicePassword)
			if u != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("Authenticate = %v, %v; want %v", u, err, tc.wantErr)
			}
			var se *source.Error
			if tc.fault != errors.As(err, &se) || tc.fault == source.IsOutcome(err) {
				t.Errorf("err = %v: fault = %v, want %v", err, !source.IsOutcome(err), tc.fault)
			}
		})
	}
	if n := redirectedTo.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select { // never answers
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first: lets Close finish
	s := open(t, httpsource.Config{URL: srv.URL, Timeout: 300 * time.Millisecond}, nil)
	start := time.Now()
	_, err := s.Authenticate(t.Context(), "alice", alicePassword)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 300ms timeout", d)
	}
	if !errors.Is(err, context.DeadlineExceeded) || source.IsOutcome(err) {
		t.Errorf("err = %v, want a fault wrapping context.DeadlineExceeded", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Lookup(ctx, "alice"); !errors.Is(err, context.Canceled) || source.IsOutcome(err) {
		t.Errorf("Lookup(cancelled) = %v, want a fault wrapping context.Canceled", err)
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	s = open(t, httpsource.Config{URL: down.URL}, nil)
	if _, err := s.Authenticate(t.Context(), "alice", alicePassword); err == nil || source.IsOutcome(err) {
		t.Errorf("server down: err = %v, want a fault", err)
	}
}

// TestPasswordNeverLeaks logs at debug level and collects error texts from
// endpoints that echo the request back, and checks the password is absent.
func TestPasswordNeverLeaks(t *testing.T) {
	t.Parallel()
	const secret = "Zebra-7391-secret"
	echo := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(code)
			_, _ = w.Write(b)
		}
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	for _, h := range []http.Handler{
		echo(500), echo(200), echo(302), echo(401), status(404, ""),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			_, _ = io.WriteString(w, `{"id": "`+string(b)) // truncated JSON quoting the request
		}),
	} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		for _, mode := range []string{httpsource.ModeFerry, httpsource.ModeKeycloak} {
			s := open(t, httpsource.Config{URL: srv.URL, Mode: mode}, log)
			if _, err := s.Authenticate(t.Context(), "alice", secret); err != nil {
				texts = append(texts, err.Error())
			}
		}
	}
	texts = append(texts, buf.String())
	for _, text := range texts {
		if strings.Contains(text, secret) {
			t.Errorf("password found in %q", text)
		}
	}
}

// TestMutualTLS serves the reference handler over TLS requiring a client
// certificate from a CA of the test's own.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caCert, caKey := newCA(t)
	clientCert, clientKey := newLeaf(t, caCert, caKey)
	write := func(name string, blocks ...*pem.Block) string {
		var b bytes.Buffer
		for _, blk := range blocks {
			_ = pem.Encode(&b, blk)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h, err := refserver.New(refserver.Options{Users: users(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	srv.TLS = &tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	serverCA := write("server-ca.pem", &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	certFile := write("client.pem", &pem.Block{Type: "CERTIFICATE", Bytes: clientCert})
	keyBytes, err := x509.MarshalECPrivateKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := write("client-key.pem", &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyBytes})

	with := open(t, httpsource.Config{URL: srv.URL, TLS: httpsource.TLS{CAFile: serverCA, CertFile: certFile, KeyFile: keyFile}}, nil)
	if u, err := with.Authenticate(t.Context(), "alice", alicePassword); err != nil || u.ID != "1001" {
		t.Fatalf("with a client certificate: %v, %v", u, err)
	}
	without := open(t, httpsource.Config{URL: srv.URL, TLS: httpsource.TLS{CAFile: serverCA}}, nil)
	if _, err := without.Authenticate(t.Context(), "alice", alicePassword); err == nil || source.IsOutcome(err) {
		t.Errorf("without a client certificate: err = %v, want a fault", err)
	}
	untrusted := open(t, httpsource.Config{URL: srv.URL, TLS: httpsource.TLS{CertFile: certFile, KeyFile: keyFile}}, nil)
	if _, err := untrusted.Authenticate(t.Context(), "alice", alicePassword); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("server certificate not trusted: err = %v, want a certificate fault", err)
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func newLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ferry"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}
