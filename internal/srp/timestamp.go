package srp

import (
	"strings"
	"time"
)

// timestampLayout is the canonical TIMESTAMP: English, UTC, day not
// zero-padded, 24-hour time ("Tue Jul 10 11:01:00 UTC 2018").
const timestampLayout = "Mon Jan 2 15:04:05 MST 2006"

// FormatTimestamp renders t as a TIMESTAMP in UTC, the way clients send it
// and the way the server re-renders a parsed TIMESTAMP before checking the
// signature.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

var (
	weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	monthNames   = []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"}
)

// ParseTimestamp parses TIMESTAMP as Cognito's Java parser does with the
// pattern "EEE MMM d HH:mm:ss z yyyy", non-lenient, English: weekday and
// month as three-letter abbreviations or full names in any case (the
// weekday is read but not checked against the date), day and time fields of
// one or two digits within range (hour 24 is refused), a zone of UTC, GMT or
// UT optionally followed by an offset (GMT+01:00, GMT-0530), and a
// four-digit year. The result is in UTC. Anything else is ErrBadTimestamp.
//
// A TIMESTAMP that parses but is not canonical (zero-padded day, wrong
// weekday, another zone) re-renders differently with FormatTimestamp, so
// its signature fails — as on real Cognito.
func ParseTimestamp(s string) (time.Time, error) {
	fields := strings.Split(s, " ")
	if len(fields) != 6 {
		return time.Time{}, ErrBadTimestamp
	}
	if nameIndex(fields[0], weekdayNames) < 0 {
		return time.Time{}, ErrBadTimestamp
	}
	month := nameIndex(fields[1], monthNames)
	if month < 0 {
		return time.Time{}, ErrBadTimestamp
	}
	day, ok := smallNumber(fields[2], 1, 31)
	if !ok {
		return time.Time{}, ErrBadTimestamp
	}
	hms := strings.Split(fields[3], ":")
	if len(hms) != 3 {
		return time.Time{}, ErrBadTimestamp
	}
	hour, okH := smallNumber(hms[0], 0, 23)
	minute, okM := smallNumber(hms[1], 0, 59)
	second, okS := smallNumber(hms[2], 0, 59)
	if !okH || !okM || !okS {
		return time.Time{}, ErrBadTimestamp
	}
	offset, ok := parseZone(fields[4])
	if !ok {
		return time.Time{}, ErrBadTimestamp
	}
	if len(fields[5]) != 4 {
		return time.Time{}, ErrBadTimestamp
	}
	year, ok := number(fields[5])
	if !ok {
		return time.Time{}, ErrBadTimestamp
	}
	t := time.Date(year, time.Month(month+1), day, hour, minute, second, 0, time.FixedZone("", offset))
	if t.Day() != day { // 31 April, 29 February of a common year
		return time.Time{}, ErrBadTimestamp
	}
	return t.UTC(), nil
}

// nameIndex finds s, a full name or its three-letter abbreviation in any
// case, in names.
func nameIndex(s string, names []string) int {
	s = strings.ToLower(s)
	for i, n := range names {
		if s == n || s == n[:3] {
			return i
		}
	}
	return -1
}

// number parses a string of ASCII digits (at most 4).
func number(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// smallNumber parses one or two digits within [lo, hi].
func smallNumber(s string, lo, hi int) (int, bool) {
	if len(s) > 2 {
		return 0, false
	}
	n, ok := number(s)
	return n, ok && n >= lo && n <= hi
}

// parseZone reads UTC, GMT or UT, optionally followed by an offset of the
// form ±h, ±hh, ±hh:mm or ±hhmm (hours ≤ 23, minutes ≤ 59), and returns the
// offset in seconds east of UTC.
func parseZone(s string) (int, bool) {
	upper := strings.ToUpper(s)
	var rest string
	switch {
	case strings.HasPrefix(upper, "UTC"), strings.HasPrefix(upper, "GMT"):
		rest = upper[3:]
	case strings.HasPrefix(upper, "UT"):
		rest = upper[2:]
	default:
		return 0, false
	}
	if rest == "" {
		return 0, true
	}
	sign := 1
	switch rest[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false
	}
	rest = rest[1:]
	var hh, mm string
	if h, m, ok := strings.Cut(rest, ":"); ok {
		hh, mm = h, m
		if len(mm) != 2 {
			return 0, false
		}
	} else if len(rest) == 4 {
		hh, mm = rest[:2], rest[2:]
	} else {
		hh, mm = rest, "0"
	}
	h, okH := smallNumber(hh, 0, 23)
	m, okM := smallNumber(mm, 0, 59)
	if !okH || !okM {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}
