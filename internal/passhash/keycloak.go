package passhash

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
)

// Keycloak's Argon2 defaults (Argon2PasswordHashProviderFactory), used when
// additionalParameters omit a value.
const (
	keycloakArgon2Memory      = 7168
	keycloakArgon2Parallelism = 1
	keycloakArgon2HashLen     = 32
)

// keycloakFamily verifies Keycloak password credentials (table CREDENTIAL,
// type "password"). Keycloak splits a credential in two JSON documents:
//
//	secret_data:     {"value":"<b64 hash>","salt":"<b64 salt>","additionalParameters":{}}
//	credential_data: {"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}
//
// With Format "keycloak", Hash.Encoded holds credential_data and Hash.Salt
// holds secret_data (either way round is accepted: the documents are told
// apart by their keys). A realm export's credential object, whose
// "secretData" and "credentialData" are the two documents as strings, is
// accepted whole in Encoded and recognised without a Format.
//
// Algorithms: "pbkdf2" (HMAC-SHA1), "pbkdf2-sha256", "pbkdf2-sha512" (key
// length = the stored value's), and "argon2" (additionalParameters type
// "id"/"i", version "1.3", memory KiB, parallelism, hashLength; hashIterations
// is Argon2's time cost). Weakness follows the PBKDF2 and Argon2 rules.
type keycloakFamily struct{}

func (keycloakFamily) formats() []string { return []string{"keycloak"} }

func (keycloakFamily) detect(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") && strings.Contains(s, `"secretData"`) && strings.Contains(s, `"credentialData"`)
}

// keycloakDoc is the union of the fields of both documents and the export form.
type keycloakDoc struct {
	Value                string              `json:"value"`
	Salt                 string              `json:"salt"`
	HashIterations       *int                `json:"hashIterations"`
	Algorithm            string              `json:"algorithm"`
	AdditionalParameters map[string][]string `json:"additionalParameters"`
	SecretData           string              `json:"secretData"`
	CredentialData       string              `json:"credentialData"`
}

// merge copies the fields set in o into d; the two documents never share a field.
func (d *keycloakDoc) merge(o keycloakDoc) {
	if o.Value != "" {
		d.Value = o.Value
	}
	if o.Salt != "" {
		d.Salt = o.Salt
	}
	if o.HashIterations != nil {
		d.HashIterations = o.HashIterations
	}
	if o.Algorithm != "" {
		d.Algorithm = o.Algorithm
	}
	if o.Algorithm != "" || d.AdditionalParameters == nil {
		d.AdditionalParameters = o.AdditionalParameters
	}
}

func decodeKeycloak(docs ...string) (*keycloakDoc, error) {
	var all keycloakDoc
	for _, s := range docs {
		if strings.TrimSpace(s) == "" {
			continue
		}
		var d keycloakDoc
		if err := json.Unmarshal([]byte(s), &d); err != nil {
			return nil, malformed("keycloak", "credential is not a JSON object")
		}
		if d.SecretData != "" || d.CredentialData != "" {
			inner, err := decodeKeycloak(d.SecretData, d.CredentialData)
			if err != nil {
				return nil, err
			}
			d = *inner
		}
		all.merge(d)
	}
	return &all, nil
}

// keycloakParams turns the documents into a PBKDF2 or Argon2 computation.
func keycloakParams(h Hash) (*pbkdf2Params, *argon2Params, error) {
	d, err := decodeKeycloak(h.Encoded, h.Salt)
	if err != nil {
		return nil, nil, err
	}
	if d.HashIterations == nil || d.Algorithm == "" || d.Value == "" {
		return nil, nil, malformed("keycloak", "need value, salt, hashIterations and algorithm")
	}
	want, err := base64.StdEncoding.DecodeString(d.Value)
	if err != nil {
		return nil, nil, malformed("keycloak", "value is not base64")
	}
	salt, err := base64.StdEncoding.DecodeString(d.Salt)
	if err != nil {
		return nil, nil, malformed("keycloak", "salt is not base64")
	}
	iter := *d.HashIterations
	if iter < 1 {
		return nil, nil, malformed("keycloak", "hashIterations below 1")
	}
	if pr, ok := map[string]prf{"pbkdf2": prfSHA1, "pbkdf2-sha256": prfSHA256, "pbkdf2-sha512": prfSHA512}[d.Algorithm]; ok {
		p := &pbkdf2Params{family: "keycloak-" + d.Algorithm, prf: pr, iter: iter, salt: salt, want: want}
		return p, nil, p.check()
	}
	if d.Algorithm != "argon2" {
		return nil, nil, malformed("keycloak", "unsupported algorithm "+d.Algorithm)
	}
	param := func(key string, def int) (int, error) {
		vals := d.AdditionalParameters[key]
		if len(vals) == 0 {
			return def, nil
		}
		n, err := strconv.Atoi(vals[0])
		if err != nil || n < 0 {
			return 0, malformed("keycloak-argon2", key+" is not a number")
		}
		return n, nil
	}
	p := &argon2Params{variant: "argon2id", time: uint64(iter), salt: salt, want: want}
	if t := d.AdditionalParameters["type"]; len(t) > 0 && t[0] != "id" {
		p.variant = "argon2" + t[0]
	}
	if ver := d.AdditionalParameters["version"]; len(ver) > 0 && ver[0] != "1.3" {
		return nil, nil, malformed("keycloak-argon2", "only version 1.3 is supported")
	}
	mem, err := param("memory", keycloakArgon2Memory)
	if err != nil {
		return nil, nil, err
	}
	par, err := param("parallelism", keycloakArgon2Parallelism)
	if err != nil {
		return nil, nil, err
	}
	hashLen, err := param("hashLength", keycloakArgon2HashLen)
	if err != nil {
		return nil, nil, err
	}
	if hashLen != len(want) {
		return nil, nil, malformed("keycloak-argon2", "hashLength does not match the value")
	}
	p.memory, p.threads = uint64(mem), uint64(par)
	return nil, p, p.check()
}

func (keycloakFamily) identify(_ *Verifier, h Hash) (Info, error) {
	pb, ar, err := keycloakParams(h)
	if err != nil {
		return Info{}, err
	}
	if pb != nil {
		return pb.info(), nil
	}
	return ar.info("keycloak-" + ar.variant), nil
}

func (keycloakFamily) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	pb, ar, err := keycloakParams(h)
	if err != nil {
		return Result{}, err
	}
	if pb != nil {
		return pb.compare(ctx, v, []byte(password))
	}
	return ar.compare(ctx, v, "keycloak-"+ar.variant, []byte(password))
}
