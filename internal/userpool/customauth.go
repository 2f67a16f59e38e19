package userpool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// CUSTOM_AUTH, as the developer guide describes it ("Custom authentication
// challenge Lambda triggers"): the pool's DefineAuthChallenge function
// reads the challenges answered so far and either issues tokens, fails the
// sign-in, or names the next challenge; a CUSTOM_CHALLENGE is made by
// CreateAuthChallenge (its public parameters go to the app, its private
// ones stay in the pool) and judged by VerifyAuthChallengeResponse; every
// answer goes back to DefineAuthChallenge with the sequence one longer.
//
// With SRP_A in AuthParameters (and CHALLENGE_NAME SRP_A, as the SDKs send
// it) the sequence starts with an SRP_A entry, and DefineAuthChallenge may
// answer PASSWORD_VERIFIER: the app then proves the password by SRP, the
// proof is checked (and counted by the lockout) as in USER_SRP_AUTH, and a
// proven password enters the sequence as PASSWORD_VERIFIER true; the
// user's MFA challenge, if any, comes next and enters it too.
//
// The sign-in runs PreAuthentication before the first DefineAuthChallenge
// and PostAuthentication and PreTokenGeneration
// (TokenGeneration_Authentication) once DefineAuthChallenge issues tokens.
// CUSTOM_AUTH never runs the migration trigger: Cognito runs it only where
// it is given a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) and
// in ForgotPassword. An unknown name answers "User does not exist.", or, on
// a client that prevents user-existence errors, runs the sequence with
// userNotFound true and ends in "Incorrect username or password.".

// Custom authentication challenge names.
const (
	challengeCustom           = "CUSTOM_CHALLENGE"
	challengePasswordVerifier = "PASSWORD_VERIFIER"
	challengeSRPA             = "SRP_A"
)

// maxCustomChallenges bounds a sequence's length. Cognito documents no
// limit; every step already needs an answer within the session's
// validity, and this bound keeps a DefineAuthChallenge that never decides
// from growing a session without end.
const maxCustomChallenges = 16

var errNoCustomTrigger = newErr(ErrInvalidParameter, "Custom auth lambda trigger is not configured for the user pool.")

// customState is a CUSTOM_AUTH sequence between two steps.
type customState struct {
	typed    string // the name the sign-in began with
	notFound bool   // no user has that name
	srpA     string // the SRP_A the sign-in began with, if any
	session  []challengeResult
	// The pending CUSTOM_CHALLENGE's private parameters and metadata, or
	// the pending PASSWORD_VERIFIER's SECRET_BLOCK.
	private  map[string]string
	metadata string
	block    string
}

// LogValue keeps the expected answer (the private challenge parameters)
// and the SRP secret block out of logs.
func (st *customState) LogValue() slog.Value {
	names := make([]string, 0, len(st.session))
	for _, r := range st.session {
		names = append(names, r.ChallengeName)
	}
	return slog.GroupValue(slog.String("typed", st.typed), slog.Bool("notFound", st.notFound),
		slog.Any("session", names), slog.Int("private", len(st.private)), slog.String("block", redactString(st.block)))
}

// startCustomAuth answers InitiateAuth's CUSTOM_AUTH with the first step
// DefineAuthChallenge chooses.
func (s *Service) startCustomAuth(ctx context.Context, p *pool, c *client, params map[string]string) (*AuthResult, error) {
	typed, srpA := params["USERNAME"], params["SRP_A"]
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if p.set.LambdaConfig.DefineAuthChallenge == "" {
		return nil, errNoCustomTrigger
	}
	if params["CHALLENGE_NAME"] == challengeSRPA && srpA == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter SRP_A")
	}
	if srpA != "" {
		if _, err := srp.ParseSRPA(srpA); err != nil {
			return nil, newErr(ErrInvalidParameter, "Invalid SRP_A.")
		}
	}
	if err := c.checkSecretHash(params["SECRET_HASH"], typed); err != nil {
		return nil, err
	}
	u, err := s.challengedUser(ctx, p, c, typed)
	if err != nil {
		return nil, err
	}
	if u != nil {
		if err := s.checkSignInState(c, u); err != nil {
			return nil, err
		}
	}
	st := &customState{typed: typed, notFound: u == nil, srpA: srpA}
	if srpA != "" {
		st.session = []challengeResult{{ChallengeName: challengeSRPA, ChallengeResult: true}}
	}
	return s.nextCustomStep(ctx, p, c, u, st)
}

// nextCustomStep asks DefineAuthChallenge what follows the sequence st
// and carries it out: tokens, a refusal, or the next challenge.
func (s *Service) nextCustomStep(ctx context.Context, p *pool, c *client, u *User, st *customState) (*AuthResult, error) {
	if len(st.session) >= maxCustomChallenges {
		s.log.WarnContext(ctx, "custom authentication ended: too many challenges", "pool", p.ID, "challenges", len(st.session))
		return nil, errIncorrect()
	}
	who := subjectOf(p, st.typed, u)
	d, err := s.defineAuthChallenge(ctx, p, who, st.session)
	if err != nil {
		return nil, err
	}
	switch {
	case d.FailAuthentication:
		return nil, errIncorrect()
	case d.IssueTokens:
		if u == nil {
			return nil, errIncorrect()
		}
		return s.signedIn(ctx, p, c, u)
	case d.ChallengeName == challengeCustom:
		if p.set.LambdaConfig.CreateAuthChallenge == "" {
			return nil, errNoCustomTrigger
		}
		cr, err := s.createAuthChallenge(ctx, p, who, challengeCustom, st.session)
		if err != nil {
			return nil, err
		}
		st.private, st.metadata, st.block = cr.PrivateChallengeParameters, cr.ChallengeMetadata, ""
		params := maps.Clone(cr.PublicChallengeParameters)
		if params == nil {
			params = map[string]string{}
		}
		params["USERNAME"] = who.userName
		return &AuthResult{ChallengeName: challengeCustom, ChallengeParameters: params,
			Session: s.storeCustom(p, c, u, challengeCustom, st)}, nil
	case d.ChallengeName == challengePasswordVerifier && st.srpA != "" && !st.verifiedPassword():
		r, block, err := s.srpChallenge(p, c, u, st.typed, st.srpA, true)
		if err != nil {
			return nil, err
		}
		st.private, st.metadata, st.block = nil, "", block
		r.Session = s.storeCustom(p, c, u, challengePasswordVerifier, st)
		return r, nil
	}
	s.log.WarnContext(ctx, "DefineAuthChallenge answer not usable", "pool", p.ID,
		"challengeName", d.ChallengeName, "srp", st.srpA != "")
	return nil, &Error{Kind: ErrInvalidLambdaResponse, Message: msgUnrecognizableOutput,
		Err: fmt.Errorf("DefineAuthChallenge named challenge %q, which this sequence cannot present", d.ChallengeName)}
}

// verifiedPassword reports whether the sequence has proven the password.
func (st *customState) verifiedPassword() bool {
	for _, r := range st.session {
		if r.ChallengeName == challengePasswordVerifier {
			return true
		}
	}
	return false
}

// storeCustom keeps the sequence st, whose next challenge is name, under a
// new Session.
func (s *Service) storeCustom(p *pool, c *client, u *User, name string, st *customState) string {
	key := ""
	if u != nil {
		key = u.UsernameKey
	}
	sess := randomToken(96)
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.sessions[sess] = &challengeSess{poolID: p.ID, clientID: c.ID, usernameKey: key, name: name,
		expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute), custom: st}
	s.mu.Unlock()
	return sess
}

// respondCustom answers a challenge of a CUSTOM_AUTH sequence; handled is
// false when in is not one (the other challenges answer it).
func (s *Service) respondCustom(ctx context.Context, p *pool, c *client, in ChallengeInput) (r *AuthResult, handled bool, err error) {
	s.mu.Lock()
	cur := s.sessions[in.Session]
	s.mu.Unlock()
	if cur == nil || cur.custom == nil || cur.name != challengeCustom && cur.name != challengePasswordVerifier {
		// Not a sequence's own challenge: an MFA challenge within one is
		// answered as any MFA challenge, and ends in mfaDone.
		if in.ChallengeName == challengeCustom {
			return nil, true, errInvalidSess
		}
		return nil, false, nil
	}
	if cur.clientID != c.ID || cur.poolID != p.ID || cur.name != in.ChallengeName {
		return nil, true, errInvalidSess
	}
	if s.now().After(cur.expires) {
		return nil, true, errExpiredSess
	}
	if in.ChallengeName == challengePasswordVerifier {
		r, err = s.respondCustomPassword(ctx, p, c, in, cur)
	} else {
		r, err = s.respondCustomChallenge(ctx, p, c, in, cur)
	}
	return r, true, err
}

// respondCustomChallenge judges the ANSWER of a CUSTOM_CHALLENGE with
// VerifyAuthChallengeResponse and hands the longer sequence to
// DefineAuthChallenge.
func (s *Service) respondCustomChallenge(ctx context.Context, p *pool, c *client, in ChallengeInput, cur *challengeSess) (*AuthResult, error) {
	answer, typed := in.Responses["ANSWER"], in.Responses["USERNAME"]
	if answer == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter ANSWER")
	}
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if err := c.checkSecretHash(in.Responses["SECRET_HASH"], typed); err != nil {
		return nil, err
	}
	if p.set.LambdaConfig.VerifyAuthChallengeResponse == "" {
		return nil, errNoCustomTrigger
	}
	st, err := s.takeCustom(in.Session)
	if err != nil {
		return nil, err
	}
	u, err := s.customUser(ctx, p, cur, typed)
	if err != nil {
		return nil, err
	}
	ok, err := s.verifyAuthChallenge(ctx, p, subjectOf(p, st.typed, u), st.private, answer)
	if err != nil {
		return nil, err
	}
	var meta *string
	if m := st.metadata; m != "" {
		meta = &m // a copy: the next challenge replaces st.metadata
	}
	st.session = append(st.session, challengeResult{ChallengeName: challengeCustom, ChallengeResult: ok, ChallengeMetadata: meta})
	return s.nextCustomStep(ctx, p, c, u, st)
}

// respondCustomPassword checks the SRP proof of a PASSWORD_VERIFIER the
// sequence asked for; a proven password goes back to
// DefineAuthChallenge, a wrong one fails the sign-in.
func (s *Service) respondCustomPassword(ctx context.Context, p *pool, c *client, in ChallengeInput, cur *challengeSess) (*AuthResult, error) {
	if b := in.Responses["PASSWORD_CLAIM_SECRET_BLOCK"]; b != "" && b != cur.custom.block {
		return nil, errInvalidSess
	}
	u, err := s.provePassword(ctx, p, c, in.Responses, true)
	if err != nil {
		if !errors.Is(err, ErrInvalidParameter) {
			s.endSession(in.Session) // the proof had its one attempt
		}
		return nil, err
	}
	st, err := s.takeCustom(in.Session)
	if err != nil {
		return nil, err
	}
	st.session = append(st.session, challengeResult{ChallengeName: challengePasswordVerifier, ChallengeResult: true})
	// As the developer guide says, MFA follows a verified password
	// before DefineAuthChallenge decides again.
	if r, err := s.mfaChallenge(ctx, p, c, u); err != nil || r != nil {
		if r != nil {
			s.carryCustom(r.Session, st)
		}
		return r, err
	}
	return s.nextCustomStep(ctx, p, c, u, st)
}

// carryCustom makes the pending challenge under session (an MFA challenge)
// part of the sequence st.
func (s *Service) carryCustom(session string, st *customState) {
	if st == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.sessions[session]; cur != nil {
		cur.custom = st
	}
}

// mfaDone ends an MFA challenge answered right: the tokens, or, within a
// CUSTOM_AUTH sequence, DefineAuthChallenge with the factor's challenge
// appended as passed.
func (s *Service) mfaDone(ctx context.Context, p *pool, c *client, u *User, st *challengeSess) (*AuthResult, error) {
	if st.custom == nil {
		return s.signedIn(ctx, p, c, u)
	}
	st.custom.session = append(st.custom.session, challengeResult{ChallengeName: st.name, ChallengeResult: true})
	return s.nextCustomStep(ctx, p, c, u, st.custom)
}

// takeCustom ends a sequence's session and returns its state: a Session
// answers once.
func (s *Service) takeCustom(session string) (*customState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.sessions[session]
	if cur == nil || cur.custom == nil {
		return nil, errInvalidSess
	}
	delete(s.sessions, session)
	return cur.custom, nil
}

// customUser is the user a sequence signs in, read again (nil for an
// unknown name); typed, the USERNAME of the answer, must name the same.
func (s *Service) customUser(ctx context.Context, p *pool, cur *challengeSess, typed string) (*User, error) {
	if cur.custom.notFound {
		if p.set.usernameKey(typed) != p.set.usernameKey(cur.custom.typed) {
			return nil, errInvalidSess
		}
		return nil, nil
	}
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if u == nil || u.UsernameKey != cur.usernameKey {
		return nil, errInvalidSess
	}
	if !u.Enabled {
		return nil, newErr(ErrNotAuthorized, msgUserDisabled)
	}
	return u, nil
}
