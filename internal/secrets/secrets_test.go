package secrets_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/secrets/secretstest"
)

const dbSecret = `{"username":"ferry","password":"S3cret-db-pw","port":5432,"dsn":"postgres://ferry:S3cret-db-pw@db/legacy"}`

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want secrets.Ref
		err  error
	}{
		{"secret arn with key", "aws-sm:arn:aws:secretsmanager:eu-west-1:123:secret:legacy-db-AbCdEf#dsn",
			secrets.Ref{Scheme: "aws-sm", ID: "arn:aws:secretsmanager:eu-west-1:123:secret:legacy-db-AbCdEf", Key: "dsn"}, nil},
		{"secret name", "aws-sm:legacy-db", secrets.Ref{Scheme: "aws-sm", ID: "legacy-db"}, nil},
		{"parameter", "aws-ssm:/ferry/ldap/bind-password", secrets.Ref{Scheme: "aws-ssm", ID: "/ferry/ldap/bind-password"}, nil},
		{"parameter keeps #", "aws-ssm:/a#b", secrets.Ref{Scheme: "aws-ssm", ID: "/a#b"}, nil},
		{"empty key", "aws-sm:legacy-db#", secrets.Ref{}, secrets.ErrSyntax},
		{"empty id", "aws-ssm:", secrets.Ref{}, secrets.ErrSyntax},
		{"unknown scheme", "vault:kv/x", secrets.Ref{}, secrets.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := secrets.Parse(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t)
	srv.Put("legacy-db", dbSecret)
	srv.Put("plain", "just-a-token")
	srv.Put("not-json", "not json")
	srv.PutParameter("/ferry/ldap/bind-password", "Bind-pw-1")
	tests := []struct {
		name string
		ref  string
		want string
		err  error
	}{
		{"json key", "aws-sm:legacy-db#dsn", "postgres://ferry:S3cret-db-pw@db/legacy", nil},
		{"numeric key", "aws-sm:legacy-db#port", "5432", nil},
		{"whole string", "aws-sm:plain", "just-a-token", nil},
		{"parameter", "aws-ssm:/ferry/ldap/bind-password", "Bind-pw-1", nil},
		{"missing secret", "aws-sm:nope#dsn", "", secrets.ErrNotFound},
		{"missing parameter", "aws-ssm:/ferry/nope", "", secrets.ErrNotFound},
		{"bad key", "aws-sm:legacy-db#dns", "", secrets.ErrNoKey},
		{"key of a non-object", "aws-sm:not-json#dsn", "", secrets.ErrNotJSON},
	}
	r := secrets.New(srv.Options())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.ResolveString(t.Context(), tt.ref)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Resolve(%s) = %q, %v; want %q, %v", tt.ref, got, err, tt.want, tt.err)
			}
			if err == nil {
				return
			}
			// The error names the reference and never a value.
			var se *secrets.Error
			if !errors.As(err, &se) || se.Ref != tt.ref || !strings.Contains(err.Error(), tt.ref) {
				t.Errorf("error %q does not name the reference %s", err, tt.ref)
			}
			for _, v := range []string{"S3cret-db-pw", "not json", "just-a-token"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q reveals a secret value", err)
				}
			}
		})
	}
}

// One fetch serves every use of a secret, whatever key each use reads.
func TestResolveCaches(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t)
	srv.Put("legacy-db", dbSecret)
	var logs bytes.Buffer
	o := srv.Options()
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	r := secrets.New(o)
	const n = 50
	var wg sync.WaitGroup
	if _, err := r.ResolveString(t.Context(), "aws-sm:legacy-db#dsn"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		wg.Go(func() {
			key := []string{"dsn", "password", "username"}[i%3]
			if _, err := r.ResolveString(t.Context(), "aws-sm:legacy-db#"+key); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := srv.Requests("secretsmanager.GetSecretValue"); got != 1 || r.Fetches() != 1 {
		t.Errorf("%d uses made %d requests (%d fetches), want 1", n+1, got, r.Fetches())
	}
	if strings.Contains(logs.String(), "S3cret-db-pw") || !strings.Contains(logs.String(), "aws-sm:legacy-db") {
		t.Errorf("fetch log = %q: want the reference, never the value", logs.String())
	}
}

// Invalidate lets a rotated secret in, at most once per MinRefresh.
func TestInvalidate(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t)
	srv.PutParameter("/ferry/token", "old")
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	o := srv.Options()
	o.Now = func() time.Time { return now }
	o.MinRefresh = 30 * time.Second
	r := secrets.New(o)
	ref, _ := secrets.Parse("aws-ssm:/ferry/token")
	resolve := func() string {
		t.Helper()
		v, err := r.Resolve(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := resolve(); v != "old" {
		t.Fatalf("first = %q", v)
	}
	srv.PutParameter("/ferry/token", "new")
	now = now.Add(10 * time.Second)
	if r.Invalidate([]secrets.Ref{ref}) {
		t.Error("Invalidate 10 s after the fetch = true, want false (too soon)")
	}
	if v := resolve(); v != "old" {
		t.Errorf("after a refused invalidation = %q, want the cached old", v)
	}
	now = now.Add(25 * time.Second)
	if !r.Invalidate([]secrets.Ref{ref}) {
		t.Fatal("Invalidate 35 s after the fetch = false, want true")
	}
	if v := resolve(); v != "new" {
		t.Errorf("after invalidation = %q, want new", v)
	}
	if got := srv.Requests("AmazonSSM.GetParameter"); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
	if r.Invalidate([]secrets.Ref{ref}) {
		t.Error("Invalidate right after a refetch = true, want false")
	}
}

// Logging a Resolver shows its references, never a value.
func TestResolverLogValue(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t)
	srv.Put("legacy-db", dbSecret)
	r := secrets.New(srv.Options())
	if _, err := r.ResolveString(t.Context(), "aws-sm:legacy-db#dsn"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("resolver", "secrets", r)
	if strings.Contains(buf.String(), "S3cret-db-pw") || !strings.Contains(buf.String(), "aws-sm:legacy-db") {
		t.Errorf("logged %s", buf.String())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"aws-sm:legacy-db#dsn", "aws-ssm:/ferry/x", "aws-sm:arn:aws:secretsmanager:eu-west-1:1:secret:x-AbC#k", "aws-sm:#", "vault:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := secrets.Parse(s)
		if err != nil {
			var se *secrets.Error
			if !errors.As(err, &se) || !errors.Is(err, secrets.ErrSyntax) {
				t.Fatalf("Parse(%q) = %v, want a *secrets.Error wrapping ErrSyntax", s, err)
			}
			return
		}
		// A parsed reference prints back to what was parsed, and parses
		// to itself again.
		if ref.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, ref.String())
		}
		again, err := secrets.Parse(ref.String())
		if err != nil || again != ref {
			t.Fatalf("Parse(String()) = %+v, %v; want %+v", again, err, ref)
		}
	})
}
