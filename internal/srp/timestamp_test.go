package srp

import (
	"errors"
	"testing"
	"time"
)

func TestFormatTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"vector", time.Date(2018, 7, 10, 11, 1, 0, 0, time.UTC), "Tue Jul 10 11:01:00 UTC 2018"},
		{"day not padded", time.Date(2024, 2, 3, 9, 5, 7, 0, time.UTC), "Sat Feb 3 09:05:07 UTC 2024"},
		{"afternoon is 24-hour", time.Date(2024, 2, 3, 15, 1, 0, 0, time.UTC), "Sat Feb 3 15:01:00 UTC 2024"},
		{"midnight", time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), "Tue Dec 31 00:00:00 UTC 2024"},
		{"other zone rendered in UTC", time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600)),
			"Mon Jan 1 00:00:00 UTC 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := FormatTimestamp(tt.t); got != tt.want {
				t.Errorf("FormatTimestamp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		canonical string // FormatTimestamp of the parsed time; "" when it must not parse
	}{
		{"canonical", "Tue Jul 10 11:01:00 UTC 2018", "Tue Jul 10 11:01:00 UTC 2018"},
		{"single-digit day", "Sat Feb 3 09:05:07 UTC 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"zero-padded day re-renders unpadded", "Sat Feb 03 09:05:07 UTC 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"wrong weekday is read, not checked", "Mon Feb 3 09:05:07 UTC 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"12-hour hour (GOSRP v4 at 15:01)", "Sat Feb 3 03:01:00 UTC 2024", "Sat Feb 3 03:01:00 UTC 2024"},
		{"single-digit hour", "Sat Feb 3 9:05:07 UTC 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"lower case names", "sat feb 3 09:05:07 utc 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"full names", "Saturday February 3 09:05:07 UTC 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"GMT", "Sat Feb 3 09:05:07 GMT 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"GMT offset", "Sat Feb 3 10:05:07 GMT+01:00 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"GMT negative offset crossing midnight", "Fri Feb 2 23:35:07 GMT-0930 2024", "Sat Feb 3 09:05:07 UTC 2024"},
		{"leap day", "Thu Feb 29 00:00:00 UTC 2024", "Thu Feb 29 00:00:00 UTC 2024"},
		{"hour 24", "Sat Feb 3 24:05:07 UTC 2024", ""},
		{"minute 60", "Sat Feb 3 09:60:07 UTC 2024", ""},
		{"second 60", "Sat Feb 3 09:05:60 UTC 2024", ""},
		{"day 0", "Sat Feb 0 09:05:07 UTC 2024", ""},
		{"day 32", "Sat Jan 32 09:05:07 UTC 2024", ""},
		{"31 April", "Sat Apr 31 09:05:07 UTC 2024", ""},
		{"29 February of a common year", "Sat Feb 29 09:05:07 UTC 2023", ""},
		{"three-digit day", "Sat Feb 003 09:05:07 UTC 2024", ""},
		{"unknown zone", "Sat Feb 3 09:05:07 PST 2024", ""},
		{"bad offset", "Sat Feb 3 09:05:07 GMT+25:00 2024", ""},
		{"two-digit year", "Sat Feb 3 09:05:07 UTC 24", ""},
		{"ISO 8601", "2024-02-03T09:05:07Z", ""},
		{"double space", "Sat Feb  3 09:05:07 UTC 2024", ""},
		{"missing seconds", "Sat Feb 3 09:05 UTC 2024", ""},
		{"unknown month", "Sat Foo 3 09:05:07 UTC 2024", ""},
		{"unknown weekday", "Xyz Feb 3 09:05:07 UTC 2024", ""},
		{"signed number", "Sat Feb +3 09:05:07 UTC 2024", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTimestamp(tt.in)
			if tt.canonical == "" {
				if !errors.Is(err, ErrBadTimestamp) {
					t.Fatalf("ParseTimestamp(%q) = %v, %v; want ErrBadTimestamp", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tt.in, err)
			}
			if c := FormatTimestamp(got); c != tt.canonical {
				t.Errorf("re-rendered %q, want %q", c, tt.canonical)
			}
		})
	}
}
