// The administrator's user actions: AdminCreateUser (with its invitation),
// AdminGetUser, AdminDeleteUser, AdminSetUserPassword,
// AdminUpdateUserAttributes, AdminConfirmSignUp, AdminEnableUser /
// AdminDisableUser and ListUsers.

package userpool

import (
	"context"
	"errors"
	"fmt"
)

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
	_, u, err := s.poolUser(ctx, poolID, username)
	return u, err
}

// poolUser loads the pool and the user an admin operation names (by
// username, alias or sub, as mustFindUser resolves it).
func (s *Service) poolUser(ctx context.Context, poolID, username string) (*pool, *User, error) {
	p, err := s.loadPool(ctx, poolID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.mustFindUser(ctx, p, username)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// AdminDeleteUser deletes a user and revokes its refresh tokens.
func (s *Service) AdminDeleteUser(ctx context.Context, poolID, username string) error {
	p, u, err := s.poolUser(ctx, poolID, username)
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
	p, u, err := s.poolUser(ctx, poolID, username)
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
	p, u, err := s.poolUser(ctx, poolID, username)
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
