package sqlsource

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// errValue reports a column value Ferry cannot interpret as the kind the
// configuration says it is (a boolean, a timestamp).
var errValue = errors.New("unexpected column value")

// asString renders a scanned column value as text; NULL is "".
func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case [16]byte: // a UUID, as some drivers scan uniqueidentifier/uuid
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	default:
		return fmt.Sprint(x)
	}
}

// asBool interprets a column as a boolean the way the legacy schemas store
// one: a boolean, a non-zero number, a one-byte BIT(1) value, a textual
// boolean, or a timestamp (set means true: confirmed_at, locked_at). NULL is
// false.
func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case float64:
		return x != 0, nil
	case time.Time:
		return !x.IsZero(), nil
	case []byte:
		if len(x) == 1 && x[0] <= 1 { // MySQL BIT(1)
			return x[0] == 1, nil
		}
		return textBool(string(x))
	case string:
		return textBool(x)
	default:
		return false, fmt.Errorf("%w: %T as a boolean", errValue, v)
	}
}

func textBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "y", "yes", "on":
		return true, nil
	case "", "0", "f", "false", "n", "no", "off":
		return false, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n != 0, nil
	}
	if _, ok, err := textTime(s); err == nil && ok {
		return true, nil
	}
	return false, fmt.Errorf("%w: %q as a boolean", errValue, s)
}

// timeLayouts are the textual timestamp forms the drivers return when they
// do not parse timestamps themselves (SQLite TEXT, MySQL without parseTime).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999 -0700 MST", // Go's time.Time.String, as modernc.org/sqlite writes it
	"2006-01-02",
}

func textTime(s string) (time.Time, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%w: %q as a timestamp", errValue, s)
}

// asTime interprets a column as a timestamp; NULL is (zero, false).
func asTime(v any) (time.Time, bool, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return x, !x.IsZero(), nil
	case []byte:
		return textTime(string(x))
	case string:
		return textTime(x)
	default:
		return time.Time{}, false, fmt.Errorf("%w: %T as a timestamp", errValue, v)
	}
}
