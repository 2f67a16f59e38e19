package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/srp"
	"github.com/ferry-migrate/ferry/internal/tokens"
)

// AuthInput is InitiateAuth's and AdminInitiateAuth's input.
type AuthInput struct {
	Admin          bool   // AdminInitiateAuth
	PoolID         string // AdminInitiateAuth only
	ClientID       string
	AuthFlow       string
	Params         map[string]string
	ClientMetadata map[string]string
	// SDK is the caller's SDK, as callerContext.awsSdkVersion reports it.
	SDK string
}

// AuthResult is what InitiateAuth and RespondToAuthChallenge return: a
// challenge or tokens.
type AuthResult struct {
	ChallengeName       string
	Session             string
	ChallengeParameters map[string]string
	Tokens              *TokenSet
	// AvailableChallenges are the first factors USER_AUTH's
	// SELECT_CHALLENGE offers.
	AvailableChallenges []string
}

// TokenSet is AuthenticationResult.
type TokenSet struct {
	AccessToken  string
	IDToken      string
	RefreshToken string // empty on refresh
	ExpiresIn    int64
	TokenType    string
}

// srpState is a pending PASSWORD_VERIFIER challenge, keyed by SECRET_BLOCK.
type srpState struct {
	poolID, clientID string
	usernameKey      string
	srpA             string
	session          *srp.ServerSession
	expires          time.Time
	fake             bool // a simulated challenge for a user that does not exist
	// custom marks the PASSWORD_VERIFIER of a CUSTOM_AUTH sequence, which
	// only that sequence's Session may answer.
	custom bool
}

// challengeSess is a pending NEW_PASSWORD_REQUIRED challenge, keyed by Session.
type challengeSess struct {
	poolID, clientID string
	usernameKey      string
	name             string
	expires          time.Time
	// MFA challenges: the SMS code sent, the wrong codes typed, and
	// whether MFA_SETUP's software token was verified.
	code     *Code
	attempts int
	verified bool
	// custom is the state of a CUSTOM_AUTH challenge sequence.
	custom *customState
	// typed is the name a simulated USER_AUTH challenge was issued for
	// (no such user, existence errors prevented).
	typed string
}

// maxPending is the size of the in-memory challenge and revocation maps at
// which expired entries are swept (at half of it).
const maxPending = 100_000

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Service) sweepLocked(now time.Time) {
	if len(s.srpStates)+len(s.sessions)+len(s.revokedJTIs) < maxPending/2 {
		return
	}
	for k, v := range s.srpStates {
		if now.After(v.expires) {
			delete(s.srpStates, k)
		}
	}
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
	for k, v := range s.revokedJTIs {
		if now.After(v) {
			delete(s.revokedJTIs, k)
		}
	}
}

// flowFor maps an AuthFlow to the ALLOW_* flag that enables it.
func flowFor(flow string, admin bool) (string, bool) {
	switch flow {
	case "USER_SRP_AUTH":
		return FlowUserSRP, true
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return FlowRefresh, true
	case "CUSTOM_AUTH":
		return FlowCustom, true
	case "USER_PASSWORD_AUTH":
		return FlowUserPassword, !admin
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		return FlowAdminUserPassword, admin
	}
	return "", false
}

// InitiateAuth starts a sign-in: USER_PASSWORD_AUTH /
// ADMIN_USER_PASSWORD_AUTH (which run the migration trigger for unknown
// users), USER_SRP_AUTH, CUSTOM_AUTH, REFRESH_TOKEN(_AUTH), and USER_AUTH
// (userauth.go).
func (s *Service) InitiateAuth(ctx context.Context, in AuthInput) (*AuthResult, error) {
	p, c, err := s.loadClientPool(ctx, in.PoolID, in.ClientID)
	if err != nil {
		return nil, err
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, sdk: in.SDK, meta: in.ClientMetadata})
	switch in.AuthFlow {
	case "USER_AUTH":
		return s.userAuth(ctx, p, c, in)
	}
	allow, ok := flowFor(in.AuthFlow, in.Admin)
	if !ok {
		if in.AuthFlow == "" {
			return nil, newErr(ErrInvalidParameter, "AuthFlow must not be empty.")
		}
		return nil, newErr(ErrInvalidParameter, "Initiate Auth method not supported.")
	}
	if !c.set.allows(allow) {
		return nil, newErr(ErrInvalidParameter, "%s flow not enabled for this client", in.AuthFlow)
	}
	params := in.Params
	switch allow {
	case FlowRefresh:
		return s.refresh(ctx, p, c, params)
	case FlowUserSRP:
		if err := c.checkSecretHash(params["SECRET_HASH"], params["USERNAME"]); err != nil {
			return nil, err
		}
		return s.startSRP(ctx, p, c, params["USERNAME"], params["SRP_A"])
	case FlowCustom:
		return s.startCustomAuth(ctx, p, c, params)
	default:
		return s.passwordAuth(ctx, p, c, in)
	}
}

// passwordAuth runs USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordAuth(ctx context.Context, p *pool, c *client, in AuthInput) (*AuthResult, error) {
	typed, password := in.Params["USERNAME"], in.Params["PASSWORD"]
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if password == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter PASSWORD")
	}
	if err := c.checkSecretHash(in.Params["SECRET_HASH"], typed); err != nil {
		return nil, err
	}
	u, err := s.checkPassword(ctx, p, c, typed, password, in)
	if err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, u)
}

// checkPassword finds the user typed names, migrating an unknown one
// through the pool's trigger, and checks the sign-in state and password:
// the password sign-in of USER_PASSWORD_AUTH and of the managed login.
func (s *Service) checkPassword(ctx context.Context, p *pool, c *client, typed, password string, in AuthInput) (*User, error) {
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if u != nil || p.set.LambdaConfig.UserMigration == "" {
		return s.checkUserPassword(ctx, p, c, typed, u, password)
	}
	u, migrated, err := s.migrateOnSignIn(ctx, p, c, typed, password, in)
	if err != nil {
		return nil, err
	}
	if !migrated {
		return s.checkUserPassword(ctx, p, c, typed, u, password) // created meanwhile
	}
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	if err := s.checkSignInState(c, u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkUserPassword checks the sign-in state and password of u, the user
// typed names (nil when there is none), without migrating anybody.
func (s *Service) checkUserPassword(ctx context.Context, p *pool, c *client, typed string, u *User, password string) (*User, error) {
	if u == nil {
		// Spend a password check's time, so an unknown name does not
		// answer faster than a wrong password.
		checkVerifier(&User{PoolID: p.ID, Username: typed}, password)
		if c.set.preventsExistenceErrors() {
			if err := s.preAuthentication(ctx, p, typed, nil); err != nil {
				return nil, err
			}
		}
		return nil, s.unknownUser(c)
	}
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	if err := s.checkSignInState(c, u); err != nil {
		return nil, err
	}
	if err := s.checkLockout(u); err != nil {
		return nil, err
	}
	if !checkVerifier(u, password) {
		return nil, s.wrongPassword(ctx, p, u)
	}
	return s.rightPassword(ctx, p, u)
}

// unknownUser is the answer for a user that does not exist.
func (s *Service) unknownUser(c *client) error {
	if c.set.preventsExistenceErrors() {
		return errIncorrect()
	}
	return newErr(ErrUserNotFound, msgUserNotExist)
}

// checkSignInState applies the checks that come before the password:
// disabled, unconfirmed, reset required.
func (s *Service) checkSignInState(c *client, u *User) error {
	switch {
	case !u.Enabled:
		return newErr(ErrNotAuthorized, msgUserDisabled)
	case u.Status == "UNCONFIRMED":
		return newErr(ErrUserNotConfirmed, msgNotConfirmed)
	case u.Status == "RESET_REQUIRED":
		if c.set.preventsExistenceErrors() {
			return errIncorrect()
		}
		return newErr(ErrPasswordResetRequired, msgResetRequired)
	}
	return nil
}

// afterPassword continues a sign-in whose password is proven.
func (s *Service) afterPassword(ctx context.Context, p *pool, c *client, u *User) (*AuthResult, error) {
	if u.Status == "FORCE_CHANGE_PASSWORD" {
		sess := randomToken(96)
		s.mu.Lock()
		s.sweepLocked(s.now())
		s.sessions[sess] = &challengeSess{poolID: p.ID, clientID: c.ID, usernameKey: u.UsernameKey,
			name: "NEW_PASSWORD_REQUIRED", expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}
		s.mu.Unlock()
		attrs := maps.Clone(u.Attributes)
		delete(attrs, "email_verified")
		delete(attrs, "phone_number_verified")
		attrsJSON, err := json.Marshal(attrs)
		if err != nil {
			return nil, fmt.Errorf("encode attributes: %w", err)
		}
		var required []string
		for _, a := range p.set.SchemaAttributes {
			if a.Required && a.Name != "sub" && u.Attributes[a.Name] == "" {
				required = append(required, "userAttributes."+a.Name)
			}
		}
		reqJSON, err := json.Marshal(append([]string{}, required...))
		if err != nil {
			return nil, fmt.Errorf("encode required attributes: %w", err)
		}
		return &AuthResult{ChallengeName: "NEW_PASSWORD_REQUIRED", Session: sess, ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP": u.Username, "userAttributes": string(attrsJSON), "requiredAttributes": string(reqJSON),
		}}, nil
	}
	if r, err := s.mfaChallenge(ctx, p, c, u); r != nil || err != nil {
		return r, err
	}
	return s.signedIn(ctx, p, c, u)
}

// signedIn ends a sign-in whose every challenge is answered: the
// PostAuthentication trigger, then tokens.
func (s *Service) signedIn(ctx context.Context, p *pool, c *client, u *User) (*AuthResult, error) {
	if err := s.postAuthentication(ctx, p, u); err != nil {
		return nil, err
	}
	ts, err := s.issue(ctx, p, c, u, "", s.now(), true)
	if err != nil {
		return nil, err
	}
	return &AuthResult{Tokens: ts, ChallengeParameters: map[string]string{}}, nil
}

// tokenTTLs returns the client's access, id and refresh token lifetimes.
func (c *client) tokenTTLs() (access, id, refresh time.Duration) {
	var units TokenValidityUnits
	if c.set.TokenValidityUnits != nil {
		units = *c.set.TokenValidityUnits
	}
	conv := func(v int64, unit, def string, fallback time.Duration) time.Duration {
		if v == 0 {
			return fallback
		}
		secs, err := validitySeconds(v, unit, def)
		if err != nil {
			return fallback
		}
		return time.Duration(secs) * time.Second
	}
	return conv(c.set.AccessTokenValidity, units.AccessToken, "hours", time.Hour),
		conv(c.set.IDTokenValidity, units.IDToken, "hours", time.Hour),
		conv(c.set.RefreshTokenValidity, units.RefreshToken, "days", 30*24*time.Hour)
}

// issuer returns the token issuer of pool p.
func (s *Service) issuer(poolID string) *tokens.Issuer {
	return &tokens.Issuer{Keys: s.keys, Issuer: s.Issuer(poolID), Now: s.now}
}

// issue mints tokens for u; originJTI "" starts a new sign-in.
func (s *Service) issue(ctx context.Context, p *pool, c *client, u *User, originJTI string, authTime time.Time, withRefresh bool) (*TokenSet, error) {
	return s.issueGrant(ctx, p, c, u, originJTI, authTime, withRefresh, OAuthGrant{})
}

// issueGrant is issue for an OAuth 2.0 grant: its scopes and nonce go
// into the tokens (none for the user-pool API).
func (s *Service) issueGrant(ctx context.Context, p *pool, c *client, u *User, originJTI string, authTime time.Time, withRefresh bool, g OAuthGrant) (*TokenSet, error) {
	accessTTL, idTTL, refreshTTL := c.tokenTTLs()
	refreshing := originJTI != ""
	if originJTI == "" {
		originJTI = uuid.NewString()
	}
	attrs := s.readableAttributes(c, u)
	groups, err := s.tokenGroups(ctx, p, u)
	if err != nil {
		return nil, err
	}
	// Groups are filled first: a PreTokenGeneration trigger overrides them.
	ident := tokens.Identity{Sub: u.Sub, Username: u.Username, ClientID: c.ID,
		OriginJTI: originJTI, AuthTime: authTime, Attributes: attrs, Scope: g.Scope, Nonce: g.Nonce,
		AccessTokenHash: g.Scope != "", Groups: groups.names, Roles: groups.roles, PreferredRole: groups.preferredRole}
	if err := s.preTokenGeneration(ctx, p, u, &ident, refreshing); err != nil {
		return nil, err
	}
	access, id, err := s.issuer(p.ID).Issue(ident, accessTTL, idTTL)
	if err != nil {
		return nil, fmt.Errorf("issue tokens: %w", err)
	}
	s.recordJTI(p.ID, u.Username, originJTI, s.now().Add(accessTTL))
	ts := &TokenSet{AccessToken: access, IDToken: id, ExpiresIn: int64(accessTTL / time.Second), TokenType: "Bearer"}
	if withRefresh {
		tok, hash, err := tokens.NewRefreshToken()
		if err != nil {
			return nil, fmt.Errorf("refresh token: %w", err)
		}
		now := s.now()
		if err := s.store.PutRefreshToken(ctx, &RefreshToken{Hash: hash, PoolID: p.ID, ClientID: c.ID,
			Username: u.Username, Sub: u.Sub, OriginJTI: originJTI, Scope: g.Scope, AuthTime: authTime,
			ExpiresAt: now.Add(refreshTTL), CreatedAt: now}); err != nil {
			return nil, fmt.Errorf("store refresh token: %w", err)
		}
		ts.RefreshToken = tok
	}
	return ts, nil
}

// readableAttributes are the attributes the client may read (all, when it
// names none), for the id token.
func (s *Service) readableAttributes(c *client, u *User) map[string]string {
	if len(c.set.ReadAttributes) == 0 {
		return maps.Clone(u.Attributes)
	}
	out := map[string]string{}
	for _, a := range c.set.ReadAttributes {
		if v, ok := u.Attributes[a]; ok {
			out[a] = v
		}
	}
	return out
}

// refresh runs REFRESH_TOKEN(_AUTH).
func (s *Service) refresh(ctx context.Context, p *pool, c *client, params map[string]string) (*AuthResult, error) {
	tok := params["REFRESH_TOKEN"]
	if tok == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter REFRESH_TOKEN")
	}
	ts, err := s.refreshTokens(ctx, p, c, tok, func(rt *RefreshToken) error {
		return c.checkSecretHash(params["SECRET_HASH"], rt.Username, params["USERNAME"])
	})
	if err != nil {
		return nil, err
	}
	return &AuthResult{Tokens: ts, ChallengeParameters: map[string]string{}}, nil
}

// RefreshInput is GetTokensFromRefreshToken's input.
type RefreshInput struct {
	ClientID       string
	ClientSecret   string
	RefreshToken   string
	ClientMetadata map[string]string
}

// GetTokensFromRefreshToken mints new tokens from a refresh token, as
// REFRESH_TOKEN_AUTH does; the client proves its secret with ClientSecret
// itself rather than a SECRET_HASH. Without refresh-token rotation on the
// client, the answer carries no new refresh token.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in RefreshInput) (*TokenSet, error) {
	p, c, err := s.loadClientPool(ctx, "", in.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Secret != "" && !constantEq(in.ClientSecret, c.Secret) {
		return nil, newErr(ErrNotAuthorized, "Unable to verify secret hash for client %s", c.ID)
	}
	if !c.set.allows(FlowRefresh) {
		return nil, newErr(ErrInvalidParameter, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	if in.RefreshToken == "" {
		return nil, newErr(ErrInvalidParameter, "RefreshToken must not be empty.")
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, meta: in.ClientMetadata})
	return s.refreshTokens(ctx, p, c, in.RefreshToken, nil)
}

// refreshTokens checks a refresh token of client c and mints new access
// and id tokens from it; check, when set, runs once the token is known.
func (s *Service) refreshTokens(ctx context.Context, p *pool, c *client, tok string, check func(*RefreshToken) error) (*TokenSet, error) {
	invalid := newErr(ErrNotAuthorized, "Invalid Refresh Token")
	rt, err := s.store.GetRefreshToken(ctx, tokens.HashRefreshToken(tok))
	if errors.Is(err, ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("get refresh token: %w", err)
	}
	if rt.ClientID != c.ID || rt.PoolID != p.ID {
		return nil, invalid
	}
	if rt.Revoked {
		return nil, newErr(ErrNotAuthorized, "Refresh Token has been revoked")
	}
	if !s.now().Before(rt.ExpiresAt) {
		return nil, newErr(ErrNotAuthorized, "Refresh Token has expired")
	}
	if check != nil {
		if err := check(rt); err != nil {
			return nil, err
		}
	}
	u, err := s.store.GetUser(ctx, p.ID, p.set.usernameKey(rt.Username))
	if errors.Is(err, ErrNotFound) || err == nil && u.Sub != rt.Sub {
		return nil, invalid
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	return s.issueGrant(ctx, p, c, u, rt.OriginJTI, rt.AuthTime, false, OAuthGrant{Scope: rt.Scope})
}

// fakeSecret keys the simulated SRP challenges of unknown users, so a
// repeated attempt for one name gets the same salt and user id.
var fakeSecret = func() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return b
}()

// startSRP answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge.
func (s *Service) startSRP(ctx context.Context, p *pool, c *client, typed, srpA string) (*AuthResult, error) {
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if srpA == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter SRP_A")
	}
	if _, err := srp.ParseSRPA(srpA); err != nil {
		return nil, newErr(ErrInvalidParameter, "Invalid SRP_A.")
	}
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if u == nil && !c.set.preventsExistenceErrors() {
		// SRP never runs the migration trigger: it never sees a password.
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	r, _, err := s.srpChallenge(p, c, u, typed, srpA, false)
	return r, err
}

// srpChallenge is the PASSWORD_VERIFIER challenge of u (nil: a simulated
// one for a name that does not exist) and its SECRET_BLOCK, for an SRP_A
// already checked; custom marks one of a CUSTOM_AUTH sequence.
func (s *Service) srpChallenge(p *pool, c *client, u *User, typed, srpA string, custom bool) (*AuthResult, string, error) {
	var (
		salt     []byte
		verifier []byte
		userID   string
		state    = &srpState{poolID: p.ID, clientID: c.ID, srpA: srpA, custom: custom,
			expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}
	)
	switch {
	case u == nil:
		m := hmac.New(sha256.New, fakeSecret)
		m.Write([]byte(p.ID + "\x00" + p.set.usernameKey(typed)))
		sum := m.Sum(nil)
		salt = append([]byte{0x01 + sum[0]%0x7f}, sum[1:16]...)
		id, _ := uuid.FromBytes(sum[16:32])
		userID = id.String()
		verifier = srp.ComputeVerifier(srp.PoolName(p.ID), userID, hex.EncodeToString(sum), salt)
		state.fake = true
	default:
		if err := s.checkSignInState(c, u); err != nil {
			return nil, "", err
		}
		if u.Password == nil {
			return nil, "", errIncorrect()
		}
		salt, verifier, userID = u.Password.Salt, u.Password.V, u.Username
		state.usernameKey = u.UsernameKey
	}
	sess, err := srp.NewServerSession(verifier)
	if err != nil {
		return nil, "", fmt.Errorf("srp session: %w", err)
	}
	state.session = sess
	block := randomToken(192)
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.srpStates[block] = state
	s.mu.Unlock()
	return &AuthResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: map[string]string{
		"SALT": srp.SaltHex(salt), "SRP_B": sess.SRPB(), "SECRET_BLOCK": block,
		"USERNAME": userID, "USER_ID_FOR_SRP": userID,
	}}, block, nil
}

// ChallengeInput is RespondToAuthChallenge's and
// AdminRespondToAuthChallenge's input.
type ChallengeInput struct {
	PoolID         string // Admin only
	ClientID       string
	ChallengeName  string
	Session        string
	Responses      map[string]string
	ClientMetadata map[string]string
}

// RespondToAuthChallenge answers PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED,
// SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE, MFA_SETUP and the
// challenges of a CUSTOM_AUTH sequence and of USER_AUTH (userauth.go).
func (s *Service) RespondToAuthChallenge(ctx context.Context, in ChallengeInput) (*AuthResult, error) {
	p, c, err := s.loadClientPool(ctx, in.PoolID, in.ClientID)
	if err != nil {
		return nil, err
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, meta: in.ClientMetadata})
	if r, ok, err := s.respondCustom(ctx, p, c, in); ok {
		return r, err
	}
	switch in.ChallengeName {
	case "PASSWORD_VERIFIER":
		u, err := s.provePassword(ctx, p, c, in.Responses, false)
		if err != nil {
			return nil, err
		}
		return s.afterPassword(ctx, p, c, u)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPasswordRequired(withTriggerSource(ctx, sourceTokenNewPassword), p, c, in.Session, in.Responses)
	case challengeTOTPMFA, challengeSMSMFA:
		return s.respondMFA(ctx, p, c, in.ChallengeName, in.Session, in.Responses)
	case challengeMFASetup:
		return s.respondMFASetup(ctx, p, c, in.Session, in.Responses)
	case challengeSelectMFA:
		return s.respondSelectMFA(ctx, p, c, in.Session, in.Responses)
	case challengeSelect, challengePassword, challengePasswordSRP, challengeEmailOTP, challengeSMSOTP, challengeWebAuthn:
		return s.respondUserAuth(ctx, p, c, in)
	case "":
		return nil, newErr(ErrInvalidParameter, "ChallengeName must not be empty.")
	default:
		return nil, newErr(ErrInvalidParameter, "%s challenge is not supported by this user pool server.", in.ChallengeName)
	}
}

// provePassword checks a PASSWORD_VERIFIER answer and returns the user
// whose password it proves; custom says whether the answer comes within a
// CUSTOM_AUTH sequence, which alone may answer that sequence's challenge.
func (s *Service) provePassword(ctx context.Context, p *pool, c *client, r map[string]string, custom bool) (*User, error) {
	block := r["PASSWORD_CLAIM_SECRET_BLOCK"]
	for _, k := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if r[k] == "" {
			return nil, newErr(ErrInvalidParameter, "Missing required parameter %s", k)
		}
	}
	if _, err := srp.ParseTimestamp(r["TIMESTAMP"]); err != nil {
		return nil, newErr(ErrInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	}
	s.mu.Lock()
	st := s.srpStates[block]
	delete(s.srpStates, block) // one attempt per challenge
	s.mu.Unlock()
	if st == nil || st.clientID != c.ID || st.poolID != p.ID || s.now().After(st.expires) || st.fake || st.custom != custom {
		return nil, errIncorrect()
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	u, err := s.findUser(ctx, p, r["USERNAME"])
	if err != nil {
		return nil, err
	}
	if u == nil || u.UsernameKey != st.usernameKey || u.Password == nil {
		return nil, errIncorrect()
	}
	if err := s.checkLockout(u); err != nil {
		return nil, err
	}
	ok, err := st.session.VerifyClaim(srp.ClaimParams{PoolName: srp.PoolName(p.ID), UserIDForSRP: u.Username,
		Salt: u.Password.Salt, Verifier: u.Password.V, SRPA: st.srpA, SecretBlock: block,
		Timestamp: r["TIMESTAMP"], Signature: r["PASSWORD_CLAIM_SIGNATURE"]})
	switch {
	case errors.Is(err, srp.ErrBadTimestamp):
		return nil, newErr(ErrInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	case err != nil:
		return nil, errIncorrect()
	case !ok:
		return nil, s.wrongPassword(ctx, p, u)
	}
	if err := s.checkSignInState(c, u); err != nil {
		return nil, err
	}
	return s.rightPassword(ctx, p, u)
}

func (s *Service) newPasswordRequired(ctx context.Context, p *pool, c *client, session string, r map[string]string) (*AuthResult, error) {
	s.mu.Lock()
	st := s.sessions[session]
	s.mu.Unlock()
	if st == nil || st.clientID != c.ID || st.poolID != p.ID || st.name != "NEW_PASSWORD_REQUIRED" {
		return nil, newErr(ErrNotAuthorized, "Invalid session for the user.")
	}
	if s.now().After(st.expires) {
		return nil, newErr(ErrNotAuthorized, "Invalid session for the user, session is expired.")
	}
	pw := r["NEW_PASSWORD"]
	if pw == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter NEW_PASSWORD")
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	if err := p.set.checkPassword(pw); err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, p.ID, st.usernameKey)
	if errors.Is(err, ErrNotFound) {
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	if r["USERNAME"] != "" {
		if other, err := s.findUser(ctx, p, r["USERNAME"]); err != nil || other == nil || other.UsernameKey != u.UsernameKey {
			return nil, newErr(ErrNotAuthorized, "Invalid session for the user.")
		}
	}
	attrs := map[string]string{}
	for k, v := range r {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs[name] = v
		}
	}
	if len(attrs) > 0 {
		if err := p.set.checkAttributes(attrs, attrUpdate); err != nil {
			return nil, err
		}
	}
	for _, a := range p.set.SchemaAttributes {
		if a.Required && a.Name != "sub" && u.Attributes[a.Name] == "" && attrs[a.Name] == "" {
			return nil, newErr(ErrInvalidParameter, "Invalid attributes given, %s is missing", a.Name)
		}
	}
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		if n.Status != "FORCE_CHANGE_PASSWORD" {
			return newErr(ErrNotAuthorized, "Invalid session for the user.")
		}
		v, err := newVerifier(p.ID, n.Username, pw)
		if err != nil {
			return err
		}
		n.Password = v
		n.Status = "CONFIRMED"
		maps.Copy(n.Attributes, attrs)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.sessions, session)
	s.mu.Unlock()
	return s.afterPassword(ctx, p, c, u)
}
