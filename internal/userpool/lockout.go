package userpool

import (
	"context"
	"time"
)

// Cognito's lockout of repeated wrong passwords: five failures are
// allowed; after the n-th (n > 5) the user is locked out for 2^(n-5)
// seconds, at most about 15 minutes. A sign-in during a lockout answers
// "Password attempts exceeded" without looking at the password and does
// not count. A success after the lockout, or 15 minutes without a failure,
// starts the count again.
const (
	lockoutFreeFailures = 5
	lockoutMax          = 15 * time.Minute
	lockoutReset        = 15 * time.Minute
	msgAttemptsExceeded = "Password attempts exceeded"
)

// lockoutFor is the lockout after the n-th consecutive failure.
func lockoutFor(n int) time.Duration {
	if n <= lockoutFreeFailures {
		return 0
	}
	if n-lockoutFreeFailures >= 10 { // 2^10 s is past the cap already
		return lockoutMax
	}
	return min(time.Duration(1<<(n-lockoutFreeFailures))*time.Second, lockoutMax)
}

// failures is the user's current count of failures, zero once the reset
// interval has passed without one.
func (s *Service) failures(u *User) int {
	if u.FailedSignIns == 0 || !s.now().Before(u.LastFailedSignIn.Add(lockoutReset)) {
		return 0
	}
	return u.FailedSignIns
}

// checkLockout refuses a sign-in while the user is locked out.
func (s *Service) checkLockout(u *User) error {
	n := s.failures(u)
	if n > lockoutFreeFailures && s.now().Before(u.LastFailedSignIn.Add(lockoutFor(n))) {
		return newErr(ErrNotAuthorized, msgAttemptsExceeded)
	}
	return nil
}

// wrongPassword counts a failed sign-in and returns its answer.
func (s *Service) wrongPassword(ctx context.Context, p *pool, u *User) error {
	if _, err := s.updateUser(ctx, p, u, func(n *User) error {
		n.FailedSignIns = s.failures(n) + 1
		n.LastFailedSignIn = s.now()
		return nil
	}); err != nil {
		return err
	}
	return errIncorrect()
}

// rightPassword clears the user's failures after a successful sign-in.
func (s *Service) rightPassword(ctx context.Context, p *pool, u *User) (*User, error) {
	if u.FailedSignIns == 0 {
		return u, nil
	}
	return s.updateUser(ctx, p, u, func(n *User) error {
		n.FailedSignIns, n.LastFailedSignIn = 0, time.Time{}
		return nil
	})
}
