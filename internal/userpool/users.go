package userpool

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/srp"
)

func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func secretHash(clientID, secret, username string) string {
	return srp.SecretHash(clientID, secret, username)
}

// findUser resolves what a caller typed as a username: the username
// itself, then (in pools that have them) the email, phone and
// preferred_username sign-in aliases. It returns nil, nil when nobody
// matches.
func (s *Service) findUser(ctx context.Context, p *pool, typed string) (*User, error) {
	if typed == "" {
		return nil, nil
	}
	u, err := s.store.GetUser(ctx, p.ID, p.set.usernameKey(typed))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("get user: %w", err)
	}
	for _, a := range aliasNames {
		if !p.set.signInAttr(a) {
			continue
		}
		if a == "email" && !looksLikeEmail(typed) || a == "phone_number" && !looksLikePhone(typed) {
			continue
		}
		u, err := s.store.GetUserByAlias(ctx, p.ID, a, p.set.aliasKey(a, typed))
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("get user by alias: %w", err)
		}
	}
	return nil, nil
}

// clientUser authenticates an unsigned, client-facing request — the app
// client, its secret hash — and finds the user it names; u is nil when no
// user or alias matches.
func (s *Service) clientUser(ctx context.Context, clientID, secretHash, username string) (p *pool, c *client, u *User, err error) {
	p, c, err = s.loadClientPool(ctx, "", clientID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.checkSecretHash(secretHash, username); err != nil {
		return nil, nil, nil, err
	}
	u, err = s.findUser(ctx, p, username)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, c, u, nil
}

// unknownForCode is the answer to a code for a user who does not exist
// (ConfirmSignUp, ConfirmForgotPassword): a code mismatch when the client
// hides whether users exist, else UserNotFoundException with Cognito's
// "Username/client id combination not found."
func unknownForCode(c *client) error {
	if c.set.preventsExistenceErrors() {
		return newErr(ErrCodeMismatch, msgCodeMismatch)
	}
	return newErr(ErrUserNotFound, msgForgotNotFound)
}

// mustFindUser resolves the Username of an administrator's request: the
// username or a sign-in alias (findUser), then the user's sub, which
// Cognito accepts as the username of every admin operation (in pools whose
// usernames are email or phone the username already is the sub). It
// answers Cognito's UserNotFoundException when nothing matches.
func (s *Service) mustFindUser(ctx context.Context, p *pool, typed string) (*User, error) {
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Username must not be empty.")
	}
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if u == nil && uuid.Validate(typed) == nil {
		u, err = s.store.GetUserBySub(ctx, p.ID, strings.ToLower(typed))
		if errors.Is(err, ErrNotFound) {
			u, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get user by sub: %w", err)
		}
	}
	if u == nil {
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	return u, nil
}

// maxUpdateRetries bounds optimistic-concurrency retries of one update.
const maxUpdateRetries = 5

// updateUser applies change to the user and stores it, re-reading and
// re-applying on a concurrent update.
func (s *Service) updateUser(ctx context.Context, p *pool, u *User, change func(*User) error) (*User, error) {
	for range maxUpdateRetries {
		next := cloneUser(u)
		if err := change(next); err != nil {
			return nil, err
		}
		next.Aliases = p.set.aliases(next.Attributes)
		next.UpdatedAt = s.now()
		err := s.store.UpdateUser(ctx, next)
		switch {
		case err == nil:
			return next, nil
		case errors.Is(err, ErrConflict):
			fresh, gerr := s.store.GetUser(ctx, p.ID, u.UsernameKey)
			if gerr != nil {
				return nil, fmt.Errorf("reload user: %w", gerr)
			}
			u = fresh
		case errors.Is(err, ErrAliasExists):
			return nil, aliasExists(next, p, false)
		case errors.Is(err, ErrNotFound):
			return nil, newErr(ErrUserNotFound, msgUserNotExist)
		default:
			return nil, fmt.Errorf("update user: %w", err)
		}
	}
	// TooManyRequestsException: every operation that updates users lists
	// it, and the SDKs retry it as throttling.
	return nil, newErr(ErrTooManyRequests, "Too many concurrent updates of the user, please retry.")
}

// aliasExists is the refusal of an alias held by another user. Creating a
// user whose username attribute is taken is UsernameExistsException;
// updating one to a taken address is AliasExistsException, the only one of
// the two the service model lists for the update operations.
func aliasExists(u *User, p *pool, creating bool) error {
	attr := "email"
	if _, ok := u.Aliases["email"]; !ok {
		for a := range u.Aliases {
			attr = a
		}
	}
	if !p.set.usernameAttr(attr) {
		return newErr(ErrAliasExists, "An account with the %s already exists.", attr)
	}
	if creating {
		return newErr(ErrUsernameExists, "An account with the given %s already exists.", attr)
	}
	return newErr(ErrAliasExists, "An account with the given %s already exists.", attr)
}

func cloneUser(u *User) *User {
	c := *u
	c.Attributes = maps.Clone(u.Attributes)
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	c.Aliases = maps.Clone(u.Aliases)
	if u.Password != nil {
		v := *u.Password
		c.Password = &v
	}
	if u.ConfirmationCode != nil {
		v := *u.ConfirmationCode
		c.ConfirmationCode = &v
	}
	if u.ResetCode != nil {
		v := *u.ResetCode
		c.ResetCode = &v
	}
	c.VerificationCodes = cloneCodes(u.VerificationCodes)
	c.PendingAttributes = maps.Clone(u.PendingAttributes)
	return &c
}

// cloneCodes deep-copies a map of codes.
func cloneCodes(in map[string]*Code) map[string]*Code {
	if in == nil {
		return nil
	}
	out := make(map[string]*Code, len(in))
	for k, v := range in {
		c := *v
		out[k] = &c
	}
	return out
}

// newUserInput describes a user to create.
type newUserInput struct {
	typed    string // the username as given (may be an email in username-attribute pools)
	attrs    map[string]string
	status   string
	password string // "" for none
	origin   string
	steal    bool
	mode     attrMode
}

// buildUser validates and assembles a new user without storing it.
func (s *Service) buildUser(p *pool, in newUserInput) (*User, error) {
	attrs := maps.Clone(in.attrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	username := in.typed
	if username == "" {
		return nil, newErr(ErrInvalidParameter, "Username must not be empty.")
	}
	if len(username) > 128 || strings.ContainsAny(username, " \t\r\n") && len(p.set.UsernameAttributes) == 0 {
		return nil, newErr(ErrInvalidParameter, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
	sub := uuid.NewString()
	if len(p.set.UsernameAttributes) > 0 {
		switch {
		case p.set.usernameAttr("email") && looksLikeEmail(username):
			if attrs["email"] != "" && !strings.EqualFold(attrs["email"], username) {
				return nil, newErr(ErrInvalidParameter, "Email attribute must match the username.")
			}
			attrs["email"] = username
		case p.set.usernameAttr("phone_number") && looksLikePhone(username):
			if attrs["phone_number"] != "" && attrs["phone_number"] != username {
				return nil, newErr(ErrInvalidParameter, "Phone number attribute must match the username.")
			}
			attrs["phone_number"] = username
		default:
			what := "an email"
			if !p.set.usernameAttr("email") {
				what = "a phone number"
			} else if p.set.usernameAttr("phone_number") {
				what = "an email or a phone number"
			}
			return nil, newErr(ErrInvalidParameter, "Username should be %s.", what)
		}
		username = sub
	} else {
		if p.set.aliasAttr("email") && looksLikeEmail(username) {
			return nil, newErr(ErrInvalidParameter, "Username cannot be of email format, since user pool is configured for email alias.")
		}
		if p.set.aliasAttr("phone_number") && looksLikePhone(username) {
			return nil, newErr(ErrInvalidParameter, "Username cannot be of phone number format, since user pool is configured for phone number alias.")
		}
	}
	if err := p.set.checkAttributes(attrs, in.mode); err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{PoolID: p.ID, Username: username, UsernameKey: p.set.usernameKey(username), Sub: sub,
		Status: in.status, Enabled: true, Attributes: attrs, Origin: in.origin, CreatedAt: now, UpdatedAt: now}
	u.Aliases = p.set.aliases(attrs)
	if in.password != "" {
		v, err := newVerifier(p.ID, username, in.password)
		if err != nil {
			return nil, err
		}
		u.Password = v
	}
	return u, nil
}

// createUser stores a built user, mapping store conflicts to Cognito's.
func (s *Service) createUser(ctx context.Context, p *pool, u *User, steal bool) error {
	err := s.store.CreateUser(ctx, u, CreateUserOptions{StealAliases: steal})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrExists):
		return newErr(ErrUsernameExists, "User already exists")
	case errors.Is(err, ErrAliasExists):
		return aliasExists(u, p, true)
	default:
		return fmt.Errorf("create user: %w", err)
	}
}

// checkCode checks a one-time code (the confirmation code, or the reset
// code when reset is set). A wrong code is recorded as a failed attempt;
// after maxCodeAttempts the code is refused even when right.
func (s *Service) checkCode(ctx context.Context, p *pool, u *User, reset bool, code string) error {
	c := u.ConfirmationCode
	if reset {
		c = u.ResetCode
	}
	if c == nil {
		return newErr(ErrExpiredCode, msgExpiredCode)
	}
	if c.Attempts >= maxCodeAttempts {
		return newErr(ErrTooManyFailedAttempts, msgTooManyAttempts)
	}
	if !s.now().Before(c.ExpiresAt) {
		return newErr(ErrExpiredCode, msgExpiredCode)
	}
	if constantEq(code, c.Code) {
		return nil
	}
	_, err := s.updateUser(ctx, p, u, func(n *User) error {
		if reset && n.ResetCode != nil {
			n.ResetCode.Attempts++
		} else if !reset && n.ConfirmationCode != nil {
			n.ConfirmationCode.Attempts++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return newErr(ErrCodeMismatch, msgCodeMismatch)
}
