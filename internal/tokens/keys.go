// Package tokens mints and checks the tokens of the local user pool the way
// Cognito shapes them: RS256 JWS id and access tokens signed with two
// separate keys (each named by its kid), the pool's JWKS and OpenID
// discovery documents, and opaque refresh tokens of which only a hash is
// stored. Signing, key sets and parsing go through go-jose.
package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/go-jose/go-jose/v4"
)

// rsaBits is the size of the signing keys: 2048 bits, what Cognito
// publishes in its JWKS.
const rsaBits = 2048

// Key file names inside a key directory (PKCS #8 PEM, mode 0600).
const (
	idKeyFile     = "id-token-key.pem"
	accessKeyFile = "access-token-key.pem"
)

// ErrInvalidKey: a key file does not hold a usable RSA private key.
var ErrInvalidKey = errors.New("invalid signing key")

// Key is one RS256 signing key and its key id.
type Key struct {
	ID      string // kid: the RFC 7638 thumbprint of the public key, base64url
	Private *rsa.PrivateKey
}

// KeySet is a pool's signing keys: Cognito signs id and access tokens with
// different keys, and publishes both in the JWKS. It holds private keys:
// LogValue shows the key ids only.
type KeySet struct {
	IDToken     Key
	AccessToken Key
}

// newKey wraps an RSA key with its thumbprint kid.
func newKey(priv *rsa.PrivateKey) (Key, error) {
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return Key{}, fmt.Errorf("tokens: key thumbprint: %w", err)
	}
	return Key{ID: base64.RawURLEncoding.EncodeToString(tp), Private: priv}, nil
}

func generateKey() (Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return Key{}, fmt.Errorf("tokens: generate key: %w", err)
	}
	return newKey(priv)
}

// GenerateKeySet returns two fresh 2048-bit RSA keys.
func GenerateKeySet() (*KeySet, error) {
	id, err := generateKey()
	if err != nil {
		return nil, err
	}
	access, err := generateKey()
	if err != nil {
		return nil, err
	}
	return &KeySet{IDToken: id, AccessToken: access}, nil
}

// LoadOrCreateKeySet loads the key set kept in dir, creating the directory
// (0700) and any missing key (0600) first. Concurrent callers on the same
// directory end up with the same keys: a key file is written to a temporary
// name and linked into place only if no other process got there first.
func LoadOrCreateKeySet(dir string) (*KeySet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tokens: key directory: %w", err)
	}
	id, err := loadOrCreateKey(filepath.Join(dir, idKeyFile))
	if err != nil {
		return nil, err
	}
	access, err := loadOrCreateKey(filepath.Join(dir, accessKeyFile))
	if err != nil {
		return nil, err
	}
	if id.ID == access.ID {
		return nil, fmt.Errorf("tokens: %s: id and access tokens share one key: %w", dir, ErrInvalidKey)
	}
	return &KeySet{IDToken: id, AccessToken: access}, nil
}

// Save writes the key set into dir (created 0700) as two PEM files (0600),
// replacing any there.
func (k *KeySet) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tokens: key directory: %w", err)
	}
	for name, key := range map[string]Key{idKeyFile: k.IDToken, accessKeyFile: k.AccessToken} {
		tmp, err := writeTemp(dir, key.Private)
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("tokens: save key: %w", err)
		}
	}
	return nil
}

func loadOrCreateKey(path string) (Key, error) {
	key, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	fresh, err := generateKey()
	if err != nil {
		return Key{}, err
	}
	tmp, err := writeTemp(filepath.Dir(path), fresh.Private)
	if err != nil {
		return Key{}, err
	}
	defer os.Remove(tmp)
	// Link fails if another process created the key meanwhile: use theirs.
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return Key{}, fmt.Errorf("tokens: save key: %w", err)
	}
	return loadKey(path)
}

// writeTemp writes priv as PKCS #8 PEM to a new 0600 file in dir.
func writeTemp(dir string, priv *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("tokens: encode key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".key-*.pem")
	if err != nil {
		return "", fmt.Errorf("tokens: save key: %w", err)
	}
	name := f.Name()
	if err := f.Chmod(0o600); err == nil {
		err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			return name, nil
		}
	} else {
		f.Close()
	}
	os.Remove(name)
	return "", fmt.Errorf("tokens: save key: %w", err)
}

func loadKey(path string) (Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("tokens: load key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return Key{}, fmt.Errorf("tokens: %s: no PEM block: %w", path, ErrInvalidKey)
	}
	var priv any
	switch block.Type {
	case "PRIVATE KEY":
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return Key{}, fmt.Errorf("tokens: %s: PEM block %q: %w", path, block.Type, ErrInvalidKey)
	}
	if err != nil {
		return Key{}, fmt.Errorf("tokens: %s: %w: %w", path, ErrInvalidKey, err)
	}
	rsaKey, ok := priv.(*rsa.PrivateKey)
	if !ok || rsaKey.N.BitLen() < rsaBits {
		return Key{}, fmt.Errorf("tokens: %s: want an RSA key of at least %d bits: %w", path, rsaBits, ErrInvalidKey)
	}
	return newKey(rsaKey)
}

// publicJWK is the JWKS entry of a key.
func (k Key) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.ID, Algorithm: string(jose.RS256), Use: "sig"}
}

// JWKS returns the pool's JSON Web Key Set, as served at
// /<poolId>/.well-known/jwks.json: {"keys":[{alg,e,kid,kty,n,use:"sig"},…]},
// the id-token key first.
func (k *KeySet) JWKS() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.IDToken.publicJWK(), k.AccessToken.publicJWK()}}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("tokens: jwks: %w", err)
	}
	return b, nil
}

// LogValue shows the key ids only.
func (k *KeySet) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id_kid", k.IDToken.ID), slog.String("access_kid", k.AccessToken.ID))
}

// LogValue shows the key id only.
func (k Key) LogValue() slog.Value { return slog.StringValue("kid:" + k.ID) }

// String shows the key id only, for %v and %s.
func (k Key) String() string { return "kid:" + k.ID }
