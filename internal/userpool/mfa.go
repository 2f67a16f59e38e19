package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"
)

// UserMFA is a user's multi-factor settings (SetUserMFAPreference,
// AssociateSoftwareToken, VerifySoftwareToken, and a migration answer's
// enableSMSMFA).
type UserMFA struct {
	SMSEnabled    bool
	SMSPreferred  bool
	TOTPEnabled   bool
	TOTPPreferred bool
	// TOTPSecret is the base32 secret of the verified software token; ""
	// until VerifySoftwareToken accepts a code of PendingTOTPSecret, the
	// secret AssociateSoftwareToken last issued.
	TOTPSecret        string
	PendingTOTPSecret string
	TOTPDeviceName    string
	// LastTOTPStep is the 30-second step of the last code accepted: a
	// code is good for one use.
	LastTOTPStep uint64
}

// PoolMFAFactors are the MFA factors SetUserPoolMfaConfig enables on a
// pool. A pool that never had them set (only CreateUserPool's
// MfaConfiguration) offers SMS, the factor that setting has always meant.
type PoolMFAFactors struct {
	SMS           bool `json:"SMS"`
	SoftwareToken bool `json:"SoftwareToken"`
}

// PoolMFAConfig is GetUserPoolMfaConfig's and SetUserPoolMfaConfig's view
// of a pool.
type PoolMFAConfig struct {
	MfaConfiguration         string // OFF, ON, OPTIONAL
	SMS                      bool
	SmsAuthenticationMessage string
	SmsConfiguration         json.RawMessage
	SoftwareToken            bool
}

// MFA challenge names.
const (
	challengeSMSMFA    = "SMS_MFA"
	challengeTOTPMFA   = "SOFTWARE_TOKEN_MFA"
	challengeMFASetup  = "MFA_SETUP"
	challengeSelectMFA = "SELECT_MFA_TYPE"
)

// maxMFAAttempts bounds the wrong codes one MFA challenge accepts before
// its session ends, so a six-digit code cannot be guessed in one session.
const maxMFAAttempts = 5

const (
	defaultAuthenticationMessage = "Your authentication code is {####}."
	defaultAuthenticationSubject = "Your authentication code"
)

var (
	errNoTOTP       = newErr(ErrSoftwareTokenMFANotFound, "Software Token MFA does not exist for the user.")
	errTOTPReused   = newErr(ErrExpiredCode, "Your software token has already been used once.")
	errInvalidSess  = newErr(ErrNotAuthorized, "Invalid session for the user.")
	errExpiredSess  = newErr(ErrNotAuthorized, "Invalid session for the user, session is expired.")
	mfaConfigValues = []string{"OFF", "ON", "OPTIONAL"}
)

// checkMfaConfiguration checks a pool's MfaConfiguration, defaulting it
// to OFF.
func checkMfaConfiguration(v *string) error {
	if *v == "" {
		*v = "OFF"
	}
	if !slices.Contains(mfaConfigValues, *v) {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", *v)
	}
	return nil
}

// mfaFactors returns the factors the pool offers now: none when MFA is
// off.
func (s *PoolSettings) mfaFactors() (sms, totp bool) {
	if s.MfaConfiguration == "" || s.MfaConfiguration == "OFF" {
		return false, false
	}
	if s.MfaFactors == nil {
		return true, false
	}
	return s.MfaFactors.SMS, s.MfaFactors.SoftwareToken
}

// GetPoolMFAConfig is GetUserPoolMfaConfig.
func (s *Service) GetPoolMFAConfig(ctx context.Context, poolID string) (*PoolMFAConfig, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return p.set.mfaConfig(), nil
}

func (s *PoolSettings) mfaConfig() *PoolMFAConfig {
	out := &PoolMFAConfig{MfaConfiguration: s.MfaConfiguration}
	if out.MfaConfiguration == "" {
		out.MfaConfiguration = "OFF"
	}
	if f := s.MfaFactors; f != nil {
		out.SMS, out.SoftwareToken = f.SMS, f.SoftwareToken
	} else {
		out.SMS = out.MfaConfiguration != "OFF"
	}
	if out.SMS {
		s.other("SmsAuthenticationMessage", &out.SmsAuthenticationMessage)
		out.SmsConfiguration = s.Other["SmsConfiguration"]
	}
	return out
}

// SetPoolMFAConfig is SetUserPoolMfaConfig: it replaces the pool's
// factors, and its MfaConfiguration when one is given. MFA cannot be on
// (or optional) with no factor.
func (s *Service) SetPoolMFAConfig(ctx context.Context, poolID string, in PoolMFAConfig) (*PoolMFAConfig, error) {
	var out *PoolMFAConfig
	err := s.UpdatePool(ctx, poolID, func(cur PoolSettings) (string, PoolSettings) {
		next := cur
		if in.MfaConfiguration != "" {
			next.MfaConfiguration = in.MfaConfiguration
		}
		next.MfaFactors = &PoolMFAFactors{SMS: in.SMS, SoftwareToken: in.SoftwareToken}
		next.Other = maps.Clone(cur.Other)
		if in.SMS {
			if in.SmsAuthenticationMessage != "" {
				next.setOther("SmsAuthenticationMessage", in.SmsAuthenticationMessage)
			}
			if len(in.SmsConfiguration) > 0 {
				next.Other["SmsConfiguration"] = in.SmsConfiguration
			}
		}
		out = next.mfaConfig()
		return "", next
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkPoolMFA is the part of a pool's settings check that concerns MFA.
func (s *PoolSettings) checkPoolMFA() error {
	if err := checkMfaConfiguration(&s.MfaConfiguration); err != nil {
		return err
	}
	var msg string
	s.other("SmsAuthenticationMessage", &msg)
	if msg != "" && !smsMessageRE.MatchString(msg) {
		return patternErr(msg, "smsAuthenticationMessage", smsMessageRE)
	}
	if f := s.MfaFactors; f != nil && s.MfaConfiguration != "OFF" && !f.SMS && !f.SoftwareToken {
		return newErr(ErrInvalidParameter, "Invalid MFA configuration given, can't turn on MFA without any enabled MFA factors.")
	}
	return nil
}

// MFASettings is a user's MFA state as GetUser and AdminGetUser show it.
func MFASettings(u *User) (preferred string, list []string) {
	if u.MFA.SMSEnabled {
		list = append(list, challengeSMSMFA)
	}
	if u.MFA.TOTPEnabled {
		list = append(list, challengeTOTPMFA)
	}
	switch {
	case u.MFA.TOTPPreferred && u.MFA.TOTPEnabled:
		preferred = challengeTOTPMFA
	case u.MFA.SMSPreferred && u.MFA.SMSEnabled:
		preferred = challengeSMSMFA
	}
	return preferred, list
}

// MFAPreference is one factor's part of SetUserMFAPreference; nil leaves
// the factor as it is.
type MFAPreference struct {
	Enabled   bool
	Preferred bool
}

// MFAPreferences is SetUserMFAPreference's and AdminSetUserMFAPreference's
// input.
type MFAPreferences struct {
	SMS, SoftwareToken, Email *MFAPreference
}

// SetUserMFAPreference sets the signed-in user's MFA preferences.
func (s *Service) SetUserMFAPreference(ctx context.Context, token string, in MFAPreferences) error {
	p, u, _, err := s.authenticate(ctx, token)
	if err != nil {
		return err
	}
	return s.setMFAPreference(ctx, p, u, in)
}

// AdminSetUserMFAPreference sets a user's MFA preferences.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, poolID, username string, in MFAPreferences) error {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.setMFAPreference(ctx, p, u, in)
}

func (s *Service) setMFAPreference(ctx context.Context, p *pool, u *User, in MFAPreferences) error {
	if in.Email != nil && in.Email.Enabled {
		return newErr(ErrInvalidParameter, "Email MFA is not implemented by this local user pool.")
	}
	_, err := s.updateUser(ctx, p, u, func(n *User) error {
		if v := in.SMS; v != nil {
			if v.Enabled && n.Attributes["phone_number"] == "" {
				return newErr(ErrInvalidParameter, "User does not have delivery config set to turn on SMS_MFA")
			}
			n.MFA.SMSEnabled, n.MFA.SMSPreferred = v.Enabled, v.Enabled && v.Preferred
			if n.MFA.SMSPreferred {
				n.MFA.TOTPPreferred = false
			}
		}
		if v := in.SoftwareToken; v != nil {
			if v.Enabled && n.MFA.TOTPSecret == "" {
				return newErr(ErrInvalidParameter, "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
			}
			n.MFA.TOTPEnabled, n.MFA.TOTPPreferred = v.Enabled, v.Enabled && v.Preferred
			if n.MFA.TOTPPreferred {
				n.MFA.SMSPreferred = false
			}
		}
		return nil
	})
	return err
}

// SoftwareTokenInput is AssociateSoftwareToken's and VerifySoftwareToken's
// input: the signed-in user's AccessToken, or the Session of an
// MFA_SETUP challenge.
type SoftwareTokenInput struct {
	AccessToken        string
	Session            string
	UserCode           string
	FriendlyDeviceName string
}

// LogValue keeps the token, the session and the code out of logs.
func (in SoftwareTokenInput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("accessToken", redactString(in.AccessToken)),
		slog.String("session", redactString(in.Session)), slog.String("userCode", redactString(in.UserCode)),
		slog.String("friendlyDeviceName", in.FriendlyDeviceName))
}

// SoftwareTokenResult is AssociateSoftwareToken's and
// VerifySoftwareToken's output; Session is set when the input had one.
type SoftwareTokenResult struct {
	SecretCode string
	Session    string
}

// softwareTokenUser finds the user of a software-token call. With a
// Session it also returns the session's key.
func (s *Service) softwareTokenUser(ctx context.Context, in SoftwareTokenInput) (*pool, *User, string, error) {
	switch {
	case in.AccessToken != "" && in.Session != "":
		return nil, nil, "", newErr(ErrInvalidParameter, "Only one of AccessToken or Session may be given.")
	case in.AccessToken != "":
		p, u, _, err := s.authenticate(ctx, in.AccessToken)
		return p, u, "", err
	case in.Session == "":
		return nil, nil, "", newErr(ErrInvalidParameter, "Either AccessToken or Session must be given.")
	}
	st, err := s.challengeSession(in.Session, challengeMFASetup)
	if err != nil {
		return nil, nil, "", err
	}
	p, err := s.loadPool(ctx, st.poolID)
	if err != nil {
		return nil, nil, "", err
	}
	u, err := s.store.GetUser(ctx, p.ID, st.usernameKey)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, "", errInvalidSess
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("get user: %w", err)
	}
	return p, u, in.Session, nil
}

// AssociateSoftwareToken issues a new TOTP secret for the user; it takes
// effect once VerifySoftwareToken accepts a code of it.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in SoftwareTokenInput) (*SoftwareTokenResult, error) {
	p, u, sess, err := s.softwareTokenUser(ctx, in)
	if err != nil {
		return nil, err
	}
	secret := newTOTPSecret()
	if _, err := s.updateUser(ctx, p, u, func(n *User) error {
		n.MFA.PendingTOTPSecret = secret
		return nil
	}); err != nil {
		return nil, err
	}
	out := &SoftwareTokenResult{SecretCode: secret}
	if sess != "" {
		out.Session = s.renewSession(sess, nil)
	}
	return out, nil
}

// VerifySoftwareToken checks a code of the secret AssociateSoftwareToken
// issued and makes it the user's software token. In a pool where MFA is
// required, that also turns the factor on.
func (s *Service) VerifySoftwareToken(ctx context.Context, in SoftwareTokenInput) (*SoftwareTokenResult, error) {
	p, u, sess, err := s.softwareTokenUser(ctx, in)
	if err != nil {
		return nil, err
	}
	if u.MFA.PendingTOTPSecret == "" {
		return nil, errNoTOTP
	}
	step, ok := checkTOTP(u.MFA.PendingTOTPSecret, in.UserCode, s.now())
	if !ok {
		return nil, newErr(ErrEnableSoftwareTokenMFA, "Code mismatch and fail enable Software Token MFA")
	}
	if _, err := s.updateUser(ctx, p, u, func(n *User) error {
		if n.MFA.PendingTOTPSecret != u.MFA.PendingTOTPSecret {
			return newErr(ErrEnableSoftwareTokenMFA, "Code mismatch and fail enable Software Token MFA")
		}
		n.MFA.TOTPSecret, n.MFA.PendingTOTPSecret = n.MFA.PendingTOTPSecret, ""
		n.MFA.TOTPDeviceName, n.MFA.LastTOTPStep = in.FriendlyDeviceName, step
		if p.set.MfaConfiguration == "ON" || sess != "" {
			n.MFA.TOTPEnabled = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := &SoftwareTokenResult{}
	if sess != "" {
		out.Session = s.renewSession(sess, func(st *challengeSess) { st.verified = true })
	}
	return out, nil
}

// challengeSession returns a copy of the pending challenge of a session,
// which must be the named one.
func (s *Service) challengeSession(session, name string) (*challengeSess, error) {
	s.mu.Lock()
	var st *challengeSess
	if cur := s.sessions[session]; cur != nil {
		cp := *cur // a snapshot: the map's entry changes only under s.mu
		st = &cp
	}
	s.mu.Unlock()
	if st == nil || st.name != name {
		return nil, errInvalidSess
	}
	if s.now().After(st.expires) {
		return nil, errExpiredSess
	}
	return st, nil
}

// sessionUser returns the pending challenge of a session of client c,
// which must be the named one, and its user.
func (s *Service) sessionUser(ctx context.Context, p *pool, c *client, session, name string) (*challengeSess, *User, error) {
	st, err := s.challengeSession(session, name)
	if err != nil {
		return nil, nil, err
	}
	if st.clientID != c.ID || st.poolID != p.ID {
		return nil, nil, errInvalidSess
	}
	u, err := s.store.GetUser(ctx, p.ID, st.usernameKey)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errInvalidSess
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get user: %w", err)
	}
	return st, u, nil
}

// endSession removes a session once its challenge is answered.
func (s *Service) endSession(session string) {
	s.mu.Lock()
	delete(s.sessions, session)
	s.mu.Unlock()
}

// renewSession replaces a session's key with a new one, as Cognito hands
// out a new Session at each step, applying change to its state.
func (s *Service) renewSession(old string, change func(*challengeSess)) string {
	next := randomToken(96)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sessions[old]
	if st == nil {
		return next // gone meanwhile: the next step reports the invalid session
	}
	delete(s.sessions, old)
	if change != nil {
		change(st)
	}
	s.sessions[next] = st
	return next
}

// newChallengeSession stores a pending challenge of u and returns its key.
func (s *Service) newChallengeSession(p *pool, c *client, u *User, name string, code *Code) string {
	sess := randomToken(96)
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.sessions[sess] = &challengeSess{poolID: p.ID, clientID: c.ID, usernameKey: u.UsernameKey, name: name,
		code: code, expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}
	s.mu.Unlock()
	return sess
}

// mfaChallenge is the MFA step of a sign-in whose password is proven: the
// user's factor's challenge (SELECT_MFA_TYPE when the user has two and
// prefers neither), MFA_SETUP in a pool that requires MFA from a
// user without a factor, or nil for no MFA.
func (s *Service) mfaChallenge(ctx context.Context, p *pool, c *client, u *User) (*AuthResult, error) {
	poolSMS, poolTOTP := p.set.mfaFactors()
	phone := u.Attributes["phone_number"]
	sms := poolSMS && u.MFA.SMSEnabled && phone != ""
	totp := poolTOTP && u.MFA.TOTPEnabled && u.MFA.TOTPSecret != ""
	if p.set.MfaConfiguration == "ON" && !sms && !totp && poolSMS && phone != "" {
		sms = true // a required factor the user can receive already
	}
	switch {
	case totp && sms && !u.MFA.TOTPPreferred && !u.MFA.SMSPreferred:
		can, err := json.Marshal([]string{challengeSMSMFA, challengeTOTPMFA})
		if err != nil {
			return nil, fmt.Errorf("encode MFAS_CAN_CHOOSE: %w", err)
		}
		return &AuthResult{ChallengeName: challengeSelectMFA, Session: s.newChallengeSession(p, c, u, challengeSelectMFA, nil),
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.Username, "MFAS_CAN_CHOOSE": string(can)}}, nil
	case totp && (!sms || !u.MFA.SMSPreferred):
		return s.startMFA(ctx, p, c, u, challengeTOTPMFA)
	case sms:
		return s.startMFA(ctx, p, c, u, challengeSMSMFA)
	case p.set.MfaConfiguration == "ON" && poolTOTP:
		can, err := json.Marshal([]string{challengeTOTPMFA})
		if err != nil {
			return nil, fmt.Errorf("encode MFAS_CAN_SETUP: %w", err)
		}
		return &AuthResult{ChallengeName: challengeMFASetup, Session: s.newChallengeSession(p, c, u, challengeMFASetup, nil),
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.Username, "MFAS_CAN_SETUP": string(can)}}, nil
	}
	return nil, nil
}

// startMFA issues the SOFTWARE_TOKEN_MFA or SMS_MFA challenge; for SMS it
// sends the code.
func (s *Service) startMFA(ctx context.Context, p *pool, c *client, u *User, name string) (*AuthResult, error) {
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	var pending *Code
	if name == challengeTOTPMFA {
		params["FRIENDLY_DEVICE_NAME"] = u.MFA.TOTPDeviceName
	} else {
		var err error
		if pending, err = s.sendSignInCode(ctx, c, u, "SMS", params); err != nil {
			return nil, err
		}
	}
	return &AuthResult{ChallengeName: name, ChallengeParameters: params,
		Session: s.newChallengeSession(p, c, u, name, pending)}, nil
}

// respondSelectMFA answers SELECT_MFA_TYPE: ANSWER names the factor whose
// challenge comes next.
func (s *Service) respondSelectMFA(ctx context.Context, p *pool, c *client, session string, r map[string]string) (*AuthResult, error) {
	st, u, err := s.sessionUser(ctx, p, c, session, challengeSelectMFA)
	if err != nil {
		return nil, err
	}
	answer := r["ANSWER"]
	if answer != challengeSMSMFA && answer != challengeTOTPMFA {
		return nil, newErr(ErrInvalidParameter, "ANSWER must be SMS_MFA or SOFTWARE_TOKEN_MFA.")
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	s.endSession(session)
	next, err := s.startMFA(ctx, p, c, u, answer)
	if err == nil {
		s.carryCustom(next.Session, st.custom)
	}
	return next, err
}

// respondMFA answers SOFTWARE_TOKEN_MFA (SOFTWARE_TOKEN_MFA_CODE), SMS_MFA
// (SMS_MFA_CODE), and USER_AUTH's EMAIL_OTP (EMAIL_OTP_CODE) and SMS_OTP
// (SMS_OTP_CODE) with tokens.
func (s *Service) respondMFA(ctx context.Context, p *pool, c *client, name, session string, r map[string]string) (*AuthResult, error) {
	st, u, err := s.sessionUser(ctx, p, c, session, name)
	if err != nil {
		return nil, err
	}
	key := name + "_CODE" // SOFTWARE_TOKEN_MFA_CODE, SMS_MFA_CODE
	code := r[key]
	if code == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter %s", key)
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	var step uint64
	ok := false
	if name != challengeTOTPMFA { // a code the pool sent: SMS_MFA, EMAIL_OTP, SMS_OTP
		ok = st.code != nil && constantEq(code, st.code.Code)
		if st.code == nil || s.now().After(st.code.ExpiresAt) {
			return nil, newErr(ErrExpiredCode, msgExpiredCode)
		}
	} else {
		if u.MFA.TOTPSecret == "" {
			return nil, errNoTOTP
		}
		step, ok = checkTOTP(u.MFA.TOTPSecret, code, s.now())
		if ok && step <= u.MFA.LastTOTPStep {
			return nil, errTOTPReused
		}
	}
	if !ok {
		return nil, s.wrongCode(session)
	}
	s.endSession(session)
	if name == challengeTOTPMFA {
		if u, err = s.updateUser(ctx, p, u, func(n *User) error {
			if step <= n.MFA.LastTOTPStep {
				return errTOTPReused
			}
			n.MFA.LastTOTPStep = step
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return s.mfaDone(ctx, p, c, u, st)
}

// wrongCode counts a wrong code typed in a session, which ends at the
// maxMFAAttempts-th, and returns the answer for it.
func (s *Service) wrongCode(session string) error {
	s.mu.Lock()
	if cur := s.sessions[session]; cur != nil {
		cur.attempts++
		if cur.attempts >= maxMFAAttempts {
			delete(s.sessions, session)
		}
	}
	s.mu.Unlock()
	return newErr(ErrCodeMismatch, msgCodeMismatch)
}

// respondMFASetup finishes MFA_SETUP once VerifySoftwareToken, called
// with the challenge's Session, accepted a code.
func (s *Service) respondMFASetup(ctx context.Context, p *pool, c *client, session string, r map[string]string) (*AuthResult, error) {
	st, u, err := s.sessionUser(ctx, p, c, session, challengeMFASetup)
	if err != nil {
		return nil, err
	}
	if !st.verified {
		return nil, newErr(ErrInvalidParameter, "Software token MFA has not been set up: call AssociateSoftwareToken and VerifySoftwareToken with this Session first.")
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	s.endSession(session)
	return s.mfaDone(ctx, p, c, u, st)
}
