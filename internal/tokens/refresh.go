package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// refreshTokenBytes is the entropy of a refresh token: 48 random bytes
// (384 bits), well beyond guessing, 64 characters once encoded.
const refreshTokenBytes = 48

// NewRefreshToken returns a fresh opaque refresh token (random bytes,
// base64url without padding) and the hash to store in its place. Real
// Cognito refresh tokens are opaque too; a readable JWT would be forgeable.
func NewRefreshToken() (token, hash string, err error) {
	buf := make([]byte, refreshTokenBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", "", fmt.Errorf("tokens: refresh token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(buf)
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken returns the hex SHA-256 of a refresh token, the key it
// is stored and looked up under. A plain hash suffices: the token carries
// 384 random bits, so there is nothing to brute-force.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
