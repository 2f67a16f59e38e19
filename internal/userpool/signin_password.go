// The password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH): the
// user's lookup, with the migration trigger for an unknown one, the sign-in
// state and password checks, and what follows a right password.

package userpool

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

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
