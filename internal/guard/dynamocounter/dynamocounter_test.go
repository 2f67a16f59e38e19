package dynamocounter_test

import (
	"context"
	"errors"
	"iter"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/guard/dynamocounter"
)

func slicesSorted(seq iter.Seq[string]) []string { return slices.Sorted(seq) }

// client returns a real SDK client speaking to endpoint.
func client(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

func TestTakeAndGive(t *testing.T) {
	t.Parallel()
	s, srv := newStandIn(t, "throttle")
	c := dynamocounter.New(client(srv.URL), "throttle")
	ctx := t.Context()
	exp := time.Unix(1_900_000_000, 0)

	type step struct {
		op   string // take or give
		key  string
		want bool
	}
	steps := []step{
		{"give", "k", false}, // giving back under a missing key is not an error
		{"take", "k", true}, {"take", "k", true}, {"take", "k", true},
		{"take", "k", false}, // limit 3 reached
		{"give", "k", false},
		{"take", "k", true},
		{"take", "k", false},
		{"give", "k", false}, {"give", "k", false}, {"give", "k", false}, {"give", "k", false}, // one too many: stays at 0
		{"take", "other", true},
	}
	for i, st := range steps {
		switch st.op {
		case "take":
			got, err := c.Take(ctx, st.key, 3, exp)
			if err != nil || got != st.want {
				t.Fatalf("step %d: Take(%s) = %v, %v; want %v", i, st.key, got, err, st.want)
			}
		case "give":
			if err := c.Give(ctx, st.key); err != nil {
				t.Fatalf("step %d: Give(%s) = %v", i, st.key, err)
			}
		}
	}
	if it := s.item("k"); it["n"]["N"] != "0" || it["expires_at"]["N"] != "1900000000" {
		t.Errorf("item k = %v, want n 0 and the TTL attribute set", it)
	}
	if s.item("missing") != nil {
		t.Error("Give created an item")
	}
	if ok, err := c.Take(ctx, "zero", 0, exp); ok || err != nil {
		t.Errorf("Take with limit 0 = %v, %v; want false, nil", ok, err)
	}
}

// TestConcurrentTake: the condition makes Take atomic across clients.
func TestConcurrentTake(t *testing.T) {
	t.Parallel()
	_, srv := newStandIn(t, "throttle")
	var taken atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		c := dynamocounter.New(client(srv.URL), "throttle")
		wg.Go(func() {
			for range 5 {
				ok, err := c.Take(t.Context(), "hot", 5, time.Unix(1_900_000_000, 0))
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					taken.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := taken.Load(); n != 5 {
		t.Errorf("%d units taken by racing clients, want 5", n)
	}
}

// TestInstancesAgree: two limiters, as two Lambda instances with their own
// clients, share one table, and between them let through only the limit;
// the table holds hashed keys with a TTL, never the username.
func TestInstancesAgree(t *testing.T) {
	t.Parallel()
	s, srv := newStandIn(t, "throttle")
	now := func() time.Time { return time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC) }
	var limiters []*guard.Limiter
	for range 2 {
		l, err := guard.NewLimiter(guard.ThrottleConfig{}, dynamocounter.New(client(srv.URL), "throttle"), now, nil)
		if err != nil {
			t.Fatal(err)
		}
		limiters = append(limiters, l)
	}
	through := 0
	for i := range 12 {
		a, err := limiters[i%2].Begin(t.Context(), "web", "alice@example.com", true)
		if errors.Is(err, guard.ErrThrottled) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		through++
		a.End(t.Context(), true)
	}
	if through != guard.DefaultUsernameMax {
		t.Errorf("%d attempts through two instances, want %d", through, guard.DefaultUsernameMax)
	}
	keys := s.keys()
	if len(keys) != 2 {
		t.Fatalf("keys %q, want one username and one client count", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, "alice") || strings.Contains(k, "web") {
			t.Errorf("key %q holds a name in clear", k)
		}
		if s.item(k)["expires_at"]["N"] == "" {
			t.Errorf("item %q has no TTL attribute", k)
		}
	}
	// A real client reads the item back through GetItem.
	out, err := client(srv.URL).GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String("throttle"),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: keys[1]}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.Item["n"]; !ok {
		t.Errorf("GetItem = %v, want the count", out.Item)
	}
}

// TestTableErrors: a missing table and an unreachable endpoint are errors
// (which the limiter then treats as its configuration says).
func TestTableErrors(t *testing.T) {
	t.Parallel()
	_, srv := newStandIn(t, "throttle")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name     string
		endpoint string
		table    string
		want     string
	}{
		{"missing table", srv.URL, "nope", "ResourceNotFoundException"},
		{"nothing listening", closed, "throttle", "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := dynamocounter.New(client(tt.endpoint), tt.table)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if _, err := c.Take(ctx, "k", 5, time.Now()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Take = %v, want an error mentioning %s", err, tt.want)
			}
			if err := c.Give(ctx, "k"); err == nil {
				t.Error("Give succeeded against a broken table")
			}
			l, err := guard.NewLimiter(guard.ThrottleConfig{}, c, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.Begin(ctx, "web", "alice", true); err != nil {
				t.Errorf("fail-open limiter refused: %v", err)
			}
		})
	}
}

// TestOpen loads the client the standard way from the environment.
func TestOpen(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	s, srv := newStandIn(t, "ferry-throttle")
	c, err := dynamocounter.Open(t.Context(), guard.CounterConfig{Table: "ferry-throttle", Region: "eu-west-1", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Take(t.Context(), "k", 1, time.Now()); !ok || err != nil {
		t.Fatalf("Take = %v, %v", ok, err)
	}
	if s.item("k") == nil {
		t.Error("no item written")
	}
	if _, err := dynamocounter.Open(t.Context(), guard.CounterConfig{}); err == nil {
		t.Error("Open without a table succeeded")
	}
}
