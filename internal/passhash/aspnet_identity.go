package passhash

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// ASP.NET Identity V2 fixed parameters (PasswordHasher, IdentityV2 mode).
const (
	aspnetV2Iterations = 1000
	aspnetV2SaltLen    = 16
	aspnetV2SubkeyLen  = 32
)

// aspnetIdentityFamily verifies ASP.NET (Core) Identity PasswordHasher
// hashes, base64 of:
//
//	V2: 0x00 | salt (16) | subkey (32)                 PBKDF2-HMAC-SHA1, 1000 iterations
//	V3: 0x01 | prf (u32 BE) | iterations (u32 BE) | salt length (u32 BE) | salt | subkey
//	    prf 0 = HMACSHA1, 1 = HMACSHA256, 2 = HMACSHA512
//
// The stored value is recognised only by an explicit Format ("aspnet-identity"),
// since a bare base64 string says nothing about itself.
type aspnetIdentityFamily struct{}

func (aspnetIdentityFamily) formats() []string {
	return []string{"aspnet-identity", "aspnet-identity-v2", "aspnet-identity-v3"}
}
func (aspnetIdentityFamily) detect(string) bool { return false }

func (f aspnetIdentityFamily) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parseASPNetIdentity(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	if err := p.check(); err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

func (f aspnetIdentityFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parseASPNetIdentity(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	return p.compare(ctx, v, []byte(password))
}

func parseASPNetIdentity(s string) (*pbkdf2Params, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) == 0 {
		return nil, malformed("aspnet-identity", "not base64")
	}
	switch raw[0] {
	case 0x00:
		if len(raw) != 1+aspnetV2SaltLen+aspnetV2SubkeyLen {
			return nil, malformed("aspnet-identity-v2", "want 49 bytes")
		}
		return &pbkdf2Params{family: "aspnet-identity-v2", prf: prfSHA1, iter: aspnetV2Iterations,
			salt: raw[1 : 1+aspnetV2SaltLen], want: raw[1+aspnetV2SaltLen:]}, nil
	case 0x01:
		const header = 13
		if len(raw) < header {
			return nil, malformed("aspnet-identity-v3", "header truncated")
		}
		p := &pbkdf2Params{family: "aspnet-identity-v3"}
		switch binary.BigEndian.Uint32(raw[1:5]) {
		case 0:
			p.prf = prfSHA1
		case 1:
			p.prf = prfSHA256
		case 2:
			p.prf = prfSHA512
		default:
			return nil, malformed(p.family, "unknown prf")
		}
		iter := binary.BigEndian.Uint32(raw[5:9])
		if iter > pbkdf2MaxIterations {
			return nil, tooCostly(p.family, "iterations", uint64(iter), pbkdf2MaxIterations)
		}
		p.iter = int(iter)
		saltLen := uint64(binary.BigEndian.Uint32(raw[9:13]))
		// Identity itself refuses salts and subkeys under 128 bits.
		if saltLen < 16 || saltLen > uint64(len(raw)-header) {
			return nil, malformed(p.family, "salt length out of range")
		}
		p.salt = raw[header : header+saltLen]
		p.want = raw[header+saltLen:]
		return p, nil
	}
	return nil, malformed("aspnet-identity", "unknown version byte")
}
