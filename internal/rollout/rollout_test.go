package rollout_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/rollout"
)

func pct(p float64) *float64 { return &p }

func TestAdmit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      rollout.Config
		client   string
		user     string
		wantIn   bool
		wantWhy  rollout.Reason
		wantShad bool
	}{
		{"zero config admits all", rollout.Config{}, "any", "alice", true, rollout.ReasonNone, false},
		{"listed client", rollout.Config{Clients: []string{"web", "ios"}}, "ios", "alice", true, rollout.ReasonNone, false},
		{"unlisted client", rollout.Config{Clients: []string{"web"}}, "android", "alice", false, rollout.ReasonClient, false},
		{"empty client id is unlisted", rollout.Config{Clients: []string{"web"}}, "", "alice", false, rollout.ReasonClient, false},
		{"zero percent admits none", rollout.Config{Percent: pct(0)}, "web", "alice", false, rollout.ReasonPercent, false},
		{"hundred percent admits all", rollout.Config{Percent: pct(100)}, "web", "alice", true, rollout.ReasonNone, false},
		{"shadow", rollout.Config{Mode: rollout.Shadow}, "web", "alice", true, rollout.ReasonNone, true},
		{"client checked before percent", rollout.Config{Clients: []string{"web"}, Percent: pct(0)}, "ios", "alice", false, rollout.ReasonClient, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := rollout.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			in, why := g.Admit(tt.client, tt.user)
			if in != tt.wantIn || why != tt.wantWhy {
				t.Errorf("Admit = %v, %q; want %v, %q", in, why, tt.wantIn, tt.wantWhy)
			}
			if g.Shadow() != tt.wantShad {
				t.Errorf("Shadow = %v, want %v", g.Shadow(), tt.wantShad)
			}
		})
	}
}

func TestNilGateAdmitsAll(t *testing.T) {
	t.Parallel()
	var g *rollout.Gate
	if in, _ := g.Admit("x", "y"); !in || g.Shadow() {
		t.Error("a nil gate must admit everyone, live")
	}
}

// TestPercentStableAndProportional checks over 10,000 names that each
// percentage admits roughly its share, and that raising it only adds
// users: nobody admitted at a lower percentage is dropped at a higher one.
func TestPercentStableAndProportional(t *testing.T) {
	t.Parallel()
	names := make([]string, 10_000)
	for i := range names {
		names[i] = fmt.Sprintf("user%05d@example.com", i)
	}
	prev := map[string]bool{}
	for _, p := range []float64{0, 1, 5, 10, 25, 50, 75, 99.5, 100} {
		g, err := rollout.New(rollout.Config{Percent: pct(p)})
		if err != nil {
			t.Fatal(err)
		}
		in := map[string]bool{}
		for _, n := range names {
			if ok, _ := g.Admit("", n); ok {
				in[n] = true
			}
		}
		for n := range prev {
			if !in[n] {
				t.Fatalf("%s admitted below %g%% but not at %g%%", n, p, p)
			}
		}
		// Binomial standard deviation at n=10,000 is at most 50 names;
		// allow four of them.
		want := p / 100 * float64(len(names))
		if got := float64(len(in)); math.Abs(got-want) > 200 {
			t.Errorf("%g%%: %v names admitted, want about %v", p, got, want)
		}
		prev = in
	}
}

func TestBucketStable(t *testing.T) {
	t.Parallel()
	// Fixed values: a change here moves users in or out of a running rollout.
	tests := []struct {
		name string
		want int
	}{
		// Computed independently of the Go code, from the FNV-1a
		// definition (offset basis 14695981039346656037, prime 1099511628211).
		{"alice", 6183},
		{"bob@example.com", 1321},
		{"", 6037}, // the offset basis itself, mod 10,000
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := rollout.Bucket(tt.name); got != tt.want || got < 0 || got >= rollout.Buckets {
				t.Errorf("Bucket(%q) = %d, want %d", tt.name, got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  rollout.Config
		want []string
	}{
		{"zero", rollout.Config{}, nil},
		{"full", rollout.Config{Mode: rollout.Shadow, Clients: []string{"a"}, Percent: pct(12.5)}, nil},
		{"bad", rollout.Config{Mode: "dry-run", Clients: []string{""}, Percent: pct(101)}, []string{
			`mode: "dry-run" is not one of live, shadow`,
			"clients[0]: empty client id",
			"percent: 101 is outside 0..100",
		}},
		{"empty list", rollout.Config{Clients: []string{}}, []string{"clients: empty list would admit no one; omit it to admit every client"}},
		{"NaN", rollout.Config{Percent: pct(math.NaN())}, []string{"percent: NaN is outside 0..100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Validate = %q, want %q", got, tt.want)
			}
			if _, nerr := rollout.New(tt.cfg); (nerr == nil) != (err == nil) {
				t.Errorf("New error %v disagrees with Validate %v", nerr, err)
			}
		})
	}
}
