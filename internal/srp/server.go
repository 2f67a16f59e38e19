package srp

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/big"
)

// serverExponentBytes is the size of the server's secret b: 256 bits, the
// minimum RFC 5054 asks for and as strong as the 3072-bit group itself
// (about 128-bit security either way). Exponentiation cost grows with the
// exponent, so a 1024-bit b, as amazon-cognito-identity-js draws for a,
// would make every InitiateAuth and RespondToAuthChallenge about four
// times slower for no gain.
const serverExponentBytes = 32

// ServerSession is the server's half of one PASSWORD_VERIFIER exchange: the
// secret b and the public B = k·v + g^b mod N sent as SRP_B. The pool keeps
// it between InitiateAuth and RespondToAuthChallenge (keyed by the
// SECRET_BLOCK it hands out) either as the value itself or marshalled with
// MarshalBinary / MarshalText (which encoding/json uses).
//
// b is a secret: LogValue redacts it.
type ServerSession struct {
	b  *big.Int
	bB *big.Int // B
}

// NewServerSession draws b and computes B for the user's verifier.
func NewServerSession(verifier []byte) (*ServerSession, error) {
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || v.Cmp(groupN) >= 0 {
		return nil, ErrInvalidVerifier
	}
	for {
		b, err := randomExponent(serverExponentBytes)
		if err != nil {
			return nil, err
		}
		bB := new(big.Int).Mul(groupK, v)
		bB.Add(bB, expG(b))
		bB.Mod(bB, groupN)
		if bB.Sign() != 0 {
			return &ServerSession{b: b, bB: bB}, nil
		}
	}
}

// SRPB returns B as Cognito sends SRP_B: lower-case hex, no leading zeros.
func (s *ServerSession) SRPB() string { return s.bB.Text(16) }

// ClaimParams is what VerifyClaim needs from the stored user, the
// InitiateAuth request and the RespondToAuthChallenge request.
type ClaimParams struct {
	// PoolName is the part of the pool id after '_' (see PoolName).
	PoolName string
	// UserIDForSRP is the canonical username the challenge returned as
	// USER_ID_FOR_SRP, the one the verifier was computed with.
	UserIDForSRP string
	// Salt and Verifier are the user's stored SRP verifier.
	Salt, Verifier []byte
	// SRPA is SRP_A as the client sent it in InitiateAuth (hex).
	SRPA string
	// SecretBlock is PASSWORD_CLAIM_SECRET_BLOCK as sent back (base64).
	SecretBlock string
	// Timestamp is TIMESTAMP as sent ("EEE MMM d HH:mm:ss z yyyy"); the
	// signature is checked over its canonical re-rendering, as Cognito does.
	Timestamp string
	// Signature is PASSWORD_CLAIM_SIGNATURE (base64).
	Signature string
}

// VerifyClaim checks the client's PASSWORD_CLAIM_SIGNATURE. It returns
// false, nil when the claim does not prove knowledge of the password (wrong
// password, wrong user id, tampered block, a signature that is not even
// base64); ErrBadTimestamp when TIMESTAMP does not parse, ErrInvalidA when
// SRP_A is unusable, ErrInvalidSecretBlock and ErrInvalidVerifier for the
// other malformed inputs. The comparison is constant-time.
func (s *ServerSession) VerifyClaim(p ClaimParams) (bool, error) {
	if s == nil || s.b == nil || s.bB == nil {
		return false, ErrInvalidSession
	}
	v := new(big.Int).SetBytes(p.Verifier)
	if v.Sign() == 0 || v.Cmp(groupN) >= 0 || len(p.Salt) == 0 {
		return false, ErrInvalidVerifier
	}
	a, err := ParseSRPA(p.SRPA)
	if err != nil {
		return false, err
	}
	block, ok := decodeBase64(p.SecretBlock)
	if !ok {
		return false, ErrInvalidSecretBlock
	}
	t, err := ParseTimestamp(p.Timestamp)
	if err != nil {
		return false, err
	}
	got, ok := decodeBase64(p.Signature)
	if !ok {
		return false, nil
	}
	u := computeU(a, s.bB)
	if u.Sign() == 0 {
		return false, nil
	}
	// S = (A · v^u)^b mod N
	sv := new(big.Int).Exp(v, u, groupN)
	sv.Mul(sv, a).Mod(sv, groupN)
	sv.Exp(sv, s.b, groupN)
	key := deriveKey(sv, u)
	want := claimSignature(key, p.PoolName, p.UserIDForSRP, block, FormatTimestamp(t))
	return hmac.Equal(got, want), nil
}

// sessionVersion tags the binary encoding so it can change later.
const sessionVersion = 1

// MarshalBinary encodes the session (b and B) for storage. The result holds
// the secret b: keep it server-side.
func (s *ServerSession) MarshalBinary() ([]byte, error) {
	if s == nil || s.b == nil || s.bB == nil {
		return nil, ErrInvalidSession
	}
	out := []byte{sessionVersion}
	for _, n := range []*big.Int{s.b, s.bB} {
		out = binary.AppendUvarint(out, uint64(len(n.Bytes())))
		out = append(out, n.Bytes()...)
	}
	return out, nil
}

// UnmarshalBinary decodes what MarshalBinary produced.
func (s *ServerSession) UnmarshalBinary(data []byte) error {
	if len(data) < 1 || data[0] != sessionVersion {
		return ErrInvalidSession
	}
	rest := data[1:]
	var nums [2]*big.Int
	for i := range nums {
		n, k := binary.Uvarint(rest)
		// Each number is non-zero, minimal (no leading zero byte) and at
		// most the size of N.
		if k <= 0 || n == 0 || n > uint64(len(nHex)/2) || uint64(len(rest)-k) < n || rest[k] == 0 {
			return ErrInvalidSession
		}
		nums[i] = new(big.Int).SetBytes(rest[k : k+int(n)])
		rest = rest[k+int(n):]
	}
	if len(rest) != 0 || nums[1].Cmp(groupN) >= 0 {
		return ErrInvalidSession
	}
	s.b, s.bB = nums[0], nums[1]
	return nil
}

// MarshalText encodes the session as base64 of MarshalBinary.
func (s *ServerSession) MarshalText() ([]byte, error) {
	b, err := s.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []byte(base64.RawStdEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes what MarshalText produced.
func (s *ServerSession) UnmarshalText(text []byte) error {
	b, err := base64.RawStdEncoding.DecodeString(string(text))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSession, err)
	}
	return s.UnmarshalBinary(b)
}

// LogValue shows B only; the secret exponent never reaches a log.
func (s *ServerSession) LogValue() slog.Value {
	if s == nil || s.bB == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("srp_b", s.SRPB()), slog.String("b", "REDACTED"))
}

// String redacts the secret exponent as LogValue does, for %v and %s.
func (s *ServerSession) String() string {
	if s == nil || s.bB == nil {
		return "srp.ServerSession(<nil>)"
	}
	return "srp.ServerSession{B: " + s.SRPB() + ", b: REDACTED}"
}
