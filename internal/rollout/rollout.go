// Package rollout decides, per sign-in, whether Ferry's migration is live
// for it: the mode (live, or shadow — verify and map, but create no user)
// and the staged enablement by app client id and by a stable percentage of
// usernames. It knows nothing of sources or Cognito; the migration package
// asks it before touching any source.
package rollout

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
)

// Mode is how an admitted sign-in is treated.
type Mode string

// Modes.
const (
	// Live migrates: the user is created in the pool.
	Live Mode = "live"
	// Shadow verifies the password and maps the attributes as Live would,
	// logs what would have migrated, and answers as a "no": sign-in
	// behaves as it did before Ferry for the user.
	Shadow Mode = "shadow"
)

// Buckets is how finely usernames are spread: a percentage is honoured to
// a hundredth of a percent.
const Buckets = 10_000

// Config configures the rollout. The zero value is live for everyone.
//
// Example (the "rollout" section of the configuration):
//
//	mode: shadow
//	clients: [3n4b5urk1ft4fl3mg5e62d9ado]   # only these app clients
//	percent: 10                             # of usernames, stable
type Config struct {
	// Mode is live (default) or shadow.
	Mode Mode `yaml:"mode"`
	// Clients, when set, is the allow-list of app client ids
	// (callerContext.clientId) for which migration runs.
	Clients []string `yaml:"clients"`
	// Percent, when set, is the share of usernames (0 to 100, to two
	// decimals) for which migration runs. A username's place is a stable
	// hash of its normalised form, so raising the percentage only ever
	// adds users.
	Percent *float64 `yaml:"percent"`
}

// Validate reports every problem at once, each prefixed with its YAML name.
func (c Config) Validate() error {
	var errs []error
	switch c.Mode {
	case "", Live, Shadow:
	default:
		errs = append(errs, fmt.Errorf("mode: %q is not one of live, shadow", c.Mode))
	}
	if c.Clients != nil && len(c.Clients) == 0 {
		errs = append(errs, errors.New("clients: empty list would admit no one; omit it to admit every client"))
	}
	for i, id := range c.Clients {
		if id == "" {
			errs = append(errs, fmt.Errorf("clients[%d]: empty client id", i))
		}
	}
	if p := c.Percent; p != nil && (math.IsNaN(*p) || *p < 0 || *p > 100) {
		errs = append(errs, fmt.Errorf("percent: %g is outside 0..100", *p))
	}
	return errors.Join(errs...)
}

// Reason says why a sign-in is outside the rollout.
type Reason string

// Reasons.
const (
	ReasonNone    Reason = ""
	ReasonClient  Reason = "client"
	ReasonPercent Reason = "percent"
)

// Gate applies a Config. It is immutable and safe for concurrent use.
type Gate struct {
	shadow    bool
	clients   map[string]bool // nil: every client
	threshold int             // usernames with Bucket < threshold are in
}

// New returns the gate for c.
func New(c Config) (*Gate, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("rollout: %w", err)
	}
	g := &Gate{shadow: c.Mode == Shadow, threshold: Buckets}
	if c.Clients != nil {
		g.clients = map[string]bool{}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(c.Clients))) {
			g.clients[id] = true
		}
	}
	if c.Percent != nil {
		g.threshold = int(math.Round(*c.Percent * Buckets / 100))
	}
	return g, nil
}

// Shadow reports whether admitted sign-ins are answered in shadow mode.
func (g *Gate) Shadow() bool { return g != nil && g.shadow }

// Admit reports whether the sign-in of the normalised username through
// clientID is inside the rollout, and if not, why. A nil Gate admits all.
func (g *Gate) Admit(clientID, username string) (bool, Reason) {
	if g == nil {
		return true, ReasonNone
	}
	if g.clients != nil && !g.clients[clientID] {
		return false, ReasonClient
	}
	if g.threshold < Buckets && Bucket(username) >= g.threshold {
		return false, ReasonPercent
	}
	return true, ReasonNone
}

// Bucket is the username's stable place in 0..Buckets-1: FNV-1a (64-bit)
// of the normalised name, modulo Buckets. FNV-1a is not a secret-keyed
// hash; the place of a name is not meant to be secret, only stable across
// processes, releases and Lambda instances.
func Bucket(username string) int {
	h := fnv.New64a()
	_, _ = h.Write([]byte(username))
	return int(h.Sum64() % Buckets)
}
