// Package srp implements Amazon Cognito's variant of SRP-6a, the protocol
// behind the USER_SRP_AUTH flow and its PASSWORD_VERIFIER challenge: the
// 3072-bit group of RFC 5054 with g = 2, SHA-256, Java-style two's-complement
// padding of every integer before it is hashed, and an HKDF step ("Caldera
// Derived Key") that turns the shared secret into a 16-byte HMAC key.
//
// The server side (ComputeVerifier, ServerSession) is what the local user
// pool runs; the client side (Client) behaves exactly like
// amazon-cognito-identity-js and serves tests, the demo and Go callers.
// No password is kept: the pool stores a salt and the verifier v = g^x mod N.
package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// nHex is the 3072-bit MODP prime of RFC 3526 group 15 (RFC 5054 appendix A).
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// derivedKeyInfo is the HKDF info string Cognito uses.
const derivedKeyInfo = "Caldera Derived Key"

// Group parameters, fixed by Cognito.
var (
	groupN = mustHex(nHex)
	groupG = big.NewInt(2)
	// groupK = H(pad(N) || pad(g)), SRP-6a's multiplier.
	groupK = new(big.Int).SetBytes(hashBytes(pad(groupN), pad(groupG)))
)

// Errors. A wrong password is not an error: VerifyClaim returns false, nil.
var (
	// ErrBadTimestamp: TIMESTAMP is not "EEE MMM d HH:mm:ss z yyyy" in
	// English (Cognito answers InvalidParameterException).
	ErrBadTimestamp = errors.New("timestamp format should be EEE MMM d HH:mm:ss z yyyy in english")
	// ErrInvalidA: SRP_A is not a hex integer, or A mod N is 0.
	ErrInvalidA = errors.New("invalid SRP_A")
	// ErrInvalidB: SRP_B is not a hex integer, or B mod N is 0 (client side).
	ErrInvalidB = errors.New("invalid SRP_B")
	// ErrInvalidSalt: SALT is not a hex integer (client side).
	ErrInvalidSalt = errors.New("invalid SALT")
	// ErrInvalidSecretBlock: the secret block is not base64.
	ErrInvalidSecretBlock = errors.New("invalid secret block")
	// ErrInvalidVerifier: the stored verifier or salt is empty or out of range.
	ErrInvalidVerifier = errors.New("invalid verifier")
	// ErrInvalidSession: a marshalled ServerSession does not decode.
	ErrInvalidSession = errors.New("invalid srp session")
)

// maxHexDigits bounds the hex integers read from the wire (SRP_A, SRP_B,
// SALT) before any big-number work: a value of the group is at most 768 hex
// digits; twice that leaves room for leading zeros and rejects the rest.
const maxHexDigits = 2 * len(nHex)

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant " + s)
	}
	return n
}

// pad returns n as Java's BigInteger.toByteArray does for a non-negative
// number: minimal big-endian bytes, with a leading 0x00 when the top bit is
// set, and a single 0x00 for zero. Every integer is hashed in this form.
func pad(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// computeX returns x = H(pad(salt) || H(poolName + userID + ":" + password)).
// The salt is hashed by its integer value, as clients parse SALT with
// BigInteger(hex, 16): leading zero bytes vanish, a high byte gains 0x00.
func computeX(poolName, userID, password string, salt *big.Int) *big.Int {
	inner := hashBytes([]byte(poolName + userID + ":" + password))
	return new(big.Int).SetBytes(hashBytes(pad(salt), inner))
}

// computeU returns u = H(pad(A) || pad(B)).
func computeU(a, b *big.Int) *big.Int {
	return new(big.Int).SetBytes(hashBytes(pad(a), pad(b)))
}

// deriveKey is HKDF-SHA256 with ikm = pad(S), salt = pad(u) and info
// "Caldera Derived Key", truncated to 16 bytes (one HMAC block suffices).
func deriveKey(s, u *big.Int) []byte {
	prk := hmacSHA256(pad(u), pad(s))
	okm := hmacSHA256(prk, []byte(derivedKeyInfo), []byte{1})
	return okm[:16]
}

// claimSignature is HMAC-SHA256(key, poolName || userID || secretBlock ||
// timestamp).
func claimSignature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	return hmacSHA256(key, []byte(poolName), []byte(userID), secretBlock, []byte(timestamp))
}

// ParseHexInt parses a wire integer (SRP_A, SRP_B, SALT): hex digits in any
// case, leading zeros tolerated, no sign or prefix, at most maxHexDigits.
func ParseHexInt(s string) (*big.Int, bool) {
	if s == "" || len(s) > maxHexDigits {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, false
		}
	}
	n, ok := new(big.Int).SetString(s, 16)
	return n, ok
}

// ParseSRPA parses SRP_A and checks it is usable: A mod N must not be 0.
// It returns A reduced mod N.
func ParseSRPA(s string) (*big.Int, error) {
	a, ok := ParseHexInt(s)
	if !ok {
		return nil, ErrInvalidA
	}
	a.Mod(a, groupN)
	if a.Sign() == 0 {
		return nil, ErrInvalidA
	}
	return a, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return b, err == nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// GenerateSalt returns 16 random bytes whose first byte is in 0x10–0x7f, so
// the salt's integer value re-encodes to the same 16 bytes on every client
// (see pad) and SALT is always 32 hex digits; the salt keeps more than 125
// bits of randomness.
func GenerateSalt() ([]byte, error) {
	salt := make([]byte, 16)
	for {
		if _, err := rand.Read(salt); err != nil {
			return nil, fmt.Errorf("srp: salt: %w", err)
		}
		if salt[0] >= 0x10 && salt[0] < 0x80 {
			return salt, nil
		}
	}
}

// SaltHex renders a salt as Cognito sends SALT: the hex of its integer
// value, lower case, without leading zeros.
func SaltHex(salt []byte) string {
	return new(big.Int).SetBytes(salt).Text(16)
}

// ComputeVerifier returns v = g^x mod N as big-endian bytes, for the pool's
// short name (the part of the pool id after '_'), the canonical username
// (what the pool returns as USER_ID_FOR_SRP) and the plaintext password.
func ComputeVerifier(poolName, userID, password string, salt []byte) []byte {
	x := computeX(poolName, userID, password, new(big.Int).SetBytes(salt))
	return expG(x).Bytes()
}

// PoolName returns the part of a pool id after the first '_'
// ("us-east-1_AbC123" → "AbC123"), the name the SRP math uses. An id
// without '_' is returned unchanged.
func PoolName(poolID string) string {
	if _, after, ok := strings.Cut(poolID, "_"); ok {
		return after
	}
	return poolID
}

// SecretHash computes SECRET_HASH for an app client with a secret:
// base64(HMAC-SHA256(clientSecret, username + clientID)).
func SecretHash(clientID, clientSecret, username string) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(clientSecret), []byte(username+clientID)))
}

// randomExponent returns a random integer of n bytes that is not 0.
func randomExponent(n int) (*big.Int, error) {
	buf := make([]byte, n)
	for {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("srp: random: %w", err)
		}
		e := new(big.Int).SetBytes(buf)
		if e.Sign() != 0 {
			return e, nil
		}
	}
}
