package passhash

import (
	"errors"
	"testing"
)

// The fuzz targets feed arbitrary stored values to each parser through
// Identify (parsing and bounds only, no hashing) and, where verification is
// cheap whatever the input, through Verify. None may panic, and every error
// must wrap one of the package's sentinels.

func seedFromVectors(f *testing.F, files ...string) {
	f.Helper()
	want := map[string]bool{}
	for _, name := range files {
		want[name] = true
	}
	for _, vf := range loadVectors(f) {
		if !want[vf.name] {
			continue
		}
		for _, vec := range vf.vectors {
			f.Add(vec.hash.Encoded, vec.hash.Salt, vec.hash.Format)
		}
	}
}

func checkSentinel(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []error{ErrMalformed, ErrUnknownFormat, ErrCostTooHigh, ErrNotAllowed} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error wraps no sentinel: %v", err)
}

// fuzzIdentify runs Identify on fuzzed values with a fixed format (empty:
// detect from the value) and checks the outcome.
func fuzzIdentify(f *testing.F, format string, files ...string) {
	seedFromVectors(f, files...)
	v := mustNew(Options{AllowPlaintext: true, Firebase: FirebaseOptions{
		SignerKey: "c2lnbmVy", SaltSeparator: "Bw==", Rounds: 8, MemCost: 14}})
	f.Fuzz(func(t *testing.T, encoded, salt, _ string) {
		info, err := v.Identify(Hash{Encoded: encoded, Salt: salt, Format: format})
		checkSentinel(t, err)
		if err == nil && info.Family == "" {
			t.Fatal("Identify succeeded without a family")
		}
	})
}

func FuzzBcrypt(f *testing.F) {
	fuzzIdentify(f, "", "bcrypt.tsv", "wordpress.tsv", "bcrypt_pepper.tsv", "bcrypt_sha256.tsv")
}
func FuzzArgon2(f *testing.F)   { fuzzIdentify(f, "", "argon2.tsv") }
func FuzzScrypt(f *testing.F)   { fuzzIdentify(f, "", "scrypt.tsv") }
func FuzzPBKDF2(f *testing.F)   { fuzzIdentify(f, "", "pbkdf2.tsv") }
func FuzzDjango(f *testing.F)   { fuzzIdentify(f, "", "django.tsv") }
func FuzzPhpass(f *testing.F)   { fuzzIdentify(f, "", "phpass.tsv") }
func FuzzCrypt(f *testing.F)    { fuzzIdentify(f, "", "crypt.tsv") }
func FuzzLDAP(f *testing.F)     { fuzzIdentify(f, "", "ldap.tsv") }
func FuzzSpring(f *testing.F)   { fuzzIdentify(f, "", "spring.tsv", "plaintext.tsv") }
func FuzzKeycloak(f *testing.F) { fuzzIdentify(f, "keycloak", "keycloak.tsv") }
func FuzzFirebase(f *testing.F) { fuzzIdentify(f, "firebase-scrypt", "firebase.tsv") }

func FuzzASPNetIdentity(f *testing.F) {
	fuzzIdentify(f, "aspnet-identity", "aspnet_identity.tsv")
}

// FuzzFormatted covers the explicitly named formats (ASP.NET Membership,
// digests, unsalted Django, DES crypt) with the fuzzed Format and Salt.
func FuzzFormatted(f *testing.F) {
	seedFromVectors(f, "aspnet_membership.tsv", "digest.tsv", "django.tsv", "crypt.tsv", "joomla.tsv")
	v := mustNew(Options{})
	f.Fuzz(func(t *testing.T, encoded, salt, format string) {
		_, err := v.Identify(Hash{Encoded: encoded, Salt: salt, Format: format})
		checkSentinel(t, err)
	})
}

// FuzzTemplate parses and evaluates templates: evaluation is bounded by the
// grammar, so Verify is safe to fuzz.
func FuzzTemplate(f *testing.F) {
	seedFromVectors(f, "template.tsv")
	v := mustNew(Options{Pepper: "pepper"})
	f.Fuzz(func(t *testing.T, encoded, salt, format string) {
		h := Hash{Encoded: encoded, Salt: salt, Format: templatePrefix + format}
		if len(format) >= len(templatePrefix) && format[:len(templatePrefix)] == templatePrefix {
			h.Format = format
		}
		_, err := v.Verify(t.Context(), "password", h)
		checkSentinel(t, err)
	})
}

// FuzzDetect feeds arbitrary values to detection across every family.
func FuzzDetect(f *testing.F) {
	seedFromVectors(f, "bcrypt.tsv", "crypt.tsv", "ldap.tsv", "spring.tsv", "pbkdf2.tsv", "keycloak.tsv", "digest.tsv", "joomla.tsv")
	v := mustNew(Options{AllowPlaintext: true})
	f.Fuzz(func(t *testing.T, encoded, _, _ string) {
		_, err := v.Identify(Hash{Encoded: encoded})
		checkSentinel(t, err)
	})
}

// FuzzBudget checks the cost model on arbitrary stored values and password
// lengths: it never panics, errors wrap a sentinel (ErrOverBudget wraps
// ErrCostTooHigh), and a shorter password never costs more.
func FuzzBudget(f *testing.F) {
	seedFromVectors(f, "argon2.tsv", "scrypt.tsv", "pbkdf2.tsv", "crypt.tsv", "phpass.tsv", "bcrypt.tsv", "aspnet_identity.tsv", "keycloak.tsv", "django.tsv")
	v := mustNew(Options{Limits: &DefaultLimits})
	f.Fuzz(func(t *testing.T, encoded, salt, format string) {
		h := Hash{Encoded: encoded, Salt: salt, Format: format}
		// Lengths from the fuzzed value, bounded so the cheap families that
		// run in full stay cheap.
		long := min(len(encoded)*len(salt)+len(format), 1<<16)
		errLong := v.Budget(h, long)
		checkSentinel(t, errLong)
		errShort := v.Budget(h, long/2)
		checkSentinel(t, errShort)
		if errLong == nil && errors.Is(errShort, ErrOverBudget) {
			t.Fatalf("%d-byte password in budget, %d-byte one over: %v", long, long/2, errShort)
		}
	})
}
