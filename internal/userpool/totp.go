package userpool

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TOTP parameters of Cognito's software tokens (RFC 6238 with the
// defaults authenticator apps assume): HMAC-SHA-1, 6 digits, 30-second
// steps, and one step of clock drift accepted either way.
const (
	totpDigits = 6
	totpStep   = 30 * time.Second
	totpSkew   = 1
	// totpSecretBytes is the secret's length: 32 bytes is 52 base32
	// characters, the length of the SecretCode Cognito returns.
	totpSecretBytes = 32
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns a random secret, base32 without padding, as
// AssociateSoftwareToken's SecretCode.
func newTOTPSecret() string {
	b := make([]byte, totpSecretBytes)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return totpEncoding.EncodeToString(b)
}

// decodeTOTPSecret decodes a base32 secret, padded or not, in either case.
func decodeTOTPSecret(secret string) ([]byte, error) {
	return totpEncoding.DecodeString(strings.TrimRight(strings.ToUpper(secret), "="))
}

// totpCode is the RFC 6238 code of key for the step counter.
func totpCode(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// checkTOTP reports whether code is the secret's code at now, or one step
// either side of it. It returns the matched step, so a caller can refuse
// a code that was already used. Every candidate is compared in constant
// time.
func checkTOTP(secret, code string, now time.Time) (step uint64, ok bool) {
	key, err := decodeTOTPSecret(secret)
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	cur := now.Unix() / int64(totpStep/time.Second)
	for d := -totpSkew; d <= totpSkew; d++ {
		c := uint64(cur + int64(d)) // a step of today's clock: far from 0
		if subtle.ConstantTimeCompare([]byte(totpCode(key, c, totpDigits)), []byte(code)) == 1 {
			step, ok = c, true
		}
	}
	return step, ok
}
