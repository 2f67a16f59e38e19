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
	res := &SignUpResult{UserSub: u.Sub, UserConfirmed: confirmed}
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

// ConfirmSignUp confirms a signed-up user with the code sent to them and
// verifies the attribute it went to.
func (s *Service) ConfirmSignUp(ctx context.Context, clientID, secretHash, username, code string, forceAlias bool) error {
	p, c, u, err := s.clientUser(ctx, clientID, secretHash, username)
	if err != nil {
		return err
	}
	if u == nil {
		return unknownForCode(c)
	}
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

// AdminCreateUserInput is AdminCreateUser's input.
type AdminCreateUserInput struct {
	PoolID                 string
	Username               string
	Attributes             map[string]string
	TemporaryPassword      string
	ForceAliasCreation     bool
	MessageAction          string // "", RESEND, SUPPRESS
	DesiredDeliveryMediums []string
	ClientMetadata         map[string]string
	ValidationData         map[string]string
}

// AdminCreateUser creates a user in FORCE_CHANGE_PASSWORD with a temporary
// password and, unless suppressed, sends the invitation.
func (s *Service) AdminCreateUser(ctx context.Context, in AdminCreateUserInput) (*User, error) {
	p, err := s.loadPool(ctx, in.PoolID)
	if err != nil {
		return nil, err
	}
	ctx = withTriggerCall(ctx, triggerCall{meta: in.ClientMetadata})
	for _, m := range in.DesiredDeliveryMediums {
		if m != "EMAIL" && m != "SMS" {
			return nil, newErr(ErrInvalidParameter, "Invalid DesiredDeliveryMediums value: %s", m)
		}
	}
	switch in.MessageAction {
	case "", "SUPPRESS", "RESEND":
	default:
		return nil, newErr(ErrInvalidParameter, "Invalid MessageAction value: %s", in.MessageAction)
	}
	temp := in.TemporaryPassword
	if temp != "" {
		if err := p.set.checkPassword(temp); err != nil {
			return nil, err
		}
	} else {
		temp = temporaryPassword(p.set.Policies.PasswordPolicy)
	}
	if in.MessageAction == "RESEND" {
		u, err := s.mustFindUser(ctx, p, in.Username)
		if err != nil {
			return nil, err
		}
		if u.Status != "FORCE_CHANGE_PASSWORD" {
			return nil, newErr(ErrUnsupportedUserState, "Resend not possible. %s has status %s instead of FORCE_CHANGE_PASSWORD", in.Username, u.Status)
		}
		u, err = s.updateUser(ctx, p, u, func(n *User) error {
			v, err := newVerifier(p.ID, n.Username, temp)
			n.Password = v
			return err
		})
		if err != nil {
			return nil, err
		}
		return u, s.invite(ctx, p, u, temp, in.DesiredDeliveryMediums)
	}
	u, err := s.buildUser(p, newUserInput{typed: in.Username, attrs: in.Attributes, status: "FORCE_CHANGE_PASSWORD",
		password: temp, origin: "admin", mode: attrCreate})
	if err != nil {
		return nil, err
	}
	if _, err := s.preSignUp(ctx, p, u, sourcePreSignUpAdminCreateUser, in.ValidationData); err != nil {
		return nil, err
	}
	if err := s.createUser(ctx, p, u, in.ForceAliasCreation); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == ErrUsernameExists && e.Message == "User already exists" {
			return nil, newErr(ErrUsernameExists, "User account already exists")
		}
		return nil, err
	}
	if in.MessageAction != "SUPPRESS" {
		if err := s.invite(ctx, p, u, temp, in.DesiredDeliveryMediums); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// invite delivers the temporary password over the requested mediums
// (default SMS, as Cognito's).
func (s *Service) invite(ctx context.Context, p *pool, u *User, temp string, mediums []string) error {
	if len(mediums) == 0 {
		mediums = []string{"SMS"}
	}
	for _, m := range mediums {
		attr := "phone_number"
		if m == "EMAIL" {
			attr = "email"
		}
		dest := u.Attributes[attr]
		if dest == "" {
			continue
		}
		if _, err := s.deliver(ctx, u, "invitation", m, attr, dest, temp); err != nil {
			return err
		}
	}
	return nil
}

// temporaryPassword draws a password that satisfies the policy.
func temporaryPassword(p PasswordPolicy) string {
	n := max(p.MinimumLength, 12)
	return randomString("ABCDEFGHJKLMNPQRSTUVWXYZ", 2) + randomString("abcdefghijkmnpqrstuvwxyz", n-6) +
		randomString("23456789", 2) + randomString("!#%&*+-=", 2)
}

// AdminGetUser returns a user by username or alias.
func (s *Service) AdminGetUser(ctx context.Context, poolID, username string) (*User, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return s.mustFindUser(ctx, p, username)
}

// AdminDeleteUser deletes a user and revokes its refresh tokens.
func (s *Service) AdminDeleteUser(ctx context.Context, poolID, username string) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return err
	}
	return s.deleteUser(ctx, p, u)
}

// AdminSetUserPassword sets a user's password, permanent (CONFIRMED) or
// temporary (FORCE_CHANGE_PASSWORD).
func (s *Service) AdminSetUserPassword(ctx context.Context, poolID, username, password string, permanent bool) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	if err := p.set.checkPassword(password); err != nil {
		return err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return err
	}
	_, err = s.updateUser(ctx, p, u, func(n *User) error {
		v, err := newVerifier(p.ID, n.Username, password)
		if err != nil {
			return err
		}
		n.Password = v
		n.ResetCode = nil
		if permanent {
			n.Status = "CONFIRMED"
		} else {
			n.Status = "FORCE_CHANGE_PASSWORD"
		}
		return nil
	})
	return err
}

// AdminUpdateUserAttributes changes attributes. Changing email or phone
// un-verifies it unless the same call sets its *_verified.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, poolID, username string, attrs map[string]string) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	if len(attrs) == 0 {
		return newErr(ErrInvalidParameter, "UserAttributes must not be empty.")
	}
	if err := p.set.checkAttributes(attrs, attrUpdate); err != nil {
		return err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return err
	}
	_, err = s.updateUser(ctx, p, u, func(n *User) error {
		for name, v := range attrs {
			if (name == "email" || name == "phone_number") && n.Attributes[name] != v {
				if _, set := attrs[name+"_verified"]; !set {
					n.Attributes[name+"_verified"] = "false"
				}
			}
			if v == "" {
				delete(n.Attributes, name)
			} else {
				n.Attributes[name] = v
			}
		}
		return s.keepUsernameAttributes(p, u, n)
	})
	return err
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code.
func (s *Service) AdminConfirmSignUp(ctx context.Context, poolID, username string) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return err
	}
	if u.Status != "UNCONFIRMED" {
		return newErr(ErrNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		n.Status = "CONFIRMED"
		n.ConfirmationCode = nil
		return nil
	})
	if err != nil {
		return err
	}
	return s.postConfirmation(ctx, p, u, sourcePostConfirmationSignUp)
}

// AdminSetUserEnabled enables or disables a user. Disabling also signs the
// user out everywhere, as Cognito does.
func (s *Service) AdminSetUserEnabled(ctx context.Context, poolID, username string, enabled bool) error {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return err
	}
	if _, err := s.updateUser(ctx, p, u, func(n *User) error {
		n.Enabled = enabled
		return nil
	}); err != nil {
		return err
	}
	if !enabled {
		if err := s.store.RevokeRefreshTokens(ctx, p.ID, u.Username, ""); err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		s.revokeUserAccess(p.ID, u.Username)
	}
	return nil
}

// ListUsers lists a pool's users, optionally filtered (Cognito's Filter
// grammar: attribute, = or ^=, a quoted value).
func (s *Service) ListUsers(ctx context.Context, poolID, filter string, limit int, token string) ([]*User, string, error) {
	if _, err := s.loadPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	if limit == 0 {
		limit = 60
	}
	if limit < 1 || limit > 60 {
		return nil, "", newErr(ErrInvalidParameter, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", limit)
	}
	q, err := ParseFilter(filter)
	if err != nil {
		return nil, "", err
	}
	q.Limit = limit
	q.After = token
	users, next, err := s.store.ListUsers(ctx, poolID, q)
	if errors.Is(err, ErrInvalidCursor) {
		return nil, "", newErr(ErrInvalidParameter, "Invalid pagination token.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	return users, next, nil
}
