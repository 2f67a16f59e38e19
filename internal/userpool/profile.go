package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// verificationCodeTTL is how long an attribute-verification code lasts
// (Cognito: 24 hours, as sign-up codes).
const verificationCodeTTL = 24 * time.Hour

// verifiable are the attributes a code verifies, with the medium it goes by.
var verifiable = map[string]string{"email": "EMAIL", "phone_number": "SMS"}

// requireVerificationBeforeUpdate lists the pool's
// UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate:
// email or phone_number changes that keep the old value until the new one
// is verified.
func (s *PoolSettings) requireVerificationBeforeUpdate(attr string) bool {
	var u struct {
		AttributesRequireVerificationBeforeUpdate []string
	}
	s.other("UserAttributeUpdateSettings", &u)
	return slices.Contains(u.AttributesRequireVerificationBeforeUpdate, attr)
}

// checkWritable refuses attributes the app client may not write: the
// *_verified flags always (only an administrator sets them), and anything
// outside the client's WriteAttributes when it names some.
func (c *client) checkWritable(attrs []string) error {
	for _, a := range attrs {
		if a == "email_verified" || a == "phone_number_verified" ||
			len(c.set.WriteAttributes) > 0 && !slices.Contains(c.set.WriteAttributes, a) {
			return newErr(ErrNotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	return nil
}

// authenticateClient is authenticate plus the app client the token was issued to.
func (s *Service) authenticateClient(ctx context.Context, token string) (*pool, *client, *User, error) {
	p, u, claims, err := s.authenticate(ctx, token)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := s.loadClient(ctx, claims.ClientID)
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, nil, nil, newErr(ErrNotAuthorized, "Invalid Access Token")
		}
		return nil, nil, nil, err
	}
	return p, c, u, nil
}

// UpdateUserAttributes changes the signed-in user's attributes. A changed
// email or phone number becomes unverified and, when the pool
// auto-verifies it, gets a code at the new address; with
// AttributesRequireVerificationBeforeUpdate the old value stays in force
// until the code is verified.
func (s *Service) UpdateUserAttributes(ctx context.Context, token string, attrs map[string]string) ([]*CodeDelivery, error) {
	p, c, u, err := s.authenticateClient(ctx, token)
	if err != nil {
		return nil, err
	}
	if len(attrs) == 0 {
		return nil, newErr(ErrInvalidParameter, "UserAttributes must not be empty.")
	}
	if err := c.checkWritable(slices.Sorted(maps.Keys(attrs))); err != nil {
		return nil, err
	}
	if err := p.set.checkAttributes(attrs, attrUpdate); err != nil {
		return nil, err
	}
	type send struct{ attr, dest, code string }
	var sends []send
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		sends = sends[:0]
		for name, v := range attrs {
			_, isContact := verifiable[name]
			if !isContact || n.Attributes[name] == v {
				if v == "" {
					delete(n.Attributes, name)
				} else {
					n.Attributes[name] = v
				}
				continue
			}
			if v == "" {
				delete(n.Attributes, name)
				delete(n.Attributes, name+"_verified")
				delete(n.PendingAttributes, name)
				delete(n.VerificationCodes, name)
				continue
			}
			auto := slices.Contains(p.set.AutoVerifiedAttributes, name)
			if auto && p.set.requireVerificationBeforeUpdate(name) && n.Attributes[name+"_verified"] == "true" {
				if n.PendingAttributes == nil {
					n.PendingAttributes = map[string]string{}
				}
				n.PendingAttributes[name] = v
			} else {
				n.Attributes[name] = v
				n.Attributes[name+"_verified"] = "false"
				delete(n.PendingAttributes, name)
			}
			if auto {
				code := newCode()
				if n.VerificationCodes == nil {
					n.VerificationCodes = map[string]*Code{}
				}
				n.VerificationCodes[name] = &Code{Code: code, ExpiresAt: s.now().Add(verificationCodeTTL)}
				sends = append(sends, send{name, v, code})
			}
		}
		return s.keepUsernameAttributes(p, u, n)
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(sends, func(i, j int) bool { return sends[i].attr < sends[j].attr })
	out := []*CodeDelivery{}
	for _, sd := range sends {
		d, err := s.deliver(ctx, u, "verification", verifiable[sd.attr], sd.attr, sd.dest, sd.code)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// keepUsernameAttributes refuses a change that would leave a user of a
// username-attribute pool without the attribute that signs them in.
func (s *Service) keepUsernameAttributes(p *pool, before, after *User) error {
	for _, a := range p.set.UsernameAttributes {
		if before.Attributes[a] != "" && after.Attributes[a] == "" {
			return newErr(ErrInvalidParameter, "Cannot remove the %s of a user whose username is the %s.", a, a)
		}
	}
	return nil
}

// GetUserAttributeVerificationCode sends a code that verifies the signed-in
// user's email or phone number (the pending new value, if one waits).
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, token, attr string) (*CodeDelivery, error) {
	p, _, u, err := s.authenticateClient(ctx, token)
	if err != nil {
		return nil, err
	}
	medium, ok := verifiable[attr]
	if !ok {
		return nil, newErr(ErrInvalidParameter, "Invalid attribute name: %s. Only email and phone_number can be verified.", attr)
	}
	dest := u.PendingAttributes[attr]
	if dest == "" {
		dest = u.Attributes[attr]
	}
	if dest == "" {
		return nil, newErr(ErrInvalidParameter, "User does not have the attribute %s.", attr)
	}
	code := newCode()
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		if n.VerificationCodes == nil {
			n.VerificationCodes = map[string]*Code{}
		}
		n.VerificationCodes[attr] = &Code{Code: code, ExpiresAt: s.now().Add(verificationCodeTTL)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, u, "verification", medium, attr, dest, code)
}

// VerifyUserAttribute checks a verification code and marks the attribute
// verified, putting a pending new value in force.
func (s *Service) VerifyUserAttribute(ctx context.Context, token, attr, code string) error {
	p, _, u, err := s.authenticateClient(ctx, token)
	if err != nil {
		return err
	}
	if _, ok := verifiable[attr]; !ok {
		return newErr(ErrInvalidParameter, "Invalid attribute name: %s. Only email and phone_number can be verified.", attr)
	}
	c := u.VerificationCodes[attr]
	switch {
	case c == nil:
		return newErr(ErrCodeMismatch, msgCodeMismatch)
	case c.Attempts >= maxCodeAttempts:
		return newErr(ErrLimitExceeded, msgTooManyAttempts)
	case !s.now().Before(c.ExpiresAt):
		return newErr(ErrExpiredCode, msgExpiredCode)
	case !constantEq(code, c.Code):
		_, err := s.updateUser(ctx, p, u, func(n *User) error {
			if vc := n.VerificationCodes[attr]; vc != nil {
				vc.Attempts++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return newErr(ErrCodeMismatch, msgCodeMismatch)
	}
	_, err = s.updateUser(ctx, p, u, func(n *User) error {
		if v, ok := n.PendingAttributes[attr]; ok {
			n.Attributes[attr] = v
			delete(n.PendingAttributes, attr)
		}
		n.Attributes[attr+"_verified"] = "true"
		delete(n.VerificationCodes, attr)
		return nil
	})
	return err
}

// DeleteUser deletes the signed-in user.
func (s *Service) DeleteUser(ctx context.Context, token string) error {
	p, u, _, err := s.authenticate(ctx, token)
	if err != nil {
		return err
	}
	return s.deleteUser(ctx, p, u)
}

// deleteUser removes a user, its refresh tokens and its access.
func (s *Service) deleteUser(ctx context.Context, p *pool, u *User) error {
	if err := s.store.RevokeRefreshTokens(ctx, p.ID, u.Username, ""); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	s.revokeUserAccess(p.ID, u.Username)
	if err := s.store.DeleteUser(ctx, p.ID, u.UsernameKey); err != nil {
		if errors.Is(err, ErrNotFound) {
			return newErr(ErrUserNotFound, msgUserNotExist)
		}
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// DeleteUserAttributes removes attributes of the signed-in user.
func (s *Service) DeleteUserAttributes(ctx context.Context, token string, names []string) error {
	p, c, u, err := s.authenticateClient(ctx, token)
	if err != nil {
		return err
	}
	if err := c.checkWritable(names); err != nil {
		return err
	}
	return s.deleteAttributes(ctx, p, u, names)
}

// AdminDeleteUserAttributes removes attributes of a user.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, poolID, username string, names []string) error {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	return s.deleteAttributes(ctx, p, u, names)
}

func (s *Service) deleteAttributes(ctx context.Context, p *pool, u *User, names []string) error {
	if len(names) == 0 {
		return newErr(ErrInvalidParameter, "UserAttributeNames must not be empty.")
	}
	for _, n := range names {
		if n == "sub" {
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
		}
		a, ok := p.set.attribute(n)
		switch {
		case !ok:
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: Attribute does not exist in the schema.", n)
		case !a.Mutable:
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", n)
		case a.Required:
			return newErr(ErrInvalidParameter, "Attributes did not conform to the schema: %s: The attribute %s is required", n, n)
		}
	}
	_, err := s.updateUser(ctx, p, u, func(n *User) error {
		for _, name := range names {
			delete(n.Attributes, name)
			if _, ok := verifiable[name]; ok {
				delete(n.Attributes, name+"_verified")
				delete(n.PendingAttributes, name)
				delete(n.VerificationCodes, name)
			}
		}
		return s.keepUsernameAttributes(p, u, n)
	})
	return err
}

// AdminResetUserPassword invalidates a user's password (RESET_REQUIRED)
// and sends a reset code to the verified email or phone, as ForgotPassword
// does; the user finishes with ConfirmForgotPassword.
func (s *Service) AdminResetUserPassword(ctx context.Context, poolID, username string) error {
	p, u, err := s.adminUser(ctx, poolID, username)
	if err != nil {
		return err
	}
	medium, attr, dest, ok := channel(&p.set, u.Attributes, true)
	if !ok {
		return newErr(ErrInvalidParameter, msgNoVerifiedTarget)
	}
	code := newCode()
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		n.ResetCode = &Code{Code: code, ExpiresAt: s.now().Add(resetCodeTTL)}
		if n.Status != "UNCONFIRMED" {
			n.Status = "RESET_REQUIRED"
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.deliver(ctx, u, "reset", medium, attr, dest, code)
	return err
}

// maxCustomAttributes is Cognito's limit of custom attributes per pool.
const maxCustomAttributes = 50

// AddCustomAttributes adds custom attributes to a pool's schema. Names are
// given without the custom: prefix, as the API takes them.
func (s *Service) AddCustomAttributes(ctx context.Context, poolID string, attrs []SchemaAttribute) error {
	if len(attrs) == 0 {
		return newErr(ErrInvalidParameter, "CustomAttributes must not be empty.")
	}
	s.schemaMu.Lock() // one schema change at a time: each reads and rewrites the whole schema
	defer s.schemaMu.Unlock()
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return err
	}
	custom := 0
	for _, a := range p.set.SchemaAttributes {
		if strings.HasPrefix(a.Name, "custom:") {
			custom++
		}
	}
	for i := range attrs {
		name := strings.TrimPrefix(attrs[i].Name, "custom:")
		if _, ok := p.set.attribute("custom:" + name); ok {
			return newErr(ErrInvalidParameter, "Existing attribute already has name custom:%s.", name)
		}
		// AddCustomAttributes only ever adds custom attributes, even
		// when the name is a standard one.
		attrs[i].Name = "custom:" + name
	}
	if custom+len(attrs) > maxCustomAttributes {
		return newErr(ErrInvalidParameter, "A user pool can have at most %d custom attributes.", maxCustomAttributes)
	}
	added, err := mergeSchema(attrs)
	if err != nil {
		return err
	}
	std := len(standardSchema())
	p.set.SchemaAttributes = append(p.set.SchemaAttributes, added[std:]...)
	raw, err := json.Marshal(p.set)
	if err != nil {
		return fmt.Errorf("encode pool settings: %w", err)
	}
	p.Settings = raw
	p.UpdatedAt = s.now()
	if err := s.store.UpdatePool(ctx, p.Pool); err != nil {
		return fmt.Errorf("update pool: %w", err)
	}
	return nil
}

// adminUser loads the pool and the user an administrator's request names.
func (s *Service) adminUser(ctx context.Context, poolID, username string) (*pool, *User, error) {
	p, u, err := s.poolUser(ctx, poolID, username)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}
