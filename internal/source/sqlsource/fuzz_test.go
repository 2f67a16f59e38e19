package sqlsource

import "testing"

// FuzzValues checks that no column text panics the boolean and timestamp
// parsers, and that a text read as a set timestamp also reads as true
// (confirmed_at, locked_at).
func FuzzValues(f *testing.F) {
	for _, s := range []string{"", "t", "0", "2", "yes", "2024-05-06 07:08:09", "2024-05-06T07:08:09Z",
		"2024-05-06 07:08:09.123 +0000 UTC", "\x01", "NaN", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, berr := asBool(s)
		_, _ = asBool([]byte(s))
		_, _ = asString([]byte(s)), asString(s)
		if _, ok, err := asTime(s); err == nil && ok && (berr != nil || !b) {
			t.Errorf("%q reads as a timestamp but asBool = %v, %v", s, b, berr)
		}
	})
}
