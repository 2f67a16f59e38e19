package passhashtest_test

import (
	"bufio"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"os"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/passhash/passhashtest"
)

// vector is a row of passhash's testdata that verifies (want true).
type vector struct{ password, encoded string }

func vectors(t *testing.T, file string) []vector {
	t.Helper()
	f, err := os.Open("../testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(sc.Text(), "#") || len(cols) < 3 || cols[2] != "true" {
			continue
		}
		out = append(out, vector{cols[0], cols[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Each ASP.NET Identity vector (aspnetcore's published ones, and those
// built with Python's hashlib) is written again, byte for byte, from its
// password and salt.
func TestAspNetIdentityMatchesVectors(t *testing.T) {
	t.Parallel()
	n := 0
	for _, v := range vectors(t, "aspnet_identity.tsv") {
		raw, err := base64.StdEncoding.DecodeString(v.encoded)
		if err != nil || len(raw) == 0 {
			continue
		}
		var got string
		switch {
		case raw[0] == 0x00 && len(raw) == 49:
			got, err = passhashtest.AspNetIdentityV2Salt(v.password, raw[1:17])
		case raw[0] == 0x01 && len(raw) >= 13:
			prf := binary.BigEndian.Uint32(raw[1:])
			iter := int(binary.BigEndian.Uint32(raw[5:]))
			saltLen := int(binary.BigEndian.Uint32(raw[9:]))
			var h func() hash.Hash
			switch prf {
			case 1:
				h = sha256.New
			case 2:
				h = sha512.New
			default:
				continue // HMAC-SHA1 V3 rows: not written by the encoder
			}
			if len(raw) != 13+saltLen+32 {
				continue
			}
			got, err = passhashtest.AspNetIdentityV3Salt(h, iter, v.password, raw[13:13+saltLen])
		default:
			continue
		}
		rewrote(t, v, got, err)
		n++
	}
	if n < 3 {
		t.Fatalf("%d ASP.NET Identity vectors checked, want at least 3", n)
	}
}

// rewrote checks that an encoder wrote v's encoding again.
func rewrote(t *testing.T, v vector, got string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", v.encoded, err)
	}
	if got != v.encoded {
		t.Errorf("password %q: wrote %s, the vector is %s", v.password, got, v.encoded)
	}
}

// Each phpass portable vector (passlib's) is written again from its
// password and setting.
func TestPhpassMatchesVectors(t *testing.T) {
	t.Parallel()
	n := 0
	for _, file := range []string{"phpass.tsv", "wordpress.tsv"} {
		for _, v := range vectors(t, file) {
			if len(v.encoded) != 34 || !(strings.HasPrefix(v.encoded, "$P$") || strings.HasPrefix(v.encoded, "$H$")) {
				continue
			}
			got, err := passhashtest.PhpassSetting(v.encoded[:12], v.password)
			rewrote(t, v, got, err)
			n++
		}
	}
	if n < 2 {
		t.Fatalf("%d phpass vectors checked, want at least 2", n)
	}
}

// What the random-salt encoders write, passhash verifies, and a wrong
// password it refuses.
func TestEncodersVerify(t *testing.T) {
	t.Parallel()
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, format string
		encode       func(string) (string, error)
	}{
		{"aspnet v3 sha256", "aspnet-identity", func(pw string) (string, error) {
			return passhashtest.AspNetIdentityV3(sha256.New, 10_000, pw)
		}},
		{"aspnet v3 sha512", "aspnet-identity", func(pw string) (string, error) {
			return passhashtest.AspNetIdentityV3(sha512.New, 10_000, pw)
		}},
		{"aspnet v2", "aspnet-identity-v2", passhashtest.AspNetIdentityV2},
		{"phpass", "phpass", passhashtest.Phpass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			enc, err := tc.encode("Corr3ct-horse")
			if err != nil {
				t.Fatal(err)
			}
			for pw, want := range map[string]bool{"Corr3ct-horse": true, "corr3ct-horse": false} {
				res, err := v.Verify(t.Context(), pw, passhash.Hash{Encoded: enc, Format: tc.format})
				if err != nil || res.Match != want {
					t.Errorf("Verify(%q, %s) = %v, %v; want %v", pw, enc, res.Match, err, want)
				}
			}
		})
	}
}
