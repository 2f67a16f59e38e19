// Challenge sessions: the opaque Session string a challenge hands out, and
// the state behind it, read, renewed and ended as the sign-in goes on.

package userpool

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// challengeSession returns a copy of the pending challenge of a session,
// which must be the named one.
func (s *Service) challengeSession(session, name string) (*challengeSess, error) {
	s.mu.Lock()
	var st *challengeSess
	if cur := s.sessions[session]; cur != nil {
		cp := *cur // a snapshot: the map's entry changes only under s.mu
		st = &cp
	}
	s.mu.Unlock()
	if st == nil || st.name != name {
		return nil, errInvalidSess
	}
	if s.now().After(st.expires) {
		return nil, errExpiredSess
	}
	return st, nil
}

// sessionUser returns the pending challenge of a session of client c,
// which must be the named one, and its user.
func (s *Service) sessionUser(ctx context.Context, p *pool, c *client, session, name string) (*challengeSess, *User, error) {
	st, err := s.challengeSession(session, name)
	if err != nil {
		return nil, nil, err
	}
	if st.clientID != c.ID || st.poolID != p.ID {
		return nil, nil, errInvalidSess
	}
	u, err := s.store.GetUser(ctx, p.ID, st.usernameKey)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errInvalidSess
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get user: %w", err)
	}
	return st, u, nil
}

// endSession removes a session once its challenge is answered.
func (s *Service) endSession(session string) {
	s.mu.Lock()
	delete(s.sessions, session)
	s.mu.Unlock()
}

// renewSession replaces a session's key with a new one, as Cognito hands
// out a new Session at each step, applying change to its state.
func (s *Service) renewSession(old string, change func(*challengeSess)) string {
	next := randomToken(96)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sessions[old]
	if st == nil {
		return next // gone meanwhile: the next step reports the invalid session
	}
	delete(s.sessions, old)
	if change != nil {
		change(st)
	}
	s.sessions[next] = st
	return next
}

// newChallengeSession stores a pending challenge of u and returns its key.
func (s *Service) newChallengeSession(p *pool, c *client, u *User, name string, code *Code) string {
	sess := randomToken(96)
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.sessions[sess] = &challengeSess{poolID: p.ID, clientID: c.ID, usernameKey: u.UsernameKey, name: name,
		code: code, expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}
	s.mu.Unlock()
	return sess
}
