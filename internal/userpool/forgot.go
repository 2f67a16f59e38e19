package userpool

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/internal/timing"
)

// ForgotPasswordInput is ForgotPassword's input.
type ForgotPasswordInput struct {
	ClientID       string
	SecretHash     string
	Username       string
	ClientMetadata map[string]string
	SDK            string
}

// Classes of forgot-password answers for the padding floor, by the work
// each does: nobody found (the trigger, if any, said no), a user migrated
// by the trigger and sent a code, a user already in the pool sent a code.
const (
	forgotMissed = iota
	forgotMigrated
	forgotExisting
)

// ForgotPassword sends a reset code to the user's verified email or phone,
// migrating the user first if the pool has a migration trigger and nobody
// matches the name.
//
// Every code delivery it answers, real or simulated (an unknown name, a
// user with no verified channel, behind a client that prevents existence
// errors), is padded to its pool's floor (timing.Floor: a quarter above
// the dearest class's median), so that its time does not tell an unknown
// name from a legacy user the trigger migrates or a user already in the
// pool. Each pool learns its own floor: one pool's slow trigger neither
// slows another's answers nor hides in them. Errors are not padded: they
// tell themselves apart.
func (s *Service) ForgotPassword(ctx context.Context, in ForgotPasswordInput) (*CodeDelivery, error) {
	start := time.Now()
	p, c, err := s.loadClientPool(ctx, "", in.ClientID)
	if err != nil {
		return nil, err
	}
	d, class, err := s.forgotPassword(ctx, p, c, in)
	if err == nil {
		s.forgotFloor(p.ID).Pad(ctx, start, class)
	}
	return d, err
}

// forgotFloor is the padding floor of the pool with id poolID.
func (s *Service) forgotFloor(poolID string) *timing.Floor {
	s.floorsMu.Lock()
	defer s.floorsMu.Unlock()
	f := s.forgotFloors[poolID]
	if f == nil {
		if s.forgotFloors == nil {
			s.forgotFloors = map[string]*timing.Floor{}
		}
		f = new(timing.Floor)
		s.forgotFloors[poolID] = f
	}
	return f
}

// forgotPassword is ForgotPassword without the padding, for client c of
// pool p; it also returns the answer's class (timing.Unobserved for one
// whose cost says nothing of any class's).
func (s *Service) forgotPassword(ctx context.Context, p *pool, c *client, in ForgotPasswordInput) (*CodeDelivery, int, error) {
	if in.Username == "" {
		return nil, timing.Unobserved, newErr(ErrInvalidParameter, "Username must not be empty.")
	}
	if err := c.checkSecretHash(in.SecretHash, in.Username); err != nil {
		return nil, timing.Unobserved, err
	}
	ctx = withTriggerCall(ctx, triggerCall{clientID: c.ID, sdk: in.SDK, meta: in.ClientMetadata})
	u, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, timing.Unobserved, err
	}
	if u == nil {
		if p.set.LambdaConfig.UserMigration != "" {
			d, err := s.migrateOnForgot(ctx, p, c, in.Username, in.ClientMetadata, in.SDK)
			if err != nil {
				return nil, timing.Unobserved, err
			}
			// Migrated (or created meanwhile), or refused: the pool says
			// which, and either way the answer has paid for asking.
			if u, err = s.findUser(ctx, p, in.Username); err != nil {
				return nil, timing.Unobserved, err
			}
			if d != nil {
				if u == nil {
					return d, forgotMissed, nil
				}
				return d, forgotMigrated, nil
			}
		}
		if u == nil {
			if c.set.preventsExistenceErrors() {
				return simulatedDelivery(in.Username), forgotMissed, nil
			}
			return nil, timing.Unobserved, newErr(ErrUserNotFound, msgForgotNotFound)
		}
	}
	if !u.Enabled {
		return nil, timing.Unobserved, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	medium, attr, dest, ok := channel(&p.set, u.Attributes, true)
	if !ok {
		if c.set.preventsExistenceErrors() {
			return simulatedDelivery(in.Username), timing.Unobserved, nil
		}
		return nil, timing.Unobserved, newErr(ErrInvalidParameter, msgNoVerifiedTarget)
	}
	code := newCode()
	u, err = s.updateUser(ctx, p, u, func(n *User) error {
		n.ResetCode = &Code{Code: code, ExpiresAt: s.now().Add(resetCodeTTL)}
		return nil
	})
	if err != nil {
		return nil, timing.Unobserved, err
	}
	d, err := s.deliver(ctx, u, "reset", medium, attr, dest, code)
	return d, forgotExisting, err
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
