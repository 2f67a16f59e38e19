// TOTP enrolment: AssociateSoftwareToken and VerifySoftwareToken, by access
// token or by the session of an MFA_SETUP challenge.

package userpool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

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
