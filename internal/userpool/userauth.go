package userpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// USER_AUTH is choice-based sign-in: the user names themselves, and signs
// in with one of the first factors the pool's SignInPolicy allows and they
// can use — a password (PASSWORD, or PASSWORD_SRP which goes on to
// PASSWORD_VERIFIER), or a one-time code sent by email (EMAIL_OTP) or SMS
// (SMS_OTP). Without a PREFERRED_CHALLENGE, or with one the user cannot
// use, InitiateAuth answers SELECT_CHALLENGE with the AvailableChallenges.
//
// A password first factor goes on to the pool's MFA, as every password
// sign-in does. A one-time code is itself the second thing the user has,
// so it signs in without MFA, and is offered only to users who do not sign
// in with MFA (availableChallenges). The UserMigration trigger does not run:
// Cognito documents it for USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
// managed login and ForgotPassword, and says it does not run for
// passwordless sign-in. Passkeys (WEB_AUTHN) are not implemented.

// Challenges of the USER_AUTH flow.
const (
	challengeSelect      = "SELECT_CHALLENGE"
	challengePassword    = "PASSWORD"
	challengePasswordSRP = "PASSWORD_SRP"
	challengeEmailOTP    = "EMAIL_OTP"
	challengeSMSOTP      = "SMS_OTP"
	challengeWebAuthn    = "WEB_AUTHN"
)

var (
	errWebAuthn = newErr(ErrInvalidParameter, "WEB_AUTHN (passkey) sign-in is not implemented by this local user pool: choose PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP.")
	errNoFactor = newErr(ErrNotAuthorized, "The user has no sign-in method that this user pool's SignInPolicy allows.")
)

// userAuth runs InitiateAuth's and AdminInitiateAuth's USER_AUTH.
func (s *Service) userAuth(ctx context.Context, p *pool, c *client, in AuthInput) (*AuthResult, error) {
	if !c.set.allows(FlowUserAuth) {
		return nil, newErr(ErrInvalidParameter, "USER_AUTH flow not enabled for this client")
	}
	typed := in.Params["USERNAME"]
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if err := c.checkSecretHash(in.Params["SECRET_HASH"], typed); err != nil {
		return nil, err
	}
	if in.Session != "" {
		return s.signInAfterSignUp(ctx, p, c, typed, in.Session)
	}
	preferred := in.Params["PREFERRED_CHALLENGE"]
	switch preferred {
	case "", challengePassword, challengePasswordSRP, challengeEmailOTP, challengeSMSOTP:
	case challengeWebAuthn:
		return nil, errWebAuthn
	default:
		return nil, newErr(ErrInvalidParameter, "PREFERRED_CHALLENGE must be one of PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN.")
	}
	// A password or SRP_A given with the preference starts that factor at
	// once, as USER_PASSWORD_AUTH and USER_SRP_AUTH do.
	if p.set.allowsFactor(FactorPassword) {
		switch {
		case preferred == challengePassword && in.Params["PASSWORD"] != "":
			return s.userAuthPassword(ctx, p, c, typed, nil, in.Params["PASSWORD"])
		case preferred == challengePasswordSRP && in.Params["SRP_A"] != "":
			return s.startSRP(ctx, p, c, typed, in.Params["SRP_A"])
		}
	}
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	var avail []string
	switch {
	case u == nil && !c.set.preventsExistenceErrors():
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	case u == nil:
		avail = simulatedChallenges(p)
	default:
		if err := s.checkSignInState(c, u); err != nil {
			return nil, err
		}
		avail = availableChallenges(p, u)
	}
	if len(avail) == 0 {
		return nil, errNoFactor
	}
	if preferred != "" && slices.Contains(avail, preferred) {
		switch preferred {
		case challengeEmailOTP, challengeSMSOTP:
			return s.startOTP(ctx, p, c, typed, u, preferred)
		default: // PASSWORD or PASSWORD_SRP, whose secret comes next
			return &AuthResult{ChallengeName: preferred, ChallengeParameters: map[string]string{},
				Session: s.userAuthSession(p, c, u, typed, preferred)}, nil
		}
	}
	return &AuthResult{ChallengeName: challengeSelect, Session: s.userAuthSession(p, c, u, typed, challengeSelect),
		ChallengeParameters: map[string]string{}, AvailableChallenges: avail}, nil
}

// availableChallenges are the first factors u can sign in with: the
// pool's allowed factors the user has what they need for — a password, or
// a verified email address or phone number to receive a code. A user who
// signs in with MFA (a factor of theirs the pool offers, or a pool that
// requires MFA) gets no one-time-code factor: Cognito does not combine MFA
// with passwordless sign-in for one user, so a code cannot stand in for
// the password and the MFA. Passkeys cannot be registered with this pool,
// so WEB_AUTHN is never available.
func availableChallenges(p *pool, u *User) []string {
	var out []string
	if p.set.allowsFactor(FactorPassword) && u.Password != nil {
		out = append(out, challengePassword, challengePasswordSRP)
	}
	if usesMFA(p, u) {
		return out
	}
	if p.set.allowsFactor(FactorEmailOTP) && u.Attributes["email"] != "" && u.Attributes["email_verified"] == "true" {
		out = append(out, challengeEmailOTP)
	}
	if p.set.allowsFactor(FactorSMSOTP) && u.Attributes["phone_number"] != "" && u.Attributes["phone_number_verified"] == "true" {
		out = append(out, challengeSMSOTP)
	}
	return out
}

// userAuthSession stores a pending USER_AUTH challenge of u, or of the
// name typed when u is nil (a simulated challenge), and returns its key.
func (s *Service) userAuthSession(p *pool, c *client, u *User, typed, name string) string {
	if u == nil {
		return s.newSimulatedSession(p, c, name, typed)
	}
	return s.newChallengeSession(p, c, u, name, nil)
}

// respondUserAuth answers the challenges of USER_AUTH: SELECT_CHALLENGE
// (ANSWER names the factor, with its PASSWORD or SRP_A when it has one),
// PASSWORD, PASSWORD_SRP, EMAIL_OTP and SMS_OTP.
func (s *Service) respondUserAuth(ctx context.Context, p *pool, c *client, in ChallengeInput) (*AuthResult, error) {
	switch in.ChallengeName {
	case challengeEmailOTP, challengeSMSOTP:
		if st, err := s.challengeSession(in.Session, in.ChallengeName); err == nil && st.usernameKey == "" &&
			st.clientID == c.ID && st.poolID == p.ID {
			return nil, s.simulatedCode(in.Session, in.ChallengeName, in.Responses)
		}
		return s.respondMFA(ctx, p, c, in.ChallengeName, in.Session, in.Responses)
	case challengeWebAuthn:
		return nil, errWebAuthn
	}
	r := in.Responses
	st, err := s.challengeSession(in.Session, in.ChallengeName)
	if err != nil {
		return nil, err
	}
	if st.clientID != c.ID || st.poolID != p.ID {
		return nil, errInvalidSess
	}
	answer := in.ChallengeName
	if answer == challengeSelect {
		if answer = r["ANSWER"]; answer == "" {
			return nil, newErr(ErrInvalidParameter, "Missing required parameter ANSWER")
		}
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	u, typed, avail, err := s.challengeUser(ctx, p, st, r["USERNAME"])
	if err != nil {
		return nil, err
	}
	if !slices.Contains(avail, answer) {
		if answer == challengeWebAuthn {
			return nil, errWebAuthn
		}
		return nil, newErr(ErrInvalidParameter, "ANSWER must be one of the AvailableChallenges: [%s].", strings.Join(avail, ", "))
	}
	switch answer {
	case challengePassword:
		if r["PASSWORD"] == "" {
			return nil, newErr(ErrInvalidParameter, "Missing required parameter PASSWORD")
		}
		s.endSession(in.Session)
		return s.userAuthPassword(ctx, p, c, typed, u, r["PASSWORD"])
	case challengePasswordSRP:
		if r["SRP_A"] == "" {
			return nil, newErr(ErrInvalidParameter, "Missing required parameter SRP_A")
		}
		s.endSession(in.Session)
		return s.startSRP(ctx, p, c, typed, r["SRP_A"])
	default: // EMAIL_OTP, SMS_OTP
		s.endSession(in.Session)
		return s.startOTP(ctx, p, c, typed, u, answer)
	}
}

// challengeUser returns the user of a pending USER_AUTH challenge (nil
// for a simulated one), the name to sign in with, and the factors the
// user can choose. A USERNAME in the answer must name the same user.
func (s *Service) challengeUser(ctx context.Context, p *pool, st *challengeSess, answered string) (*User, string, []string, error) {
	if st.usernameKey == "" {
		return nil, st.typed, simulatedChallenges(p), nil
	}
	u, err := s.store.GetUser(ctx, p.ID, st.usernameKey)
	if errors.Is(err, ErrNotFound) {
		return nil, "", nil, errInvalidSess
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("get user: %w", err)
	}
	if answered != "" {
		other, err := s.findUser(ctx, p, answered)
		if err != nil {
			return nil, "", nil, err
		}
		if other == nil || other.UsernameKey != u.UsernameKey {
			return nil, "", nil, errInvalidSess
		}
	}
	return u, u.Username, availableChallenges(p, u), nil
}

// userAuthPassword signs in with a password first factor, without the
// migration trigger; u is the user typed names when already found.
func (s *Service) userAuthPassword(ctx context.Context, p *pool, c *client, typed string, u *User, password string) (*AuthResult, error) {
	if u == nil {
		var err error
		if u, err = s.findUser(ctx, p, typed); err != nil {
			return nil, err
		}
	}
	u, err := s.checkUserPassword(ctx, p, c, typed, u, password)
	if err != nil {
		return nil, err
	}
	return s.afterPassword(ctx, p, c, u)
}

// startOTP sends a one-time sign-in code by email (EMAIL_OTP) or SMS
// (SMS_OTP) and issues the challenge that takes it. The PreAuthentication
// trigger runs first, as it does before a password is checked. u is nil
// for a simulated challenge, which sends nothing.
func (s *Service) startOTP(ctx context.Context, p *pool, c *client, typed string, u *User, name string) (*AuthResult, error) {
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	if u == nil {
		return s.simulatedOTP(p, c, typed, name), nil
	}
	medium := "SMS"
	if name == challengeEmailOTP {
		medium = "EMAIL"
	}
	params := map[string]string{}
	code, err := s.sendSignInCode(ctx, c, u, medium, params)
	if err != nil {
		return nil, err
	}
	return &AuthResult{ChallengeName: name, ChallengeParameters: params,
		Session: s.newChallengeSession(p, c, u, name, code)}, nil
}

// sendSignInCode sends a new sign-in code to u's email address or phone
// number through the outbox (and a CustomMessage trigger), puts the
// delivery details into params, and returns the code, good for the
// client's AuthSessionValidity: the code of SMS_MFA, EMAIL_OTP and SMS_OTP.
func (s *Service) sendSignInCode(ctx context.Context, c *client, u *User, medium string, params map[string]string) (*Code, error) {
	attr := "phone_number"
	if medium == "EMAIL" {
		attr = "email"
	}
	code := newCode()
	d, err := s.deliver(withTriggerSource(ctx, sourceMessageAuthentication), u, "authentication", medium, attr, u.Attributes[attr], code)
	if err != nil {
		return nil, err
	}
	params["CODE_DELIVERY_DELIVERY_MEDIUM"], params["CODE_DELIVERY_DESTINATION"] = d.DeliveryMedium, d.Destination
	return &Code{Code: code, ExpiresAt: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}, nil
}
