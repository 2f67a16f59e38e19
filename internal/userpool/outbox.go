package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"net/smtp"
	"strings"
	"time"
	"unicode/utf8"
)

// Mailer delivers a message outside the local outbox (a development mail
// server). A delivery failure is logged; the code stays in the outbox.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// SMTPMailer sends EMAIL messages through an SMTP server with net/smtp.
// SMS messages are not sent (they stay in the outbox).
type SMTPMailer struct {
	Addr string // host:port
	From string
	Auth smtp.Auth // nil for none
}

// Send delivers m by email.
func (m *SMTPMailer) Send(ctx context.Context, msg *Message) error {
	if msg.Medium != "EMAIL" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	body := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		m.From, msg.Destination, msg.Subject, msg.Body)
	if err := smtp.SendMail(m.Addr, m.Auth, m.From, []string{msg.Destination}, []byte(body)); err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	return nil
}

// CodeDelivery says where a code went, as CodeDeliveryDetails does.
type CodeDelivery struct {
	Destination    string // masked
	DeliveryMedium string // EMAIL or SMS
	AttributeName  string // email or phone_number
}

// Code lifetimes (Cognito: sign-up codes 24 h, reset codes 1 h) and the
// failed attempts a code survives.
const (
	confirmationCodeTTL = 24 * time.Hour
	resetCodeTTL        = time.Hour
	maxCodeAttempts     = 5
)

// newCode returns a 6-digit one-time code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// channel picks the delivery channel of a user: the verified (or, for
// sign-up, the auto-verified) email or phone. SMS is preferred when both
// are available, as Cognito does without an AccountRecoverySetting.
func channel(set *PoolSettings, attrs map[string]string, needVerified bool) (medium, attr, dest string, ok bool) {
	type cand struct{ medium, attr, mech string }
	cands := []cand{{"SMS", "phone_number", "verified_phone_number"}, {"EMAIL", "email", "verified_email"}}
	if set.AccountRecoverySetting != nil && needVerified {
		var ordered []cand
		mechs := append([]RecoveryOption(nil), set.AccountRecoverySetting.RecoveryMechanisms...)
		for p := 1; p <= 2; p++ {
			for _, m := range mechs {
				if m.Priority != p {
					continue
				}
				for _, c := range cands {
					if c.mech == m.Name {
						ordered = append(ordered, c)
					}
				}
			}
		}
		cands = ordered
	}
	for _, c := range cands {
		v := attrs[c.attr]
		if v == "" {
			continue
		}
		if needVerified && attrs[c.attr+"_verified"] != "true" {
			continue
		}
		if !needVerified && !containsStr(set.AutoVerifiedAttributes, c.attr) {
			continue
		}
		return c.medium, c.attr, v, true
	}
	return "", "", "", false
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// deliver stores a code in the outbox, logs it, and hands it to the
// mailer. It returns what the API reports as CodeDeliveryDetails.
func (s *Service) deliver(ctx context.Context, u *User, kind, medium, attr, dest, code string) (*CodeDelivery, error) {
	var subject, body string
	if kind == "invitation" && code == "" {
		// The welcome message of a migrated user: no password to send.
		subject, body = defaultInviteSubject, fmt.Sprintf("Welcome! Your account %s is ready.", u.Username)
	} else {
		var err error
		if subject, body, err = s.renderFor(ctx, u, kind, medium, code); err != nil {
			return nil, err
		}
	}
	// A CustomMessage trigger may replace what the templates made.
	body, subject, err := s.customMessage(ctx, u, kind, medium, code, body, subject)
	if err != nil {
		return nil, err
	}
	m := &Message{PoolID: u.PoolID, Username: u.Username, Medium: medium, Destination: dest,
		Kind: kind, Code: code, Body: body, Subject: subject, CreatedAt: s.now()}
	if err := s.store.AppendMessage(ctx, m); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	// The outbox is a development tool: codes are logged so a developer
	// can read them from the server's output.
	s.log.InfoContext(ctx, "outbox message", "pool", u.PoolID, "username", u.Username,
		"kind", kind, "medium", medium, "destination", dest, "code", code)
	if s.mailer != nil {
		if err := s.mailer.Send(ctx, m); err != nil {
			s.log.WarnContext(ctx, "mail delivery", "pool", u.PoolID, "username", u.Username, "err", err)
		}
	}
	return &CodeDelivery{Destination: maskDestination(medium, dest), DeliveryMedium: medium, AttributeName: attr}, nil
}

// simulatedDelivery is the CodeDeliveryDetails returned for a user that
// does not exist when existence errors are prevented: plausible, stable,
// and nothing is stored or sent. A typed email or phone number is masked
// as a real user's would be. For any other name the address is invented:
// its first letter is the name's (as most addresses' are), and its
// domain's first letter is drawn, keyed by a per-process secret, from the
// initials of common mail domains. Deriving the domain from the name
// itself would be an oracle: "a***@a***" for "alice" would say nobody of
// that name exists when a legacy alice@example.com reads "a***@e***".
func simulatedDelivery(username string) *CodeDelivery {
	if looksLikePhone(username) {
		return &CodeDelivery{Destination: maskDestination("SMS", username), DeliveryMedium: "SMS", AttributeName: "phone_number"}
	}
	dest := username
	if !looksLikeEmail(dest) {
		m := hmac.New(sha256.New, fakeSecret)
		m.Write([]byte("delivery\x00" + username))
		sum := m.Sum(nil)
		local, _ := utf8.DecodeRuneInString(strings.ToLower(username))
		dest = string(local) + "@" + string(domainInitials[int(sum[0])%len(domainInitials)])
	}
	return &CodeDelivery{Destination: maskDestination("EMAIL", dest), DeliveryMedium: "EMAIL", AttributeName: "email"}
}

// domainInitials weights each letter by how often common mail domains
// (gmail, hotmail, outlook, yahoo, icloud, aol, proton, a company's own)
// begin with it.
const domainInitials = "ggggggghhhooooyyyiapmcestw"
