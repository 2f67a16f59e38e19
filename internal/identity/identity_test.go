package identity

import "testing"

func TestKeyFoldsSpellingVariants(t *testing.T) {
	t.Parallel()
	base := Key("mississ")
	for _, v := range []string{
		"MISSISS", "MiSSiss", "mıſſiss", "mıssıss", "ｍｉｓｓｉｓｓ", " mississ ",
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
