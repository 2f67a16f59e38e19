// Self-service sign-up: SignUp, ConfirmSignUp and ResendConfirmationCode.

package userpool

import (
	"context"
	"errors"
	"fmt"
	"maps"
)

// SignUpInput is SignUp's input.
type SignUpInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	Password       string
	Attributes     map[string]string
	ClientMetadata map[string]string
	ValidationData map[string]string
}

// SignUpResult is SignUp's output.
type SignUpResult struct {
	UserConfirmed bool
	UserSub       string
	Delivery      *CodeDelivery
	// Session, on a client that allows USER_AUTH, signs the user in once
	// confirmed (signup_signin.go).
	Session string
}

// SignUp registers a user (UNCONFIRMED) and sends a confirmation code to
// the auto-verified attribute, if any.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*SignUpResult, error) {
	p, c, err := s.loadClientPool(ctx, "", in.ClientID)
	if err != nil {
		return nil, err
	}
	if err := c.checkSecretHash(in.SecretHash, in.Username); err != nil {
		return nil, err
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, meta: in.ClientMetadata})
	if p.set.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		return nil, newErr(ErrNotAuthorized, "SignUp is not permitted for this user pool")
	}
	if in.Password == "" {
		return nil, newErr(ErrInvalidParameter, "Password must not be empty.")
	}
	if err := p.set.checkPassword(in.Password); err != nil {
		return nil, err
	}
	attrs := maps.Clone(in.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	// A signing-up user cannot claim verified attributes.
	delete(attrs, "email_verified")
	delete(attrs, "phone_number_verified")
	u, err := s.buildUser(p, newUserInput{typed: in.Username, attrs: attrs, status: "UNCONFIRMED",
		password: in.Password, origin: "signup", mode: attrCreate})
	if err != nil {
		return nil, err
	}
	confirmed, err := s.preSignUp(ctx, p, u, sourcePreSignUpSignUp, in.ValidationData)
	if err != nil {
		return nil, err
	}
	medium, attr, dest, ok := channel(&p.set, u.Attributes, false)
	ok = ok && !confirmed
	code := ""
	if ok {
		code = newCode()
		u.ConfirmationCode = &Code{Code: code, ExpiresAt: s.now().Add(confirmationCodeTTL)}
	}
	// Unverified aliases are inactive; only username attributes index now.
	if err := s.createUser(ctx, p, u, false); err != nil {
		return nil, err
	}
	res := &SignUpResult{UserSub: u.Sub, UserConfirmed: confirmed, Session: s.signUpSession(p, c, u)}
	if confirmed {
		return res, s.postConfirmation(ctx, p, u, sourcePostConfirmationSignUp)
	}
	if ok {
		d, err := s.deliver(ctx, u, "confirmation", medium, attr, dest, code)
		if err != nil {
			return nil, err
		}
		res.Delivery = d
	}
	return res, nil
}

// ConfirmSignUp confirms a signed-up user with the code sent to them and
// verifies the attribute it went to. On a client that allows USER_AUTH it
// returns a session that signs the user in (signup_signin.go); the
// SignUp's session, if given, is spent.
func (s *Service) ConfirmSignUp(ctx context.Context, in ConfirmSignUpInput) (string, error) {
	p, c, u, err := s.clientUser(ctx, in.ClientID, in.SecretHash, in.Username)
	if err != nil {
		return "", err
	}
	if u == nil {
		return "", unknownForCode(c)
	}
	if err := s.confirmSignUp(ctx, p, c, u, in.Code, in.ForceAliasCreation); err != nil {
		return "", err
	}
	s.spendSignUpSession(p, c, u, in.Session)
	return s.signUpSession(p, c, u), nil
}

// ConfirmSignUpInput is ConfirmSignUp's input.
type ConfirmSignUpInput struct {
	ClientID           string
	SecretHash         string
	Username           string
	Code               string
	ForceAliasCreation bool
	Session            string // SignUp's
}

// confirmSignUp confirms u, of client c of pool p, with code.
func (s *Service) confirmSignUp(ctx context.Context, p *pool, c *client, u *User, code string, forceAlias bool) error {
	var err error
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID})
	if u.Status != "UNCONFIRMED" {
		return newErr(ErrNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	if err := s.checkCode(ctx, p, u, false, code); err != nil {
		return err
	}
	_, attr, _, _ := channel(&p.set, u.Attributes, false)
	confirm := func(n *User) error {
		n.Status = "CONFIRMED"
		n.ConfirmationCode = nil
		if attr != "" {
			n.Attributes[attr+"_verified"] = "true"
		}
		return nil
	}
	if forceAlias {
		// ForceAliasCreation: the aliases this confirmation activates move
		// to this user, so their current holders lose them first.
		preview := cloneUser(u)
		_ = confirm(preview)
		preview.Aliases = p.set.aliases(preview.Attributes)
		if err := s.releaseAliases(ctx, p, preview); err != nil {
			return err
		}
	}
	if u, err = s.updateUser(ctx, p, u, confirm); err != nil {
		return err
	}
	return s.postConfirmation(ctx, p, u, sourcePostConfirmationSignUp)
}

// releaseAliases removes u's alias keys from any other user holding them
// (ForceAliasCreation on confirmation).
func (s *Service) releaseAliases(ctx context.Context, p *pool, u *User) error {
	for a, key := range u.Aliases {
		other, err := s.store.GetUserByAlias(ctx, p.ID, a, key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("get user by alias: %w", err)
		}
		if other.UsernameKey == u.UsernameKey {
			continue
		}
		if _, err := s.updateUser(ctx, p, other, func(n *User) error {
			if a != "preferred_username" {
				n.Attributes[a+"_verified"] = "false"
			} else {
				delete(n.Attributes, a)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// ResendConfirmationCode sends a new confirmation code.
func (s *Service) ResendConfirmationCode(ctx context.Context, clientID, secretHash, username string) (*CodeDelivery, error) {
	p, c, u, err := s.clientUser(ctx, clientID, secretHash, username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if c.set.preventsExistenceErrors() {
			return simulatedDelivery(username), nil
		}
		return nil, newErr(ErrUserNotFound, msgForgotNotFound)
	}
	if u.Status != "UNCONFIRMED" {
		return nil, newErr(ErrInvalidParameter, "User is already confirmed.")
	}
	medium, attr, dest, ok := channel(&p.set, u.Attributes, false)
	if !ok {
		return nil, newErr(ErrInvalidParameter, "Auto verification not turned on.")
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, source: sourceMessageResendCode})
	code := newCode()
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		n.ConfirmationCode = &Code{Code: code, ExpiresAt: s.now().Add(confirmationCodeTTL)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, u, "confirmation", medium, attr, dest, code)
}
