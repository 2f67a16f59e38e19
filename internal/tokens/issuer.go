package tokens

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

// Token errors, as the API maps them: Cognito answers NotAuthorizedException
// "Invalid Access Token" / "Access Token has expired".
var (
	ErrInvalidToken = errors.New("invalid token")
	ErrExpired      = errors.New("token has expired")
)

// Scope is the scope of tokens minted by the user-pool API (not OAuth).
const Scope = "aws.cognito.signin.user.admin"

// Issuer mints and checks a pool's tokens.
type Issuer struct {
	Keys *KeySet
	// Issuer is the iss claim, e.g. AWSIssuer(poolID) or a local URL.
	Issuer string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Identity is who a pair of tokens is for, and which sign-in minted them.
type Identity struct {
	Sub      string
	Username string // canonical username (cognito:username, username)
	ClientID string // aud of the id token, client_id of the access token
	// OriginJTI identifies the sign-in; tokens minted from one refresh token
	// share it. Empty means a new one is drawn (ParseAccess reads it back).
	OriginJTI string
	// EventID identifies the authentication event; empty draws a new one.
	EventID string
	// AuthTime is when the user authenticated; refresh keeps the original.
	AuthTime time.Time
	// Groups become cognito:groups (omitted when empty).
	Groups []string
	// Scope is the access token's space-separated scope; empty means
	// Scope, what the user-pool API grants. OAuth sign-ins set the scopes
	// the client was granted.
	Scope string
	// Nonce, when set, is echoed in the id token (OpenID Connect's replay
	// protection for the authorization code and implicit flows).
	Nonce string
	// AccessTokenHash adds at_hash to the id token: the left half of the
	// SHA-256 of the access token, base64url, as OpenID Connect defines it
	// and as Cognito's managed login sets it.
	AccessTokenHash bool
	// Roles and PreferredRole are the IAM roles of the user's groups
	// (cognito:roles, cognito:preferred_role in the id token; omitted when
	// empty).
	Roles         []string
	PreferredRole string
	// Attributes are the user's readable attributes for the id token
	// ("email", "custom:plan", …). email_verified and phone_number_verified
	// become JSON booleans, everything else stays a string. Attributes
	// named like a registered claim (sub, iss, exp, …) are ignored.
	Attributes map[string]string
	// Customize, when set, edits the claims of the id and the access token
	// just before they are signed (a pool's pre token generation trigger).
	Customize func(idClaims, accessClaims map[string]any)
}

// reservedClaims cannot be set through attributes.
var reservedClaims = []string{
	"sub", "aud", "iss", "exp", "iat", "nbf", "jti", "auth_time", "token_use", "cognito:username",
	"cognito:groups", "cognito:roles", "cognito:preferred_role", "origin_jti", "event_id", "client_id", "scope", "username", "nonce", "at_hash",
}

// booleanAttributes are rendered as JSON booleans in the id token.
var booleanAttributes = []string{"email_verified", "phone_number_verified"}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

func signer(k Key) (jose.Signer, error) {
	s, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: k.Private, KeyID: k.ID, Algorithm: string(jose.RS256)},
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("tokens: signer: %w", err)
	}
	return s, nil
}

// Issue mints an access token (valid accessTTL) and an id token (valid
// idTTL) for id, with Cognito's claims (protocol notes §5.1): integer-second
// times, a fresh jti each, shared origin_jti and event_id, and header
// {"alg":"RS256","kid":…} with the access and id keys respectively.
func (i *Issuer) Issue(id Identity, accessTTL, idTTL time.Duration) (access, idToken string, err error) {
	if i.Keys == nil {
		return "", "", fmt.Errorf("tokens: issuer has no keys: %w", ErrInvalidKey)
	}
	now := i.now().Unix()
	if id.OriginJTI == "" {
		id.OriginJTI = uuid.NewString()
	}
	if id.EventID == "" {
		id.EventID = uuid.NewString()
	}
	authTime := id.AuthTime.Unix()
	if id.AuthTime.IsZero() {
		authTime = now
	}

	scope := id.Scope
	if scope == "" {
		scope = Scope
	}
	ac := map[string]any{
		"sub":        id.Sub,
		"iss":        i.Issuer,
		"client_id":  id.ClientID,
		"origin_jti": id.OriginJTI,
		"event_id":   id.EventID,
		"token_use":  "access",
		"scope":      scope,
		"auth_time":  authTime,
		"exp":        now + int64(accessTTL/time.Second),
		"iat":        now,
		"jti":        uuid.NewString(),
		"username":   id.Username,
	}
	ic := map[string]any{
		"sub":              id.Sub,
		"aud":              id.ClientID,
		"token_use":        "id",
		"auth_time":        authTime,
		"iss":              i.Issuer,
		"cognito:username": id.Username,
		"exp":              now + int64(idTTL/time.Second),
		"iat":              now,
		"jti":              uuid.NewString(),
		"origin_jti":       id.OriginJTI,
		"event_id":         id.EventID,
	}
	if id.Nonce != "" {
		ic["nonce"] = id.Nonce
	}
	if len(id.Groups) > 0 {
		ac["cognito:groups"] = id.Groups
		ic["cognito:groups"] = id.Groups
	}
	if len(id.Roles) > 0 {
		ic["cognito:roles"] = id.Roles
	}
	if id.PreferredRole != "" {
		ic["cognito:preferred_role"] = id.PreferredRole
	}
	for name, value := range id.Attributes {
		switch {
		case slices.Contains(reservedClaims, name):
		case slices.Contains(booleanAttributes, name):
			ic[name] = value == "true"
		default:
			ic[name] = value
		}
	}

	if id.Customize != nil {
		id.Customize(ic, ac)
	}

	as, err := signer(i.Keys.AccessToken)
	if err != nil {
		return "", "", err
	}
	is, err := signer(i.Keys.IDToken)
	if err != nil {
		return "", "", err
	}
	if access, err = jwt.Signed(as).Claims(ac).Serialize(); err != nil {
		return "", "", fmt.Errorf("tokens: sign access token: %w", err)
	}
	if id.AccessTokenHash {
		ic["at_hash"] = AccessTokenHash(access)
	}
	if idToken, err = jwt.Signed(is).Claims(ic).Serialize(); err != nil {
		return "", "", fmt.Errorf("tokens: sign id token: %w", err)
	}
	return access, idToken, nil
}

// AccessTokenHash is OpenID Connect's at_hash of an RS256-signed access
// token: base64url of the left half of its SHA-256.
func AccessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// IssueClientAccess mints the access token of a client_credentials grant:
// no user, so sub is the client id, and scope is the granted custom scopes.
func (i *Issuer) IssueClientAccess(clientID, scope string, ttl time.Duration) (string, error) {
	if i.Keys == nil {
		return "", fmt.Errorf("tokens: issuer has no keys: %w", ErrInvalidKey)
	}
	now := i.now().Unix()
	claims := map[string]any{
		"sub": clientID, "client_id": clientID, "iss": i.Issuer, "token_use": "access", "scope": scope,
		"auth_time": now, "exp": now + int64(ttl/time.Second), "iat": now, "jti": uuid.NewString(), "version": 2,
	}
	as, err := signer(i.Keys.AccessToken)
	if err != nil {
		return "", err
	}
	tok, err := jwt.Signed(as).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("tokens: sign access token: %w", err)
	}
	return tok, nil
}

// AccessClaims are the claims of a valid access token.
type AccessClaims struct {
	Sub       string    `json:"sub"`
	Username  string    `json:"username"`
	ClientID  string    `json:"client_id"`
	Issuer    string    `json:"iss"`
	TokenUse  string    `json:"token_use"`
	Scope     string    `json:"scope"`
	Groups    []string  `json:"cognito:groups,omitempty"`
	OriginJTI string    `json:"origin_jti"`
	EventID   string    `json:"event_id"`
	JTI       string    `json:"jti"`
	AuthTime  time.Time `json:"-"`
	IssuedAt  time.Time `json:"-"`
	Expiry    time.Time `json:"-"`
}

// accessWire is AccessClaims as the token holds them.
type accessWire struct {
	AccessClaims
	AuthTime *jwt.NumericDate `json:"auth_time"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Expiry   *jwt.NumericDate `json:"exp"`
}

// IDClaims are the claims of a valid id token.
type IDClaims struct {
	Sub       string
	Username  string // cognito:username
	Audience  string // the client id
	OriginJTI string
	EventID   string
	JTI       string
	Groups    []string
	AuthTime  time.Time
	IssuedAt  time.Time
	Expiry    time.Time
	// Claims holds every claim as decoded JSON (numbers as float64).
	Claims map[string]any
}

// verify checks signature (with key, which must be the one named by the
// token's kid), issuer, token_use and expiry, and decodes the claims into
// out.
func (i *Issuer) verify(token string, key Key, use string, out any) error {
	if i.Keys == nil {
		return fmt.Errorf("tokens: issuer has no keys: %w", ErrInvalidKey)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID != key.ID {
		return fmt.Errorf("%w: unknown key id", ErrInvalidToken)
	}
	var std struct {
		Issuer   string           `json:"iss"`
		TokenUse string           `json:"token_use"`
		Expiry   *jwt.NumericDate `json:"exp"`
	}
	if err := tok.Claims(&key.Private.PublicKey, &std, out); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	switch {
	case std.Issuer != i.Issuer:
		return fmt.Errorf("%w: issuer %q", ErrInvalidToken, std.Issuer)
	case std.TokenUse != use:
		return fmt.Errorf("%w: token_use %q", ErrInvalidToken, std.TokenUse)
	case std.Expiry == nil:
		return fmt.Errorf("%w: no exp", ErrInvalidToken)
	case !i.now().Before(std.Expiry.Time()):
		return ErrExpired
	}
	return nil
}

// ParseAccess checks an access token — signature by the access key, iss,
// token_use "access", exp — and returns its claims. It returns an error
// wrapping ErrInvalidToken, or ErrExpired.
func (i *Issuer) ParseAccess(token string) (*AccessClaims, error) {
	if i.Keys == nil {
		return nil, fmt.Errorf("tokens: issuer has no keys: %w", ErrInvalidKey)
	}
	var w accessWire
	if err := i.verify(token, i.Keys.AccessToken, "access", &w); err != nil {
		return nil, err
	}
	c := w.AccessClaims
	c.AuthTime, c.IssuedAt, c.Expiry = numericTime(w.AuthTime), numericTime(w.IssuedAt), numericTime(w.Expiry)
	return &c, nil
}

// ParseID checks an id token — signature by the id key, iss, token_use
// "id", exp — and returns its claims. Errors as ParseAccess.
func (i *Issuer) ParseID(token string) (*IDClaims, error) {
	if i.Keys == nil {
		return nil, fmt.Errorf("tokens: issuer has no keys: %w", ErrInvalidKey)
	}
	var w struct {
		Sub       string           `json:"sub"`
		Username  string           `json:"cognito:username"`
		Audience  jwt.Audience     `json:"aud"`
		OriginJTI string           `json:"origin_jti"`
		EventID   string           `json:"event_id"`
		JTI       string           `json:"jti"`
		Groups    []string         `json:"cognito:groups"`
		AuthTime  *jwt.NumericDate `json:"auth_time"`
		IssuedAt  *jwt.NumericDate `json:"iat"`
		Expiry    *jwt.NumericDate `json:"exp"`
	}
	all := map[string]any{}
	if err := i.verify(token, i.Keys.IDToken, "id", &all); err != nil {
		return nil, err
	}
	// Decode the typed view from the same, now verified, token.
	tok, _ := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err := tok.Claims(&i.Keys.IDToken.Private.PublicKey, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	aud := ""
	if len(w.Audience) == 1 {
		aud = w.Audience[0]
	}
	return &IDClaims{
		Sub: w.Sub, Username: w.Username, Audience: aud, OriginJTI: w.OriginJTI, EventID: w.EventID,
		JTI: w.JTI, Groups: w.Groups, AuthTime: numericTime(w.AuthTime), IssuedAt: numericTime(w.IssuedAt),
		Expiry: numericTime(w.Expiry), Claims: all,
	}, nil
}

func numericTime(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time()
}
