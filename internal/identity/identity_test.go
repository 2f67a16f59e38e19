package identity

import (
	"strings"
	"testing"
)

func TestKeyFoldsSpellingVariants(t *testing.T) {
	t.Parallel()
	base := Key("mississ")
	for _, v := range []string{
		"MISSISS", "MiSSiss", "mıſſiss", "mıssıss", "ｍｉｓｓｉｓｓ", " mississ ", "MİSSİSS", "ＭＩＳＳＩＳＳ",
	} {
		if got := Key(v); got != base {
			t.Errorf("Key(%q) = %q, want %q", v, got, base)
		}
	}
	// NFC and NFD of one name share a key.
	if Key("caf\u00e9") != Key("cafe\u0301") {
		t.Errorf("NFC and NFD keys differ: %q %q", Key("caf\u00e9"), Key("cafe\u0301"))
	}
	if Key("alice") == Key("bob") {
		t.Error("distinct names share a key")
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		f    Fold
		want string
	}{
		{" Alice ", FoldNone, "Alice"},
		{"Alice", FoldLower, "alice"},
		{"alice", FoldUpper, "ALICE"},
		{"mıſſiss", FoldUpper, "MISSISS"},
		{"ｍｉｓｓ", FoldLower, "miss"},
		{"cafe\u0301", FoldNone, "caf\u00e9"},
	}
	for _, tt := range tests {
		if got := Name(tt.in, tt.f); got != tt.want {
			t.Errorf("Name(%q, %s) = %q, want %q", tt.in, tt.f, got, tt.want)
		}
	}
}

// TestKeyCoarserThanEveryFold: two names a folding source matches to one
// row (their folds are equal) always share a Key.
func TestKeyCoarserThanEveryFold(t *testing.T) {
	t.Parallel()
	names := []string{"mississ", "MISSISS", "mıſſiss", "MİSSİSS", "ｍｉｓｓｉｓｓ", "cafe\u0301", "CAF\u00c9",
		"stra\u00dfe", "STRASSE", "\u212aelvin", "kelvin", "ǅemal", "ǆemal", "Ǆemal", "σοφος", "ΣΟΦΟΣ", "σοφος"}
	for _, f := range []Fold{FoldLower, FoldUpper} {
		for _, a := range names {
			for _, b := range names {
				if Name(a, f) == Name(b, f) && Key(a) != Key(b) {
					t.Errorf("fold %s matches %q and %q, but their keys differ: %q %q", f, a, b, Key(a), Key(b))
				}
			}
		}
	}
}

// FuzzKeyIgnoresFolds: folding a name never changes its Key, so names a
// folding source matches to one row (equal folds) share a Key.
func FuzzKeyIgnoresFolds(f *testing.F) {
	for _, s := range []string{"mıſſiss", "MİSSİSS", "ｍｉｓｓ", "cafe\u0301", "straße", "\u212a", "ǅ", "ΣΟΦΟΣ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fold := range []Fold{FoldNone, FoldLower, FoldUpper} {
			if k, kf := Key(s), Key(Name(s, fold)); k != kf {
				t.Errorf("Key(%q) = %q but Key(Name(%q, %s)) = %q", s, k, s, fold, kf)
			}
		}
	})
}

func TestUsable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"plain", "alice", true},
		{"email", "alice@example.com", true},
		{"at the limit", strings.Repeat("a", MaxBytes), true},
		{"empty", "", false},
		{"over the limit", strings.Repeat("a", MaxBytes+1), false},
		{"invalid UTF-8", "al\xffice", false},
		{"NUL", "alice\x00admin", false},
	}
	for _, tt := range tests {
		if got := Usable(tt.in); got != tt.want {
			t.Errorf("%s: Usable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
