package userpool

import (
	"context"
	"errors"
	"fmt"
)

// ForgotPasswordInput is ForgotPassword's input.
type ForgotPasswordInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	ClientMetadata map[string]string
	SDK            string
}

// ForgotPassword sends a reset code to the user's verified email or phone,
// migrating the user first if the pool has a migration trigger and nobody
// matches the name.
func (s *Service) ForgotPassword(ctx context.Context, in ForgotPasswordInput) (*CodeDelivery, error) {
	p, c, err := s.loadClientPool(ctx, "", in.ClientID)
	if err != nil {
		return nil, err
	}
	if in.Username == "" {
		return nil, newErr(ErrInvalidParameter, "Username must not be empty.")
	}
	if err := c.checkSecretHash(in.SecretHash, in.Username); err != nil {
		return nil, err
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, sdk: in.SDK, meta: in.ClientMetadata})
	u, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if p.set.LambdaConfig.UserMigration != "" {
			d, err := s.migrateOnForgot(ctx, p, c, in.Username, in.ClientMetadata, in.SDK)
			if err != nil || d != nil {
				return d, err
			}
			// Created meanwhile: continue as for an existing user.
			if u, err = s.findUser(ctx, p, in.Username); err != nil {
				return nil, err
			}
		}
		if u == nil {
			if c.set.preventsExistenceErrors() {
				return simulatedDelivery(in.Username), nil
			}
			return nil, newErr(ErrUserNotFound, msgForgotNotFound)
		}
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	medium, attr, dest, ok := channel(&p.set, u.Attributes, true)
	if !ok {
		if c.set.preventsExistenceErrors() {
			return simulatedDelivery(in.Username), nil
		}
		return nil, newErr(ErrInvalidParameter, msgNoVerifiedTarget)
	}
	code := newCode()
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		n.ResetCode = &Code{Code: code, ExpiresAt: s.now().Add(resetCodeTTL)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, u, "reset", medium, attr, dest, code)
}

// ConfirmForgotPassword sets a new password with the reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, clientID, secretHash, username, code, password string) error {
	p, c, u, err := s.clientUser(ctx, clientID, secretHash, username)
	if err != nil {
		return err
	}
	if u == nil {
		return unknownForCode(c)
	}
	if err := p.set.checkPassword(password); err != nil {
		return err
	}
	if err := s.checkCode(ctx, p, u, true, code); err != nil {
		return err
	}
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		if n.ResetCode == nil || !constantEq(n.ResetCode.Code, code) {
			return newErr(ErrExpiredCode, msgExpiredCode)
		}
		v, err := newVerifier(p.ID, n.Username, password)
		if err != nil {
			return err
		}
		n.Password = v
		n.ResetCode = nil
		switch n.Status {
		case "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD":
			n.Status = "CONFIRMED"
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrExpiredCode) {
		return fmt.Errorf("confirm forgot password: %w", err)
	}
	if err != nil {
		return err
	}
	return s.postConfirmation(withTriggerCall(ctx, triggerCall{clientID: c.ID}), p, u, sourcePostConfirmationForgot)
}
