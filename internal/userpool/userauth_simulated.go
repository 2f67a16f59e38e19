package userpool

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// USER_AUTH for a name no user has, when the client prevents user
// existence errors: the sign-in goes on as it would for a user with every
// factor the pool allows, and fails where a wrong secret would — a
// password as "Incorrect username or password.", a code as a mismatch —
// so an unknown name reads like a known one.

// simulatedChallenges are what SELECT_CHALLENGE offers a user that does not
// exist: every factor the pool allows but passkeys, which a user has to
// register first, and but the one-time codes when the pool requires MFA
// (availableChallenges).
func simulatedChallenges(p *pool) []string {
	var out []string
	if p.set.allowsFactor(FactorPassword) {
		out = append(out, challengePassword, challengePasswordSRP)
	}
	if usesMFA(p, &User{}) {
		return out
	}
	for _, f := range []string{FactorEmailOTP, FactorSMSOTP} {
		if p.set.allowsFactor(f) {
			out = append(out, f) // the factor and its challenge share a name
		}
	}
	return out
}

// newSimulatedSession stores a pending challenge of the name typed, which
// no user has, and returns its key.
func (s *Service) newSimulatedSession(p *pool, c *client, name, typed string) string {
	sess := s.newChallengeSession(p, c, &User{}, name, nil)
	s.mu.Lock()
	if st := s.sessions[sess]; st != nil {
		st.typed = typed
	}
	s.mu.Unlock()
	return sess
}

// simulatedOTP answers as if a code had been sent: nothing is sent or
// stored in the outbox.
func (s *Service) simulatedOTP(p *pool, c *client, typed, name string) *AuthResult {
	medium := "SMS"
	if name == challengeEmailOTP {
		medium = "EMAIL"
	}
	d := simulatedOTPDelivery(typed, medium)
	return &AuthResult{ChallengeName: name, Session: s.newSimulatedSession(p, c, name, typed),
		ChallengeParameters: map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": d.DeliveryMedium,
			"CODE_DELIVERY_DESTINATION": d.Destination}}
}

// simulatedCode answers a code typed into a simulated EMAIL_OTP or SMS_OTP
// challenge: always a mismatch, counted as a real session counts them.
func (s *Service) simulatedCode(session, name string, r map[string]string) error {
	key := name + "_CODE"
	if r[key] == "" {
		return newErr(ErrInvalidParameter, "Missing required parameter %s", key)
	}
	return s.wrongCode(session)
}

// simulatedOTPDelivery is the CodeDeliveryDetails of a code "sent" by
// medium to a user that does not exist: simulatedDelivery's when the name
// typed looks like that kind of address, else an address of the medium's
// kind invented from the name, stable for it.
func simulatedOTPDelivery(typed, medium string) *CodeDelivery {
	if d := simulatedDelivery(typed); d.DeliveryMedium == medium {
		return d
	}
	m := hmac.New(sha256.New, fakeSecret)
	m.Write([]byte("otp\x00" + medium + "\x00" + typed))
	sum := m.Sum(nil)
	if medium == "SMS" {
		phone := fmt.Sprintf("+1%010d", binary.BigEndian.Uint64(sum)%10_000_000_000)
		return &CodeDelivery{Destination: maskDestination("SMS", phone), DeliveryMedium: "SMS", AttributeName: "phone_number"}
	}
	local, domain := domainInitials[int(sum[0])%len(domainInitials)], domainInitials[int(sum[1])%len(domainInitials)]
	return &CodeDelivery{Destination: maskDestination("EMAIL", string(local)+"@"+string(domain)), DeliveryMedium: "EMAIL", AttributeName: "email"}
}
