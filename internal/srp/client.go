package srp

import (
	"encoding/base64"
	"log/slog"
	"math/big"
	"time"
)

// Client is the client's half of USER_SRP_AUTH, computed exactly as
// amazon-cognito-identity-js's AuthenticationHelper does: send SRPA in
// InitiateAuth, then answer the PASSWORD_VERIFIER challenge with Respond.
// It holds the password: LogValue and String redact it.
type Client struct {
	poolName string
	password string
	a        *big.Int
	bA       *big.Int // A
}

// clientExponentBytes is the size of the client's secret a: 128 bytes, as
// amazon-cognito-identity-js draws it.
const clientExponentBytes = 128

// NewClient draws a (128 random bytes, as amazon-cognito-identity-js does)
// and computes A = g^a mod N. poolName is the part of the pool id after '_'.
func NewClient(poolName, password string) (*Client, error) {
	for {
		a, err := randomExponent(clientExponentBytes)
		if err != nil {
			return nil, err
		}
		if c := newClientWithA(poolName, password, a); c != nil {
			return c, nil
		}
	}
}

// newClientWithA returns a client with a fixed secret, or nil when A mod N
// is 0.
func newClientWithA(poolName, password string, a *big.Int) *Client {
	bA := expG(a)
	if bA.Sign() == 0 {
		return nil
	}
	return &Client{poolName: poolName, password: password, a: a, bA: bA}
}

// SRPA returns A as clients send SRP_A: lower-case hex, no leading zeros.
func (c *Client) SRPA() string { return c.bA.Text(16) }

// Respond answers a PASSWORD_VERIFIER challenge from its SALT, SRP_B,
// SECRET_BLOCK and USER_ID_FOR_SRP, and returns the TIMESTAMP and
// PASSWORD_CLAIM_SIGNATURE to send (with USERNAME = userIDForSRP and
// PASSWORD_CLAIM_SECRET_BLOCK = secretBlock).
func (c *Client) Respond(userIDForSRP, saltHex, srpB, secretBlock string, now time.Time) (timestamp, signature string, err error) {
	salt, ok := ParseHexInt(saltHex)
	if !ok {
		return "", "", ErrInvalidSalt
	}
	bB, ok := ParseHexInt(srpB)
	if !ok || new(big.Int).Mod(bB, groupN).Sign() == 0 {
		return "", "", ErrInvalidB
	}
	block, ok := decodeBase64(secretBlock)
	if !ok {
		return "", "", ErrInvalidSecretBlock
	}
	key, err := c.sessionKey(userIDForSRP, salt, bB)
	if err != nil {
		return "", "", err
	}
	timestamp = FormatTimestamp(now)
	sig := claimSignature(key, c.poolName, userIDForSRP, block, timestamp)
	return timestamp, base64.StdEncoding.EncodeToString(sig), nil
}

// sessionKey computes the 16-byte key: S = (B − k·g^x)^(a + u·x) mod N,
// then HKDF.
func (c *Client) sessionKey(userID string, salt, bB *big.Int) ([]byte, error) {
	u := computeU(c.bA, bB)
	if u.Sign() == 0 {
		return nil, ErrInvalidB
	}
	x := computeX(c.poolName, userID, c.password, salt)
	base := expG(x)
	base.Mul(base, groupK)
	base.Sub(bB, base)
	base.Mod(base, groupN) // Go's Mod is Euclidean: never negative
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	s := new(big.Int).Exp(base, exp, groupN)
	return deriveKey(s, u), nil
}

// LogValue shows the pool and A only; the password and a never reach a log.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("pool", c.poolName), slog.String("password", "REDACTED"))
}

// String redacts the password and a, for %v and %s.
func (c *Client) String() string {
	return "srp.Client{pool: " + c.poolName + ", password: REDACTED}"
}
