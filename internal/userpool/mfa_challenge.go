// The MFA challenges of a sign-in: SMS_MFA, SOFTWARE_TOKEN_MFA, email MFA's
// EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP, and their answers.

package userpool

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// mfaChallenge is the MFA step of a sign-in whose password is proven: the
// user's factor's challenge (SELECT_MFA_TYPE when the user has more than
// one and prefers none), MFA_SETUP in a pool that requires MFA from a
// user without a factor, or nil for no MFA. The factors are SMS_MFA,
// SOFTWARE_TOKEN_MFA and email MFA, whose challenge is EMAIL_OTP.
func (s *Service) mfaChallenge(ctx context.Context, p *pool, c *client, u *User) (*AuthResult, error) {
	can, preferred := mfaChoices(p, u)
	if preferred != "" {
		return s.startMFA(ctx, p, c, u, preferred)
	}
	_, poolTOTP, _ := p.set.mfaFactors()
	switch {
	case len(can) == 1:
		return s.startMFA(ctx, p, c, u, can[0])
	case len(can) > 1:
		list, err := json.Marshal(can)
		if err != nil {
			return nil, fmt.Errorf("encode MFAS_CAN_CHOOSE: %w", err)
		}
		return &AuthResult{ChallengeName: challengeSelectMFA, Session: s.newChallengeSession(p, c, u, challengeSelectMFA, nil),
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.Username, "MFAS_CAN_CHOOSE": string(list)}}, nil
	case p.set.MfaConfiguration == "ON" && poolTOTP:
		list, err := json.Marshal([]string{challengeTOTPMFA})
		if err != nil {
			return nil, fmt.Errorf("encode MFAS_CAN_SETUP: %w", err)
		}
		return &AuthResult{ChallengeName: challengeMFASetup, Session: s.newChallengeSession(p, c, u, challengeMFASetup, nil),
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": u.Username, "MFAS_CAN_SETUP": string(list)}}, nil
	}
	return nil, nil
}

// mfaChoices are the MFA factors u signs in with, in the order
// SELECT_MFA_TYPE lists them, and the one u prefers among them ("" for
// none). In a pool that requires MFA, a user with no factor turned on
// has the one they can receive already: SMS with a phone number, else
// email with a verified address.
func mfaChoices(p *pool, u *User) (can []string, preferred string) {
	poolSMS, poolTOTP, poolEmail := p.set.mfaFactors()
	phone, email := u.Attributes["phone_number"], u.Attributes["email"]
	sms := poolSMS && u.MFA.SMSEnabled && phone != ""
	totp := poolTOTP && u.MFA.TOTPEnabled && u.MFA.TOTPSecret != ""
	mail := poolEmail && u.MFA.EmailEnabled && email != ""
	if p.set.MfaConfiguration == "ON" && !sms && !totp && !mail {
		switch {
		case poolSMS && phone != "":
			sms = true
		case poolEmail && email != "" && u.Attributes["email_verified"] == "true":
			mail = true
		}
	}
	for _, f := range []struct {
		on, preferred bool
		name          string
	}{
		{sms, u.MFA.SMSPreferred, challengeSMSMFA},
		{totp, u.MFA.TOTPPreferred, challengeTOTPMFA},
		{mail, u.MFA.EmailPreferred, challengeEmailOTP},
	} {
		if f.on {
			can = append(can, f.name)
			if f.preferred {
				preferred = f.name
			}
		}
	}
	return can, preferred
}

// usesMFA reports whether u's password sign-ins go on to MFA: the pool
// requires it, or offers a factor u has turned on.
func usesMFA(p *pool, u *User) bool {
	if p.set.MfaConfiguration == "ON" {
		return true
	}
	sms, totp, email := p.set.mfaFactors()
	return sms && u.MFA.SMSEnabled || totp && u.MFA.TOTPEnabled || email && u.MFA.EmailEnabled
}

// startMFA issues the SOFTWARE_TOKEN_MFA, SMS_MFA or (email MFA) EMAIL_OTP
// challenge; for SMS and email it sends the code.
func (s *Service) startMFA(ctx context.Context, p *pool, c *client, u *User, name string) (*AuthResult, error) {
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	var pending *Code
	if name == challengeTOTPMFA {
		params["FRIENDLY_DEVICE_NAME"] = u.MFA.TOTPDeviceName
	} else {
		medium := "SMS"
		if name == challengeEmailOTP {
			medium = "EMAIL"
		}
		var err error
		if pending, err = s.sendSignInCode(ctx, c, u, medium, params); err != nil {
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
	if can, _ := mfaChoices(p, u); !slices.Contains(can, answer) {
		return nil, newErr(ErrInvalidParameter, "ANSWER must be one of MFAS_CAN_CHOOSE: %s.", strings.Join(can, ", "))
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
