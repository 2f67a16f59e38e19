// Sign-in after sign-up: on a client that allows USER_AUTH, SignUp and
// ConfirmSignUp return a Session, and InitiateAuth with AuthFlow USER_AUTH,
// the user's USERNAME and that Session signs the confirmed user in with no
// further factor. The confirmation code they just typed is the proof, as
// Cognito describes ConfirmSignUp's Session; Amplify JS v6's
// signUp({autoSignIn: {authFlowType: 'USER_AUTH'}}) relies on it.
//
// A session answers once, belongs to its pool, client and user, and lasts
// the client's AuthSessionValidity, as every challenge session here does.
// Like a one-time code, it signs in without MFA: a user who has just
// signed up has none, and Cognito issues tokens at a new user's first
// sign-in even in a pool that requires MFA. The UserMigration trigger
// does not run (the user is in the pool already); PreAuthentication,
// PostAuthentication and PreTokenGeneration do.

package userpool

import "context"

// signUpChallenge names the sessions SignUp and ConfirmSignUp hand out;
// it is never shown as a challenge.
const signUpChallenge = "SIGN_UP"

// signUpSession returns a new sign-in-after-sign-up session for u on
// client c, or "" when c does not allow USER_AUTH.
func (s *Service) signUpSession(p *pool, c *client, u *User) string {
	if !c.set.allows(FlowUserAuth) {
		return ""
	}
	return s.newChallengeSession(p, c, u, signUpChallenge, nil)
}

// spendSignUpSession ends session if it is a sign-up session of u on
// client c: ConfirmSignUp hands out a new one in its place.
func (s *Service) spendSignUpSession(p *pool, c *client, u *User, session string) {
	if session == "" {
		return
	}
	if st, err := s.challengeSession(session, signUpChallenge); err == nil &&
		st.poolID == p.ID && st.clientID == c.ID && st.usernameKey == u.UsernameKey {
		s.endSession(session)
	}
}

// signInAfterSignUp is USER_AUTH with a session from SignUp or
// ConfirmSignUp: typed must name the session's user, who must be able to
// sign in (confirmed, enabled).
func (s *Service) signInAfterSignUp(ctx context.Context, p *pool, c *client, typed, session string) (*AuthResult, error) {
	_, u, err := s.sessionUser(ctx, p, c, session, signUpChallenge)
	if err != nil {
		return nil, err
	}
	named, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if named == nil || named.UsernameKey != u.UsernameKey {
		return nil, errInvalidSess
	}
	if err := s.checkSignInState(c, u); err != nil {
		return nil, err
	}
	s.endSession(session)
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	return s.signedIn(ctx, p, c, u)
}
