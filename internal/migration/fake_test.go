package migration_test

import (
	"context"
	"crypto/subtle"
	"errors"
	"sync"
	"time"

	"github.com/ferry-migrate/ferry/internal/source"
)

// fakeUser is a legacy user of fakeSource with its plaintext password.
type fakeUser struct {
	user     source.User
	password string
	disabled bool
}

// fakeSource is a legacy directory in memory. Like a real source it
// performs one verification for every Authenticate call, a dummy one for an
// unknown user, and counts them.
type fakeSource struct {
	users map[string]fakeUser // by username and email
	fault error

	mu         sync.Mutex
	verifies   int
	stored     int // verifications against a real user's stored password
	lookups    int
	names      []string
	marked     []string
	markFault  error
	deadlineOK bool

	// lookupDelay is how long Lookup takes to find a user: a slow
	// directory, for tests that time the answers.
	lookupDelay time.Duration
}

func (s *fakeSource) verify(stored, password string) bool {
	s.mu.Lock()
	s.verifies++
	s.mu.Unlock()
	return subtle.ConstantTimeCompare([]byte(stored), []byte(password)) == 1
}

func (s *fakeSource) find(ctx context.Context, name string) (fakeUser, bool) {
	s.mu.Lock()
	s.names = append(s.names, name)
	if _, ok := ctx.Deadline(); ok {
		s.deadlineOK = true
	}
	s.mu.Unlock()
	u, ok := s.users[name]
	return u, ok
}

func (s *fakeSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	if s.fault != nil {
		return nil, s.fault
	}
	u, ok := s.find(ctx, name)
	if !ok {
		s.verify("dummy-hash-of-equal-cost", password)
		return nil, source.ErrUserNotFound
	}
	match := s.verify(u.password, password)
	s.mu.Lock()
	s.stored++
	s.mu.Unlock()
	switch {
	case u.disabled:
		return nil, source.ErrUserDisabled
	case password == "" || !match:
		return nil, source.ErrInvalidPassword
	}
	cp := u.user
	return &cp, nil
}

func (s *fakeSource) Lookup(ctx context.Context, name string) (*source.User, error) {
	if s.fault != nil {
		return nil, s.fault
	}
	s.mu.Lock()
	s.lookups++
	s.mu.Unlock()
	u, ok := s.find(ctx, name)
	if ok && s.lookupDelay > 0 {
		time.Sleep(s.lookupDelay)
	}
	switch {
	case !ok:
		return nil, source.ErrUserNotFound
	case u.disabled:
		return nil, source.ErrUserDisabled
	}
	cp := u.user
	return &cp, nil
}

func (s *fakeSource) MarkMigrated(_ context.Context, u *source.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.markFault != nil {
		return s.markFault
	}
	s.marked = append(s.marked, u.ID)
	return nil
}

var errDown = errors.New("connection refused")
