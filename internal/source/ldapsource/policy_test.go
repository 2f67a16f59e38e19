package ldapsource

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// now is the clock of the decision tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func genTime(t time.Time) string { return t.UTC().Format("20060102150405Z") }

// adTime renders t as an Active Directory FILETIME.
func adTime(t time.Time) string {
	return strconv.FormatInt(t.UnixNano()/100+116444736000000000, 10)
}

// TestLockReason decides OpenLDAP ppolicy and Active Directory locks from
// entries as the directories write them. Active Directory cannot run in
// the test environment: its half is decided from entries shaped as AD
// returns them (lockoutTime a FILETIME, lockoutDuration a negative count
// of 100 ns).
func TestLockReason(t *testing.T) {
	t.Parallel()
	temp := policy{Read: true, Lockout: true, MaxFailure: 3, LockoutDuration: 5 * time.Minute}
	forever := policy{Read: true, Lockout: true, MaxFailure: 3}
	tests := []struct {
		name   string
		attrs  map[string][]string
		p      policy
		locked bool
	}{
		{"no lock", map[string][]string{"uid": {"a"}}, temp, false},
		{"permanent, even with a duration", map[string][]string{"pwdAccountLockedTime": {"000001010000Z"}}, temp, true},
		{"temporary, running", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-time.Minute))}}, temp, true},
		{"temporary, ran out", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-6 * time.Minute))}}, temp, false},
		{"temporary, exactly at the end", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-5 * time.Minute))}}, temp, false},
		{"fractional seconds", map[string][]string{"pwdAccountLockedTime": {now.Add(-time.Hour).Format("20060102150405.000000Z")}}, temp, false},
		{"no duration: until unlocked", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-24 * time.Hour))}}, forever, true},
		{"no policy known: until unlocked", map[string][]string{"pwdAccountLockedTime": {genTime(now.Add(-24 * time.Hour))}}, policy{}, true},
		{"unreadable time stays locked", map[string][]string{"pwdAccountLockedTime": {"yesterday"}}, temp, true},
		{"AD not locked", map[string][]string{"lockoutTime": {"0"}}, temp, false},
		{"AD locked, running", map[string][]string{"lockoutTime": {adTime(now.Add(-time.Minute))}}, temp, true},
		{"AD locked, ran out", map[string][]string{"lockoutTime": {adTime(now.Add(-10 * time.Minute))}}, temp, false},
		{"AD locked, duration forever", map[string][]string{"lockoutTime": {adTime(now.Add(-10 * time.Minute))}}, forever, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := lockReason(ldap.NewEntry("uid=a", tc.attrs), tc.p, now)
			if (got != "") != tc.locked {
				t.Errorf("lockReason = %q, want locked %v", got, tc.locked)
			}
		})
	}
}

func TestParsePolicies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ad      bool
		attrs   map[string][]string
		want    policy
		wantErr string
	}{
		{
			name:  "ppolicy lockout",
			attrs: map[string][]string{"pwdLockout": {"TRUE"}, "pwdMaxFailure": {"3"}, "pwdLockoutDuration": {"300"}, "pwdFailureCountInterval": {"0"}},
			want:  policy{Read: true, Lockout: true, MaxFailure: 3, LockoutDuration: 300 * time.Second},
		},
		{
			name:  "ppolicy without lockout",
			attrs: map[string][]string{"pwdLockout": {"TRUE"}, "pwdMaxFailure": {"0"}},
			want:  policy{Read: true},
		},
		{
			name:  "ppolicy pwdLockout FALSE counts nothing",
			attrs: map[string][]string{"pwdLockout": {"FALSE"}, "pwdMaxFailure": {"5"}},
			want:  policy{Read: true, MaxFailure: 5},
		},
		{name: "ppolicy unreadable", attrs: map[string][]string{"cn": {"x"}}, wantErr: "no pwdLockout"},
		{name: "ppolicy bad count", attrs: map[string][]string{"pwdLockout": {"TRUE"}, "pwdMaxFailure": {"many"}}, wantErr: "not a count"},
		{
			name: "AD 30 minutes",
			ad:   true,
			attrs: map[string][]string{"lockoutThreshold": {"5"}, "lockoutDuration": {"-18000000000"},
				"lockOutObservationWindow": {"-18000000000"}},
			want: policy{Read: true, Lockout: true, MaxFailure: 5, LockoutDuration: 30 * time.Minute, FailureInterval: 30 * time.Minute},
		},
		{
			name:  "AD forever",
			ad:    true,
			attrs: map[string][]string{"lockoutThreshold": {"10"}, "lockoutDuration": {"-9223372036854775808"}},
			want:  policy{Read: true, Lockout: true, MaxFailure: 10},
		},
		{name: "AD never locks", ad: true, attrs: map[string][]string{"lockoutThreshold": {"0"}}, want: policy{Read: true}},
		{name: "AD positive duration", ad: true, attrs: map[string][]string{"lockoutThreshold": {"3"}, "lockoutDuration": {"5"}}, wantErr: "not a negative interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parse := parsePPolicy
			if tc.ad {
				parse = parseADPolicy
			}
			got, err := parse(ldap.NewEntry("cn=p", tc.attrs))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestWithConfig(t *testing.T) {
	t.Parallel()
	read := policy{Read: true, Lockout: true, MaxFailure: 5, LockoutDuration: time.Minute}
	tests := []struct {
		name string
		p    policy
		c    PasswordPolicy
		want policy
	}{
		{"nothing configured", read, PasswordPolicy{}, read},
		{"smaller configured count wins", read, PasswordPolicy{MaxFailure: 3}, policy{Read: true, Lockout: true, MaxFailure: 3, LockoutDuration: time.Minute}},
		{"larger configured count loses", read, PasswordPolicy{MaxFailure: 9}, read},
		{"read duration wins", read, PasswordPolicy{LockoutDuration: time.Hour}, read},
		{"no policy read", policy{}, PasswordPolicy{MaxFailure: 4, LockoutDuration: time.Hour},
			policy{Lockout: true, MaxFailure: 4, LockoutDuration: time.Hour}},
		{"policy without lockout, count configured", policy{Read: true}, PasswordPolicy{MaxFailure: 4},
			policy{Read: true, Lockout: true, MaxFailure: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tc.want, tc.p.withConfig(tc.c)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestBindWouldRisk: a bind is refused when one more failure could reach
// the policy's count, with failures counted as the directory counts them.
func TestBindWouldRisk(t *testing.T) {
	t.Parallel()
	p := policy{Read: true, Lockout: true, MaxFailure: 3}
	windowed := policy{Read: true, Lockout: true, MaxFailure: 3, FailureInterval: 10 * time.Minute}
	old, recent := genTime(now.Add(-time.Hour)), genTime(now.Add(-time.Minute))
	tests := []struct {
		name  string
		attrs map[string][]string
		p     policy
		want  int
		risk  bool
	}{
		{"none", nil, p, 0, false},
		{"one", map[string][]string{"pwdFailureTime": {recent}}, p, 1, false},
		{"two of three", map[string][]string{"pwdFailureTime": {old, recent}}, p, 2, true},
		{"old ones expired by the interval", map[string][]string{"pwdFailureTime": {old, old, recent}}, windowed, 1, false},
		{"unreadable time counts", map[string][]string{"pwdFailureTime": {"x", recent}}, windowed, 2, true},
		{"no lockout", map[string][]string{"pwdFailureTime": {old, old, old}}, policy{Read: true}, 0, false},
		{"AD badPwdCount in the window", map[string][]string{"badPwdCount": {"2"}, "badPasswordTime": {adTime(now.Add(-time.Minute))}}, windowed, 2, true},
		{"AD badPwdCount past the window", map[string][]string{"badPwdCount": {"2"}, "badPasswordTime": {adTime(now.Add(-time.Hour))}}, windowed, 0, false},
		{"pwdMaxFailure 1: every bind risks", nil, policy{Read: true, Lockout: true, MaxFailure: 1}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, risk := bindWouldRisk(ldap.NewEntry("uid=a", tc.attrs), tc.p, now)
			if n != tc.want || risk != tc.risk {
				t.Errorf("bindWouldRisk = %d, %v; want %d, %v", n, risk, tc.want, tc.risk)
			}
		})
	}
}

// TestStoredHash reads userPassword values as OpenLDAP does, keeping bare
// values that a hash family claims as hashes.
func TestStoredHash(t *testing.T) {
	t.Parallel()
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &Source{verifier: v}
	tests := []struct {
		in    string
		want  passhash.Hash
		clear bool
	}{
		{"{SSHA}abc", passhash.Hash{Encoded: "{SSHA}abc"}, false},
		{"{CLEARTEXT}secret", passhash.Hash{Encoded: "secret", Format: "plaintext"}, true},
		{"{cleartext}", passhash.Hash{Encoded: "", Format: "plaintext"}, true},
		{"secret", passhash.Hash{Encoded: "secret", Format: "plaintext"}, true},
		{"{PBKDF2-SHA512}x", passhash.Hash{Encoded: "{PBKDF2-SHA512}x"}, false},
		{"$2y$04$abcdefghijklmnopqrstuu5Zh4Qq9kW0o8W5Gm3Z5v0m8Ww3c9A1K", passhash.Hash{Encoded: "$2y$04$abcdefghijklmnopqrstuu5Zh4Qq9kW0o8W5Gm3Z5v0m8Ww3c9A1K"}, false},
	}
	for _, tc := range tests {
		h, clear := s.storedHash(tc.in)
		if h != tc.want || clear != tc.clear {
			t.Errorf("storedHash(%q) = %+v, %v; want %+v, %v", tc.in, h, clear, tc.want, tc.clear)
		}
	}
}
