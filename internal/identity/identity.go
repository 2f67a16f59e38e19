// Package identity turns a name as typed into the canonical legacy identity:
// the one spelling that every variant of one account (case, Unicode
// compatibility forms, NFC/NFD, ſ and ı) reduces to. It is the one place the
// normalisation is written; the throttle, the sources' matching and the
// pool-mode rules all use it.
package identity

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Fold is how a legacy directory compares names by case.
type Fold string

// Folds. FoldNone compares names exactly (after NFKC); FoldLower and
// FoldUpper are what sources that lower-case (Django's email lookups,
// Devise) or upper-case (ASP.NET Identity's NormalizedUserName, which is
// ToUpperInvariant) do.
const (
	FoldNone  Fold = "none"
	FoldLower Fold = "lower"
	FoldUpper Fold = "upper"
)

// caser folds case the Unicode way (cases.Fold), which unlike
// strings.ToLower maps every cased form of a letter to one form.
var caser = cases.Fold()

// Name returns name trimmed, in NFKC and folded as f says: the spelling a
// source with that fold compares. NFKC maps compatibility forms (full-width
// letters, ſ, the Kelvin sign) to their ordinary letters and composes
// NFD sequences, so it is applied before and after the fold.
func Name(name string, f Fold) string {
	s := clean(name)
	switch f {
	case FoldLower:
		s = strings.ToLower(s)
	case FoldUpper:
		s = strings.ToUpper(s)
	default:
		return s
	}
	return clean(s)
}

// clean returns s in NFKC without surrounding white space. NFKC may turn a
// character into a space (¯ is a space and a combining macron), so it
// trims after normalising, and normalises again what trimming left.
func clean(s string) string {
	return norm.NFKC.String(strings.TrimSpace(norm.NFKC.String(s)))
}

// Key returns the throttle key of name: coarser than any fold a source
// applies, so that every spelling a lower- or upper-folding source (or a
// case-insensitive collation) would match to one row shares one key. Upper
// casing first maps ı to I and ſ to S, lower casing then maps İ to i (as
// strings.ToLower does for a lower-folding source), and Unicode case
// folding maps every remaining cased form to one. Two names with one Key may still be two accounts in a
// case-sensitive directory; they then share a failure budget, which only
// makes the throttle stricter.
func Key(name string) string {
	s := strings.ToLower(strings.ToUpper(clean(name)))
	return clean(caser.String(s))
}
