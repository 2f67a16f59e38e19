package ldapsource

import (
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// FuzzBinaryIDs feeds arbitrary bytes to the objectGUID and objectSid
// renderers: they must never panic, and accept exactly the shapes they
// claim to.
func FuzzBinaryIDs(f *testing.F) {
	f.Add([]byte{0x8a, 0x7f, 0x0c, 0xb2, 0x6f, 0x3e, 0x4b, 0x41, 0x9f, 0x0e, 0x2d, 0x2b, 0x6a, 0x2f, 0x9c, 0x11})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0})
	f.Add([]byte{1, 255, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := GUIDString(b); (err == nil) != (len(b) == 16) || (err == nil && len(g) != 36) {
			t.Errorf("GUIDString(%x) = %q, %v", b, g, err)
		}
		if s, err := SIDString(b); err == nil && !strings.HasPrefix(s, "S-") {
			t.Errorf("SIDString(%x) = %q", b, s)
		}
	})
}

// FuzzUserFilter: whatever name is typed, the expanded filter compiles and
// keeps the template's structure (one equality match on uid).
func FuzzUserFilter(f *testing.F) {
	for _, s := range []string{"alice", "*)(uid=*", "a\x00b", `\`, "x)(|(objectClass=*", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		filter := expand(DefaultUserFilter, map[string]string{"username": ldap.EscapeFilter(name)})
		p, err := ldap.CompileFilter(filter)
		if err != nil {
			t.Fatalf("filter for %q does not compile: %v", name, err)
		}
		if len(p.Children) != 2 {
			t.Fatalf("filter for %q has %d terms, want 2: %s", name, len(p.Children), filter)
		}
	})
}
