package passhash

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	const pepper, signer = "pepper-SECRET-1", "c2lnbmVyLVNFQ1JFVC0y"
	const encoded, salt = "$2y$04$SECRETHASHSECRETHASHSEOkz5pnnUvS0a4Q1eXeb9wn56s8A6XoS", "SALT-SECRET-3"
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := Options{Pepper: pepper, Firebase: FirebaseOptions{SignerKey: signer, SaltSeparator: "Bw==", Rounds: 8, MemCost: 14}}
	log.Debug("verifying", "options", opts, "hash", Hash{Encoded: encoded, Salt: salt, Format: "bcrypt"})
	out := buf.String()
	for _, secret := range []string{pepper, signer, encoded, salt, "SECRETHASH"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q: %s", secret, out)
		}
	}
	for _, want := range []string{`"pepper_set":true`, `"format":"bcrypt"`, `"encoded_len":60`} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %s: %s", want, out)
		}
	}
}

func TestNewRejectsBadFirebaseOptions(t *testing.T) {
	t.Parallel()
	good := FirebaseOptions{SignerKey: "c2lnbmVy", SaltSeparator: "Bw==", Rounds: 8, MemCost: 14}
	tests := []struct {
		name   string
		mutate func(*FirebaseOptions)
	}{
		{"signer key not base64", func(o *FirebaseOptions) { o.SignerKey = "!!" }},
		{"empty signer key", func(o *FirebaseOptions) { o.SignerKey = "" }},
		{"separator not base64", func(o *FirebaseOptions) { o.SaltSeparator = "!!" }},
		{"rounds zero", func(o *FirebaseOptions) { o.Rounds = 0 }},
		{"rounds nine", func(o *FirebaseOptions) { o.Rounds = 9 }},
		{"mem cost fifteen", func(o *FirebaseOptions) { o.MemCost = 15 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := good
			tt.mutate(&o)
			if _, err := New(Options{Firebase: o}); err == nil {
				t.Fatal("New accepted bad Firebase options")
			}
		})
	}
	if _, err := New(Options{Firebase: good}); err != nil {
		t.Fatalf("New(good) = %v", err)
	}
	v := mustNew(Options{})
	_, err := v.Verify(t.Context(), "x", Hash{Format: "firebase-scrypt", Encoded: "AAAA", Salt: "AAAA"})
	if !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("firebase-scrypt without options = %v, want ErrNotAllowed", err)
	}
}

func TestFormatsAllResolve(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{AllowPlaintext: true})
	formats := v.Formats()
	if !slices.IsSorted(formats) {
		t.Error("Formats not sorted")
	}
	for _, want := range []string{"bcrypt", "pbkdf2", "aspnet-identity", "aspnet-membership-hmacsha256",
		"keycloak", "firebase-scrypt", "md5", "sha256", "phpass", "drupal7", "ldap", "spring", "plaintext"} {
		if !slices.Contains(formats, want) {
			t.Errorf("Formats lacks %q", want)
		}
	}
	for _, name := range formats {
		_, err := v.Identify(Hash{Format: strings.ToUpper(name), Encoded: "?"})
		if errors.Is(err, ErrUnknownFormat) && !strings.Contains(err.Error(), "ldap scheme") {
			t.Errorf("Format %q not resolved: %v", name, err)
		}
	}
	if _, err := v.Identify(Hash{Format: "nope", Encoded: "x"}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format = %v", err)
	}
	for _, enc := range []string{"", "plain", "$9$x$y"} {
		if _, err := v.Identify(Hash{Encoded: enc}); err == nil {
			t.Errorf("Identify(%q) accepted", enc)
		}
	}
	if _, err := v.Identify(Hash{Encoded: strings.Repeat("a", maxEncodedLen+1)}); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized value = %v, want ErrMalformed", err)
	}
}

func TestWeakness(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{})
	tests := []struct {
		name string
		hash Hash
		weak bool
	}{
		{"bcrypt cost 9", Hash{Encoded: "$2a$09$" + strings.Repeat("a", 53)}, true},
		{"bcrypt cost 10", Hash{Encoded: "$2a$10$" + strings.Repeat("a", 53)}, false},
		{"pbkdf2-sha256 599999", Hash{Encoded: "pbkdf2_sha256$599999$salt$" + b64zeros(32)}, true},
		{"pbkdf2-sha256 600000", Hash{Encoded: "pbkdf2_sha256$600000$salt$" + b64zeros(32)}, false},
		{"pbkdf2-sha512 210000", Hash{Encoded: "pbkdf2:sha512:210000$salt$" + strings.Repeat("00", 64)}, false},
		{"pbkdf2-sha1 1300000", Hash{Encoded: "pbkdf2:sha1:1300000$salt$" + strings.Repeat("00", 20)}, false},
		{"argon2id 19MiB t=2", Hash{Encoded: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}, false},
		{"argon2id 4MiB t=1", Hash{Encoded: "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)}, true},
		{"scrypt 2^14 r8", Hash{Encoded: "$scrypt$ln=14,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)}, false},
		{"scrypt 2^12 r8", Hash{Encoded: "$scrypt$ln=12,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)}, true},
		{"sha512-crypt default", Hash{Encoded: "$6$salt$" + strings.Repeat("a", 86)}, false},
		{"sha512-crypt 1000", Hash{Encoded: "$6$rounds=1000$salt$" + strings.Repeat("a", 86)}, true},
		{"md5-crypt", Hash{Encoded: "$1$salt$" + strings.Repeat("a", 22)}, true},
		{"phpass", Hash{Encoded: "$P$B" + strings.Repeat("a", 30)}, true},
		{"ldap ssha", Hash{Encoded: "{SSHA}" + b64zeros(24)}, true},
		{"aspnet v2", Hash{Format: "aspnet-identity", Encoded: b64zeros(49)}, true},
		{"md5", Hash{Format: "md5", Encoded: strings.Repeat("0", 32)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, err := v.Identify(tt.hash)
			if err != nil {
				t.Fatal(err)
			}
			if info.Weak != tt.weak {
				t.Errorf("Weak = %v, want %v (%+v)", info.Weak, tt.weak, info)
			}
		})
	}
}

func b64zeros(n int) string {
	return strings.Repeat("A", n/3*4) + map[int]string{0: "", 1: "AA==", 2: "AAA="}[n%3]
}

func TestVerifyHonoursContext(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, vf := range loadVectors(t) {
		for _, vec := range vf.vectors {
			if vec.want != "true" || vf.opts != (Options{}) {
				continue
			}
			if _, err := v.Verify(cancelled, vec.password, vec.hash); !errors.Is(err, context.Canceled) {
				t.Errorf("%s:%d Verify with cancelled ctx = %v", vec.file, vec.line, err)
			}
		}
	}
}

// TestLongLoopsStopAtDeadline: iterated-digest loops whose count may be
// near their bound give up when the caller's deadline passes.
func TestLongLoopsStopAtDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		hash     Hash
		password string
	}{
		{"phpass 2^30", Hash{Encoded: "$P$S" + strings.Repeat("a", 30)}, "password"},
		{"sha512-crypt 10^7", Hash{Encoded: "$6$rounds=10000000$salt$" + strings.Repeat("a", 86)}, "password"},
		{"sha512-crypt 80 KB password", Hash{Encoded: "$6$salt$" + strings.Repeat("a", 86)}, strings.Repeat("p", 80<<10)},
		{"phpass 900 KB password", Hash{Encoded: "$P$B" + strings.Repeat("a", 30)}, strings.Repeat("p", 900<<10)},
		{"md5-crypt 900 KB password", Hash{Encoded: "$1$salt$" + strings.Repeat("a", 22)}, strings.Repeat("p", 900<<10)},
		{"pbkdf2-sha1 10^7 × 7 blocks", Hash{Encoded: "pbkdf2:sha1:10000000$salt$" + strings.Repeat("ab", 128)}, "password"},
	}
	// Limits far above the work, so that only the deadline can stop it.
	v := mustNew(Options{Limits: &Limits{Time: time.Hour}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := v.Verify(ctx, tt.password, tt.hash)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Verify = %v, want DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v after a 20ms deadline", d)
			}
		})
	}
}

// TestCostCheckedBeforeAllocation: out-of-bounds parameters are rejected
// before anything proportional to them is allocated. Not parallel: it reads
// the process-wide allocation counter.
func TestCostCheckedBeforeAllocation(t *testing.T) {
	v := mustNew(Options{})
	hashes := []Hash{
		{Encoded: "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)},
		{Encoded: "$scrypt$ln=24,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)},
		{Encoded: "$scrypt$ln=20,r=64,p=1$c2FsdA$" + strings.Repeat("A", 43)},
		{Encoded: "$pbkdf2-sha256$4000000000$c2FsdA$" + strings.Repeat("A", 43)},
		{Encoded: "$2b$31$" + strings.Repeat("a", 53)},
		{Encoded: "{scrypt}$180801$c2FsdA==$" + b64zeros(32)},
		{Format: "keycloak", Encoded: `{"hashIterations":5,"algorithm":"argon2","additionalParameters":{"memory":["99999999"]}}`,
			Salt: `{"value":"` + b64zeros(32) + `","salt":"c2FsdA=="}`},
	}
	for _, h := range hashes {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := v.Verify(t.Context(), "password", h)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCostTooHigh) {
			t.Errorf("Verify(%.40q) = %v, want ErrCostTooHigh", h.Encoded, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("Verify(%.40q) allocated %d bytes before refusing", h.Encoded, n)
		}
	}
}

func TestDummy(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{})
	real := Hash{Encoded: "$2a$04$abcdefghijklmnopqrstuu5Ecg6nwfKr7YGbdyVQYnqIqUl0t3uK6"}
	if err := v.Dummy(t.Context(), "anything", real); err != nil {
		t.Fatalf("Dummy(real hash) = %v", err)
	}
	if err := v.Dummy(t.Context(), "anything", Hash{Encoded: "dummy"}); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("Dummy(literal) = %v, want ErrUnknownFormat", err)
	}
}

func TestDefaultVerifier(t *testing.T) {
	t.Parallel()
	h := Hash{Encoded: "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"} // openssl passwd -1 -salt saltsalt password
	res, err := defaultVerifier.Verify(t.Context(), "password", h)
	if err != nil || !res.Match || res.Family != "md5-crypt" || !res.Weak {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	info, err := Identify(h)
	if err != nil || info != (Info{Family: "md5-crypt", Weak: true}) {
		t.Fatalf("Identify = %+v, %v", info, err)
	}
}

// TestMatchAndMismatchDoTheSameWork verifies the first matching vector of
// each file, and the same hash with a wrong password of the same length,
// and checks both runs take the same code path (the same allocation count,
// within one allocation or 15% for Argon2, whose lanes are goroutines): whether a password matches must not change the
// work done.
func TestMatchAndMismatchDoTheSameWork(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not comparable under the race detector")
	}
	// No collections while counting: a GC emptying a sync.Pool between the
	// two runs would show up as an allocation of one and not the other.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, vf := range loadVectors(t) {
		v := mustNew(vf.opts)
		for _, vec := range vf.vectors {
			if vec.want != "true" || vec.password == "" {
				continue
			}
			b := []byte(vec.password)
			b[len(b)-1] ^= 1
			if b[len(b)-1] >= 0x80 {
				continue // keep the same UTF-8 shape
			}
			wrong := string(b)
			t.Run(vf.name, func(t *testing.T) {
				ctx := t.Context()
				var matched, mismatched bool
				right := testing.AllocsPerRun(1, func() {
					res, _ := v.Verify(ctx, vec.password, vec.hash)
					matched = res.Match
				})
				other := testing.AllocsPerRun(1, func() {
					res, _ := v.Verify(ctx, wrong, vec.hash)
					mismatched = !res.Match
				})
				if !matched || !mismatched {
					t.Fatalf("%s:%d: match=%v mismatch=%v", vec.file, vec.line, matched, mismatched)
				}
				if diff := math.Abs(right - other); diff > max(1, 0.15*right) {
					t.Errorf("%s:%d: %v allocations on match, %v on mismatch", vec.file, vec.line, right, other)
				}
			})
			break
		}
	}
}

// TestConcurrentUse shares one Verifier between goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	v := mustNew(Options{})
	var hashes []vector
	for _, vf := range loadVectors(t) {
		if vf.opts != (Options{}) {
			continue
		}
		for _, vec := range vf.vectors {
			if vec.want == "true" && (vf.name == "crypt.tsv" || vf.name == "ldap.tsv" || vf.name == "digest.tsv") {
				hashes = append(hashes, vec)
			}
		}
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := g; i < len(hashes); i += 4 {
				res, err := v.Verify(t.Context(), hashes[i].password, hashes[i].hash)
				if err == nil && !res.Match {
					err = errors.New(hashes[i].file + ": no match")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
