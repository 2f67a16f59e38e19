// Package passhashtest writes legacy password hashes the way the legacy
// frameworks do, for tests and the demo to seed legacy stores with: ASP.NET
// Identity (V2 and V3) and phpass portable hashes. Its output is checked
// against the independent vectors in passhash's testdata; package passhash
// itself only verifies.
package passhashtest

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
)

// AspNetIdentityV3 hashes as ASP.NET Core Identity's PasswordHasher (V3)
// with a random 16-byte salt: base64(0x01 | prf | iterations | salt length
// | salt | subkey), big-endian u32 fields, prf 1 = HMAC-SHA256, 2 =
// HMAC-SHA512, 32-byte subkey.
func AspNetIdentityV3(h func() hash.Hash, iterations int, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return AspNetIdentityV3Salt(h, iterations, password, salt)
}

// AspNetIdentityV3Salt is AspNetIdentityV3 with the given salt.
func AspNetIdentityV3Salt(h func() hash.Hash, iterations int, password string, salt []byte) (string, error) {
	prf := uint32(1)
	if h().Size() == sha512.Size {
		prf = 2
	}
	subkey, err := pbkdf2.Key(h, password, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	out := []byte{0x01}
	out = binary.BigEndian.AppendUint32(out, prf)
	out = binary.BigEndian.AppendUint32(out, uint32(iterations))
	out = binary.BigEndian.AppendUint32(out, uint32(len(salt)))
	out = append(out, salt...)
	out = append(out, subkey...)
	return base64.StdEncoding.EncodeToString(out), nil
}

// AspNetIdentityV2 hashes as ASP.NET Identity 2's PasswordHasher (and
// ASP.NET Core Identity in V2 compatibility mode) with a random salt:
// base64(0x00 | salt (16) | PBKDF2-HMAC-SHA1 subkey (32)), 1,000
// iterations.
func AspNetIdentityV2(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return AspNetIdentityV2Salt(password, salt)
}

// AspNetIdentityV2Salt is AspNetIdentityV2 with the given 16-byte salt.
func AspNetIdentityV2Salt(password string, salt []byte) (string, error) {
	if len(salt) != 16 {
		return "", errors.New("passhashtest: an ASP.NET Identity V2 salt has 16 bytes")
	}
	subkey, err := pbkdf2.Key(sha1.New, password, salt, 1000, 32)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(append(append([]byte{0x00}, salt...), subkey...)), nil
}

// phpassItoa64 is phpass's base-64 alphabet.
const phpassItoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Phpass hashes as WordPress's PasswordHash in portable mode, with a random
// salt and WordPress's 2^13 rounds ("$P$B…").
func Phpass(password string) (string, error) {
	raw := make([]byte, 6)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return PhpassSetting("$P$B"+phpassEncode(raw, 6), password)
}

// PhpassSetting hashes with the given 12-character setting: the prefix
// ("$P$", or phpBB's "$H$"), the log2 round count in phpass's alphabet and
// an 8-character salt; then md5(salt+password) iterated with the password,
// in phpass's encoding.
func PhpassSetting(setting, password string) (string, error) {
	if len(setting) != 12 {
		return "", errors.New("passhashtest: a phpass setting has 12 characters")
	}
	log2 := strings.IndexByte(phpassItoa64, setting[3])
	if log2 < 7 || log2 > 30 {
		return "", errors.New("passhashtest: phpass round count out of range")
	}
	sum := md5.Sum([]byte(setting[4:12] + password))
	for range 1 << log2 {
		sum = md5.Sum(append(sum[:], password...))
	}
	return setting + phpassEncode(sum[:], 16), nil
}

// phpassEncode is phpass's encode64.
func phpassEncode(in []byte, count int) string {
	var out strings.Builder
	for i := 0; i < count; {
		v := int(in[i])
		i++
		out.WriteByte(phpassItoa64[v&0x3f])
		if i < count {
			v |= int(in[i]) << 8
		}
		out.WriteByte(phpassItoa64[(v>>6)&0x3f])
		if i >= count {
			break
		}
		i++
		if i < count {
			v |= int(in[i]) << 16
		}
		out.WriteByte(phpassItoa64[(v>>12)&0x3f])
		if i >= count {
			break
		}
		i++
		out.WriteByte(phpassItoa64[(v>>18)&0x3f])
	}
	return out.String()
}
