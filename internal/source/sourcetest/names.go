// The name cases: a hostile name never matches a user, and the source's case
// rule holds.

package sourcetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// hostileNames are names shaped like SQL, LDAP-filter and path injections,
// NUL bytes and oversized input. None may ever match a user.
func hostileNames(known string) []string {
	return []string{
		"",
		" ",
		"' OR '1'='1",
		"' OR 1=1 --",
		known + "' OR '1'='1",
		known + "'--",
		"admin'--",
		"*)(uid=*",
		"*)(|(uid=*))",
		known + ")(|(uid=*",
		"*",
		"%",
		known[:len(known)/2] + "%",
		known[:len(known)/2] + "_" + known[len(known)/2+1:],
		"\\",
		known + "\x00",
		"\x00" + known,
		known + "\x00' OR '1'='1",
		"../" + known,
		strings.Repeat("a", 10<<10),
		strings.Repeat(known, (10<<10)/len(known)+1),
		"\xff\xfe" + known,
	}
}

func testHostileNames(t *testing.T, f Fixture) {
	for _, name := range hostileNames(f.User.Name) {
		if name == f.User.Name {
			continue
		}
		for _, pw := range []string{f.User.Password, "' OR '1'='1"} {
			u, err := f.Source.Authenticate(t.Context(), name, pw)
			if err == nil || u != nil {
				t.Errorf("Authenticate(%.40q) = %+v, %v: a hostile name matched", name, u, err)
				continue
			}
			if source.IsOutcome(err) && !errors.Is(err, source.ErrUserNotFound) && !errors.Is(err, source.ErrInvalidPassword) {
				t.Errorf("Authenticate(%.40q): err = %v, want not found or a fault", name, err)
			}
		}
		u, err := f.Source.Lookup(t.Context(), name)
		if err == nil || u != nil {
			t.Errorf("Lookup(%.40q) = %+v, %v: a hostile name matched", name, u, err)
		}
	}
}

// otherCase returns name with the case of its letters changed, or "" when
// it has no cased letters.
func otherCase(name string) string {
	up := strings.ToUpper(name)
	if up != name {
		return up
	}
	low := strings.ToLower(name)
	if low != name {
		return low
	}
	return ""
}

func testCaseRule(t *testing.T, f Fixture) {
	name := otherCase(f.User.Name)
	if name == "" {
		t.Skip("the fixture user's name has no cased letters")
	}
	u, err := f.Source.Authenticate(t.Context(), name, f.User.Password)
	if f.CaseInsensitive {
		if err != nil {
			t.Fatalf("Authenticate(%q) with a case-insensitive rule: %v", name, err)
		}
		if u.ID != f.User.Want.ID {
			t.Errorf("Authenticate(%q) found ID %q, want %q", name, u.ID, f.User.Want.ID)
		}
		return
	}
	wantOutcome(t, fmt.Sprintf("Authenticate(%q) with a case-sensitive rule", name), u, err, source.ErrUserNotFound)
}
