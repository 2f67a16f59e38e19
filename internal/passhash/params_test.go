package passhash_test

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// TestInfoParams: Identify names the stored cost parameters, and Estimate
// gives the cost model's time for a costly family and zero for a fast
// digest. The values are Django 3.2's (bench/testdata/audit_hashes.tsv)
// and a PHP password_hash bcrypt.
func TestInfoParams(t *testing.T) {
	t.Parallel()
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		encoded, params string
		costly          bool
	}{
		{"$2y$10$99Tti/dxcmhnuhcCRu6kEu6ugi2P6QCDVbG6iHJ5oYYveQEvcTT22", "cost=10", true},
		{"pbkdf2_sha256$260000$IWdPZMJeV89FnM2rJdoxzl$ddGuUQ5NIajm493/la4gembDFW5q0XyN63BKkbLtTJg=", "prf=sha256 iterations=260000", true},
		{"argon2$argon2id$v=19$m=102400,t=2,p=8$ZHg5aWtpbGlDM2pBVkcyaGhBdW5VTQ$z85E7aNUvR57Io0ovVNgJw", "m=102400 t=2 p=8", true},
		{"sha1$S75GG5gmyV4qwd4DaR7jzs$ab8f41b86285cc32555927021f09cf10c8b8e53c", "", false},
	} {
		h := passhash.Hash{Encoded: tc.encoded}
		info, err := v.Identify(h)
		if err != nil || info.Params != tc.params {
			t.Errorf("Identify(%.30s…) = %+v, %v; want params %q", tc.encoded, info, err, tc.params)
		}
		est, _, err := v.Estimate(h, 16)
		if err != nil || (est > 0) != tc.costly {
			t.Errorf("Estimate(%.30s…) = %s, %v; want costly %v", tc.encoded, est, err, tc.costly)
		}
	}
}
