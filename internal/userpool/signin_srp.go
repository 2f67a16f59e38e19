// The SRP sign-in (USER_SRP_AUTH): the PASSWORD_VERIFIER challenge, simulated
// for names that do not exist, and the check of its answer.

package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// fakeSecret keys the simulated SRP challenges of unknown users, so a
// repeated attempt for one name gets the same salt and user id.
var fakeSecret = func() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return b
}()

// startSRP answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge.
func (s *Service) startSRP(ctx context.Context, p *pool, c *client, typed, srpA string) (*AuthResult, error) {
	if typed == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter USERNAME")
	}
	if srpA == "" {
		return nil, newErr(ErrInvalidParameter, "Missing required parameter SRP_A")
	}
	if _, err := srp.ParseSRPA(srpA); err != nil {
		return nil, newErr(ErrInvalidParameter, "Invalid SRP_A.")
	}
	// SRP never runs the migration trigger: it never sees a password.
	u, err := s.challengedUser(ctx, p, c, typed)
	if err != nil {
		return nil, err
	}
	r, _, err := s.srpChallenge(p, c, u, typed, srpA, false)
	return r, err
}

// challengedUser is the user typed names at the start of a sign-in that
// challenges before any password is checked (USER_SRP_AUTH, CUSTOM_AUTH):
// nil for a name nobody has behind a client that prevents existence
// errors (the challenge is simulated), UserNotFoundException without one.
// The PreAuthentication trigger runs first, as Cognito runs it.
func (s *Service) challengedUser(ctx context.Context, p *pool, c *client, typed string) (*User, error) {
	u, err := s.findUser(ctx, p, typed)
	if err != nil {
		return nil, err
	}
	if u == nil && !c.set.preventsExistenceErrors() {
		return nil, newErr(ErrUserNotFound, msgUserNotExist)
	}
	if err := s.preAuthentication(ctx, p, typed, u); err != nil {
		return nil, err
	}
	return u, nil
}

// srpChallenge is the PASSWORD_VERIFIER challenge of u (nil: a simulated
// one for a name that does not exist) and its SECRET_BLOCK, for an SRP_A
// already checked; custom marks one of a CUSTOM_AUTH sequence.
func (s *Service) srpChallenge(p *pool, c *client, u *User, typed, srpA string, custom bool) (*AuthResult, string, error) {
	var (
		salt     []byte
		verifier []byte
		userID   string
		state    = &srpState{poolID: p.ID, clientID: c.ID, srpA: srpA, custom: custom,
			expires: s.now().Add(time.Duration(c.set.AuthSessionValidity) * time.Minute)}
	)
	switch {
	case u == nil:
		m := hmac.New(sha256.New, fakeSecret)
		m.Write([]byte(p.ID + "\x00" + p.set.usernameKey(typed)))
		sum := m.Sum(nil)
		salt = append([]byte{0x01 + sum[0]%0x7f}, sum[1:16]...)
		id, _ := uuid.FromBytes(sum[16:32])
		userID = id.String()
		verifier = srp.ComputeVerifier(srp.PoolName(p.ID), userID, hex.EncodeToString(sum), salt)
		state.fake = true
	default:
		if err := s.checkSignInState(c, u); err != nil {
			return nil, "", err
		}
		if u.Password == nil {
			return nil, "", errIncorrect()
		}
		salt, verifier, userID = u.Password.Salt, u.Password.V, u.Username
		state.usernameKey = u.UsernameKey
	}
	sess, err := srp.NewServerSession(verifier)
	if err != nil {
		return nil, "", fmt.Errorf("srp session: %w", err)
	}
	state.session = sess
	block := randomToken(192)
	s.mu.Lock()
	s.sweepLocked(s.now())
	s.srpStates[block] = state
	s.mu.Unlock()
	return &AuthResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: map[string]string{
		"SALT": srp.SaltHex(salt), "SRP_B": sess.SRPB(), "SECRET_BLOCK": block,
		"USERNAME": userID, "USER_ID_FOR_SRP": userID,
	}}, block, nil
}

// provePassword checks a PASSWORD_VERIFIER answer and returns the user
// whose password it proves; custom says whether the answer comes within a
// CUSTOM_AUTH sequence, which alone may answer that sequence's challenge.
func (s *Service) provePassword(ctx context.Context, p *pool, c *client, r map[string]string, custom bool) (*User, error) {
	block := r["PASSWORD_CLAIM_SECRET_BLOCK"]
	for _, k := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if r[k] == "" {
			return nil, newErr(ErrInvalidParameter, "Missing required parameter %s", k)
		}
	}
	if _, err := srp.ParseTimestamp(r["TIMESTAMP"]); err != nil {
		return nil, newErr(ErrInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	}
	s.mu.Lock()
	st := s.srpStates[block]
	delete(s.srpStates, block) // one attempt per challenge
	s.mu.Unlock()
	if st == nil || st.clientID != c.ID || st.poolID != p.ID || s.now().After(st.expires) || st.fake || st.custom != custom {
		return nil, errIncorrect()
	}
	if err := c.checkSecretHash(r["SECRET_HASH"], r["USERNAME"]); err != nil {
		return nil, err
	}
	u, err := s.findUser(ctx, p, r["USERNAME"])
	if err != nil {
		return nil, err
	}
	if u == nil || u.UsernameKey != st.usernameKey || u.Password == nil {
		return nil, errIncorrect()
	}
	if err := s.checkLockout(u); err != nil {
		return nil, err
	}
	ok, err := st.session.VerifyClaim(srp.ClaimParams{PoolName: srp.PoolName(p.ID), UserIDForSRP: u.Username,
		Salt: u.Password.Salt, Verifier: u.Password.V, SRPA: st.srpA, SecretBlock: block,
		Timestamp: r["TIMESTAMP"], Signature: r["PASSWORD_CLAIM_SIGNATURE"]})
	switch {
	case errors.Is(err, srp.ErrBadTimestamp):
		return nil, newErr(ErrInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	case err != nil:
		return nil, errIncorrect()
	case !ok:
		return nil, s.wrongPassword(ctx, p, u)
	}
	if err := s.checkSignInState(c, u); err != nil {
		return nil, err
	}
	return s.rightPassword(ctx, p, u)
}
