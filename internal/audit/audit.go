// Package audit is the pre-migration audit: it walks every user of a
// legacy source (source.Lister) and every stored hash (source.HashSampler)
// once, streaming, and reports who will not migrate and why before any
// user signs in: hash families with their parameters (weak and over-budget
// ones flagged), unknown or malformed hashes, users Cognito would refuse
// (migration.Policy.CheckUser), users without a verified channel, names
// that fold together and shared emails, disabled users, and whether one
// unknown-user dummy hash can stand for the whole table.
//
// Memory stays flat in the number of users but for two 8-byte hashes per
// user (of the folded username and email), which the collision check
// sorts; every other tally is bounded (a few legacy ids per finding, at
// most maxGroups hash parameter groups).
package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Schema names the JSON layout of a Report; it changes only when a field
// changes meaning or goes away (docs/operations.md documents it).
const Schema = "ferry.audit/v1"

// DefaultExamples is how many legacy ids a finding keeps: enough to look a
// few rows up, few enough to print.
const DefaultExamples = 5

// Severities. A blocker means users will be lost or mistreated at go-live
// unless something is fixed first; a warning is worth knowing and needs no
// fix.
const (
	Blocker = "blocker"
	Warning = "warning"
)

// Finding codes: stable names for the text report, --json and the docs.
// The hash_* codes are the source.Record* reasons a sign-in would log.
const (
	CodeUnavailable      = "source_unavailable"     // the source could not be opened, listed or sampled
	CodeNotListable      = "not_listable"           // the source cannot enumerate its users
	CodeUnmigratable     = "unmigratable"           // Cognito would refuse every answer for the user
	CodeAttributeDropped = "attribute_dropped"      // an optional attribute Cognito would refuse is left out
	CodeHashUnknown      = source.RecordHashUnknown // no hash family recognises the stored value
	CodeHashMalformed    = source.RecordHashMalformed
	CodeHashOverBudget   = source.RecordHashOverBudget
	CodeHashNotAllowed   = source.RecordHashNotAllowed
	CodeHashWeak         = "hash_weak"           // the family or its parameters are below current guidance
	CodeNoPassword       = "no_password"         // the user has no usable password hash
	CodeNoVerified       = "no_verified_channel" // forgot-password cannot reach the user
	CodeFoldedNames      = "folded_names"        // several users' names are one name under identity.Key
	CodeSharedEmails     = "shared_emails"       // several users have one email address
	CodeDummyMismatch    = "mixed_hash_costs"    // one dummy hash cannot cost what every user's hash costs
)

// Options configures an audit.
type Options struct {
	// Policy is the configuration's migration section.
	Policy migration.Policy
	// Limits is the verification budget the trigger will run with
	// (passhash.LimitsFor the deadline and the function's memory).
	Limits passhash.Limits
	// Examples bounds the legacy ids kept per finding (default
	// DefaultExamples).
	Examples int
}

// Report is the audit of every audited source.
type Report struct {
	Schema   string         `json:"schema"`
	Blockers int            `json:"blockers"` // findings of severity blocker, over all sources
	Warnings int            `json:"warnings"` // findings of severity warning
	Sources  []SourceReport `json:"sources"`
}

// Add appends r and counts its findings.
func (rep *Report) Add(r SourceReport) {
	rep.Schema = Schema
	for _, f := range r.Findings {
		if f.Severity == Blocker {
			rep.Blockers++
		} else {
			rep.Warnings++
		}
	}
	rep.Sources = append(rep.Sources, r)
}

// SourceReport is the audit of one source.
type SourceReport struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Complete is true when every user was listed and every hash sampled
	// that the source can give.
	Complete bool `json:"complete"`
	// Users counts the users listed; Disabled those disabled or locked in
	// the legacy directory (they are refused at sign-in and not checked
	// against Cognito's rules); Marked those the source holds a write-back
	// mark for.
	Users    int `json:"users"`
	Disabled int `json:"disabled"`
	Marked   int `json:"marked_migrated"`
	// Hashes is nil when the source keeps no stored hashes (it verifies
	// by binding or calling the legacy system).
	Hashes   *Hashes   `json:"hashes,omitempty"`
	Findings []Finding `json:"findings"`
}

// Finding is one kind of problem with the users it concerns.
type Finding struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	// Reason is the migration.Reason* code of an unmigratable user or a
	// dropped attribute; Attribute names the dropped attribute.
	Reason    string `json:"reason,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	// Count is the number of users concerned.
	Count int `json:"count"`
	// Examples holds a few of their legacy ids; Groups, for folded names
	// and shared emails, a few sets of legacy ids that share one name.
	Examples []string   `json:"examples,omitempty"`
	Groups   [][]string `json:"groups,omitempty"`
	// Message says what the finding means and what to do.
	Message string `json:"message"`
}

// Unavailable is the report of a source that could not be audited: it
// could not be opened, or failed while listing; err says why.
func Unavailable(name, typ string, err error) SourceReport {
	return SourceReport{Name: name, Type: typ, Findings: []Finding{{
		Code: CodeUnavailable, Severity: Blocker,
		Message: "the source could not be audited: " + err.Error() +
			"; fix the source's configuration or connection (ferry check shows its health) and audit again",
	}}}
}

// Audit walks s: every listed user, then every stored hash. name and typ
// are the source's configured name and type. A failure of the source is
// reported as a source_unavailable finding with Complete false; only a
// cancelled ctx is returned as an error.
func Audit(ctx context.Context, name, typ string, s source.Source, o Options) (SourceReport, error) {
	if o.Examples <= 0 {
		o.Examples = DefaultExamples
	}
	o.Policy = o.Policy.WithDefaults()
	r := SourceReport{Name: name, Type: typ, Complete: true}
	t := newTally(o.Examples, o.Policy)
	l, canList := source.As[source.Lister](s)
	if canList {
		u := newUserWalk(o, t)
		if err := u.run(ctx, l); err != nil {
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
			// A source that cannot list is reported once; its hashes
			// would fail the same way.
			r.Complete = false
			t.unavailable(fmt.Errorf("listing users: %w", err))
			r.Findings = t.list()
			return r, nil
		}
		r.Users, r.Disabled, r.Marked = u.users, u.disabled, u.marked
	} else {
		t.addFinding(Finding{Code: CodeNotListable, Severity: Warning,
			Message: "this type of source cannot enumerate its users: names, attributes and channels are checked only as users sign in"})
	}
	if hs, ok := source.As[source.HashSampler](s); ok {
		h, err := NewHashTally(o.Limits, o.Examples)
		if err != nil {
			return r, err
		}
		err = hs.SampleHashes(ctx, 0, func(sample source.HashSample) error {
			h.Add(sample)
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
			r.Complete = false
			t.unavailable(fmt.Errorf("sampling hashes: %w", err))
		}
		hashes := h.Hashes()
		r.Hashes = &hashes
		t.merge(h.findings(o.Policy))
	}
	r.Findings = t.list()
	return r, nil
}

// errStop ends a walk early once it has what it needs.
var errStop = errors.New("audit: stop")
