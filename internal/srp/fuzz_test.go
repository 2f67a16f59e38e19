package srp

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"Tue Jul 10 11:01:00 UTC 2018", "Sat Feb 03 09:05:07 UTC 2024", "Sat Feb 3 24:00:00 UTC 2024",
		"Fri Feb 2 23:35:07 GMT-0930 2024", "Sat Feb 3 10:05:07 GMT+01:00 2024", "", "a b c d e f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp(s)
		if err != nil {
			if !errors.Is(err, ErrBadTimestamp) {
				t.Fatalf("ParseTimestamp(%q) error %v is not ErrBadTimestamp", s, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTimestamp(%q) not in UTC", s)
		}
		canon := FormatTimestamp(got)
		again, err := ParseTimestamp(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canon, s, err)
		}
		if !again.Equal(got) || FormatTimestamp(again) != canon {
			t.Fatalf("canonical %q of %q is not stable", canon, s)
		}
	})
}

func FuzzParseSRPA(f *testing.F) {
	for _, s := range []string{"0", "1", "499602d2", "ABCDEF", "000001", groupN.Text(16), strings.Repeat("f", 800), "xyz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseSRPA(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidA) {
				t.Fatalf("ParseSRPA(%q) error %v is not ErrInvalidA", s, err)
			}
			return
		}
		if a.Sign() <= 0 || a.Cmp(groupN) >= 0 {
			t.Fatalf("ParseSRPA(%q) = %s, outside (0, N)", s, a.Text(16))
		}
		if len(s) > maxHexDigits {
			t.Fatalf("ParseSRPA accepted %d digits", len(s))
		}
		n, ok := new(big.Int).SetString(s, 16)
		if !ok || n.Mod(n, groupN).Cmp(a) != 0 {
			t.Fatalf("ParseSRPA(%q) = %s, want the value mod N", s, a.Text(16))
		}
	})
}

func FuzzUnmarshalSession(f *testing.F) {
	salt, _ := GenerateSalt()
	s, err := NewServerSession(ComputeVerifier("p", "u", "pw", salt))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s ServerSession
		if err := s.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrInvalidSession) {
				t.Fatalf("UnmarshalBinary error %v is not ErrInvalidSession", err)
			}
			return
		}
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("a decoded session does not encode: %v", err)
		}
		var back ServerSession
		if err := back.UnmarshalBinary(again); err != nil || back.SRPB() != s.SRPB() || back.b.Cmp(s.b) != 0 {
			t.Fatalf("re-encoded session does not round-trip: %v", err)
		}
	})
}
