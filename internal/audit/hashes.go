package audit

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// maxGroups bounds the (family, parameters) groups kept: a table whose
// every row has other parameters folds the rest into one group per family.
const maxGroups = 64

// otherParams is the Params of the group that holds a family's rows beyond
// maxGroups.
const otherParams = "(other parameters)"

// dummySpread is how much cheaper than the table's most expensive hash
// the cheapest may be before one dummy hash no longer stands for every
// user: a factor of 2 is well within what network jitter hides for a
// single request, and well below what a few hundred requests resolve.
const dummySpread = 2

// fastFloor is the estimate below which verifications count as equal
// (fast digests are estimated at zero).
const fastFloor = time.Millisecond

// Hashes describes the stored hashes of a source.
type Hashes struct {
	// Sampled counts the users whose stored hash was read; NoPassword
	// those with none usable; Unusable, by source.Record* reason, those
	// whose hash a sign-in would refuse.
	Sampled    int           `json:"sampled"`
	NoPassword int           `json:"no_password"`
	Unusable   []ReasonCount `json:"unusable"`
	// Families are the recognised hashes by family and parameters, most
	// frequent first.
	Families []Family `json:"families"`
	// DummyFits is false when the recognised hashes differ in cost by more
	// than a factor of 2: no single unknown-user dummy hash then costs what
	// every user's hash costs (see mixed_hash_costs).
	DummyFits bool `json:"dummy_fits"`
}

// ReasonCount is a number of users for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Family is one group of recognised hashes: one family with one set of
// parameters.
type Family struct {
	Family string `json:"family"`
	Params string `json:"params,omitempty"`
	Weak   bool   `json:"weak"`
	Count  int    `json:"count"`
	// Share is Count over all recognised hashes, 0 to 1.
	Share float64 `json:"share"`
	// EstimateMS is the cost model's estimate of one verification on the
	// budget's CPU share (0 for fast digests, which take microseconds).
	EstimateMS float64 `json:"estimate_ms"`
}

// HashTally classifies stored hashes one at a time, as `ferry audit`
// and `ferry check` read them, with the trigger's own verification
// options and budget.
type HashTally struct {
	v          *passhash.Verifier
	t          *tally
	sampled    int
	noPassword int
	unusable   map[string]int
	groups     map[Family]*Family // key: Family, Params and Weak only
	order      []Family
	estimates  map[Family]time.Duration
}

// NewHashTally returns a tally that checks hashes against limits, keeping
// at most examples legacy ids per finding (DefaultExamples when <= 0).
// Like the sources, it does not allow plaintext formats: a plaintext
// column is reported, not accepted.
func NewHashTally(limits passhash.Limits, examples int) (*HashTally, error) {
	if examples <= 0 {
		examples = DefaultExamples
	}
	v, err := passhash.New(passhash.Options{Limits: &limits})
	if err != nil {
		return nil, err
	}
	return &HashTally{v: v, t: newTally(examples, migration.Policy{}), unusable: map[string]int{},
		groups: map[Family]*Family{}, estimates: map[Family]time.Duration{}}, nil
}

// Add classifies one stored hash.
func (h *HashTally) Add(s source.HashSample) {
	h.sampled++
	if s.Encoded == "" {
		h.noPassword++
		h.t.hit(CodeNoPassword, "", "", s.UserID)
		return
	}
	stored := passhash.Hash{Encoded: s.Encoded, Salt: s.Salt, Format: s.Format}
	info, err := h.v.Identify(stored)
	if err != nil {
		reason := hashReason(err)
		h.unusable[reason]++
		h.t.hit(reason, "", "", s.UserID)
		return
	}
	k := Family{Family: info.Family, Params: info.Params, Weak: info.Weak}
	g := h.groups[k]
	if g == nil {
		if len(h.groups) >= maxGroups {
			k.Params = otherParams
			g = h.groups[k]
		}
		if g == nil {
			g = &Family{Family: k.Family, Params: k.Params, Weak: k.Weak}
			h.groups[k] = g
			h.order = append(h.order, k)
		}
	}
	if est, _, err := h.v.Estimate(stored, identifyPasswordLen); err == nil && est > h.estimates[k] {
		h.estimates[k] = est
	}
	g.Count++
	if info.Weak {
		h.t.hit(CodeHashWeak, "", "", s.UserID)
	}
}

// identifyPasswordLen is the password length estimates assume: a typical
// password, as passhash.Identify assumes.
const identifyPasswordLen = 16

// hashReason is the source.Record* reason a sign-in logs for a stored hash
// that Identify refuses.
func hashReason(err error) string {
	switch {
	case errors.Is(err, passhash.ErrCostTooHigh):
		return source.RecordHashOverBudget
	case errors.Is(err, passhash.ErrNotAllowed):
		return source.RecordHashNotAllowed
	case errors.Is(err, passhash.ErrMalformed):
		return source.RecordHashMalformed
	default:
		return source.RecordHashUnknown
	}
}

// Hashes returns what the tally has seen.
func (h *HashTally) Hashes() Hashes {
	out := Hashes{Sampled: h.sampled, NoPassword: h.noPassword, Unusable: []ReasonCount{}, Families: []Family{}, DummyFits: true}
	for _, reason := range []string{source.RecordHashUnknown, source.RecordHashMalformed, source.RecordHashNotAllowed, source.RecordHashOverBudget} {
		if n := h.unusable[reason]; n > 0 {
			out.Unusable = append(out.Unusable, ReasonCount{reason, n})
		}
	}
	recognised := 0
	for _, k := range h.order {
		recognised += h.groups[k].Count
	}
	var lo, hi time.Duration = -1, 0
	for _, k := range h.order {
		f := *h.groups[k]
		f.Share = float64(f.Count) / float64(recognised)
		est := h.estimates[k]
		f.EstimateMS = float64(est.Microseconds()) / 1000
		out.Families = append(out.Families, f)
		est = max(est, fastFloor)
		if lo < 0 || est < lo {
			lo = est
		}
		hi = max(hi, est)
	}
	out.DummyFits = lo < 0 || hi <= lo*dummySpread
	slices.SortStableFunc(out.Families, func(a, b Family) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Family+a.Params, b.Family+b.Params)
	})
	return out
}

// findings returns the per-user hash findings and, for a table of mixed
// costs, the dummy finding.
func (h *HashTally) findings(p migration.Policy) *tally {
	h.t.policy = p
	hashes := h.Hashes()
	if !hashes.DummyFits {
		h.t.addFinding(dummyFinding(hashes.Families))
	}
	return h.t
}

// dummyFinding explains why one dummy hash cannot stand for a table of
// mixed costs, with each group's share.
func dummyFinding(families []Family) Finding {
	top := families[0]
	shares := make([]string, 0, len(families))
	for _, f := range families {
		if f.EstimateMS > top.EstimateMS {
			top = f
		}
		shares = append(shares, fmt.Sprintf("%s %.1f%% (%s)", f.Label(), 100*f.Share, f.Estimate()))
	}
	return Finding{Code: CodeDummyMismatch, Severity: Warning, Message: "the table mixes hash costs: " + strings.Join(shares, ", ") +
		". Every refused sign-in is padded to a quarter above the recent cost of the dearest group a process has verified, " +
		"so refusals take what " + top.Label() + " takes (" + top.Estimate() + ") whatever the user's hash, and until a process " +
		"has verified a row of that group once, a wrong password on such a row answers more slowly than an unknown name. " +
		"For an sql source, set dummy_hash to a hash of " + top.Label() + " (the most expensive group) to pad to it from the start; " +
		"for any source, rehashing the table to one family (users migrate RESET_REQUIRED with migration.reset_weak_hash) ends it"}
}

// Label names the group: family and parameters.
func (f Family) Label() string {
	if f.Params == "" {
		return f.Family
	}
	return f.Family + " " + f.Params
}

// Estimate is the group's estimated verification time, for reading.
func (f Family) Estimate() string {
	if f.EstimateMS < 1 {
		return "<1 ms"
	}
	return fmt.Sprintf("~%.0f ms", f.EstimateMS)
}
