package userpool

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPVectors checks the SHA-1 test vectors of RFC 6238, Appendix B
// (secret "12345678901234567890", 8 digits), and their 6-digit codes,
// which are the vectors' last six digits (RFC 4226 truncation is modulo
// 10^digits).
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		counter := uint64(v.unix / 30)
		if got := totpCode(key, counter, 8); got != v.want {
			t.Errorf("T=%d: 8 digits %s, want %s", v.unix, got, v.want)
		}
		if got := totpCode(key, counter, 6); got != v.want[2:] {
			t.Errorf("T=%d: 6 digits %s, want %s", v.unix, got, v.want[2:])
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	t.Parallel()
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111111, 0)
	tests := []struct {
		name string
		code string
		at   time.Time
		want bool
	}{
		{"current step", "050471", now, true},
		{"previous step accepted", "050471", now.Add(30 * time.Second), true},
		{"two steps late refused", "050471", now.Add(60 * time.Second), false},
		{"wrong code", "050472", now, false},
		{"too short", "50471", now, false},
		{"not digits", "abcdef", now, false},
	}
	for _, tt := range tests {
		if _, ok := checkTOTP(secret, tt.code, tt.at); ok != tt.want {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.want)
		}
	}
	if len(newTOTPSecret()) != 52 {
		t.Errorf("secret length %d, want 52", len(newTOTPSecret()))
	}
	if _, ok := checkTOTP("not base32!", "050471", now); ok {
		t.Error("malformed secret accepted")
	}
}

// FuzzCheckTOTP feeds untrusted codes and secrets to the check: it must
// never panic, and accept only six-digit codes.
func FuzzCheckTOTP(f *testing.F) {
	f.Add("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "050471", int64(1111111111))
	f.Add("", "", int64(0))
	f.Add("====", "12345678", int64(-1))
	f.Fuzz(func(t *testing.T, secret, code string, unix int64) {
		if _, ok := checkTOTP(secret, code, time.Unix(unix, 0)); ok && len(code) != totpDigits {
			t.Fatalf("accepted %q", code)
		}
	})
}
