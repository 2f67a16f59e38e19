package userpool

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// AuthInput is InitiateAuth's and AdminInitiateAuth's input.
type AuthInput struct {
	Admin          bool   // AdminInitiateAuth
	PoolID         string // AdminInitiateAuth only
	ClientID       string
	AuthFlow       string
	Params         map[string]string
	ClientMetadata map[string]string
	// Session is USER_AUTH's session from SignUp or ConfirmSignUp, which
	// signs the confirmed user in without another factor (signup_signin.go).
	Session string
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
