package userpool_test

import (
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// smtpSink is a minimal SMTP server on 127.0.0.1 that keeps what it
// receives: enough of RFC 5321 for net/smtp.SendMail.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []string // DATA payloads
	rcpt []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 sink ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 sink")
		case "MAIL":
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpt = append(s.rcpt, line)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			body, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.mail = append(s.mail, string(body))
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 command unrecognized")
		}
	}
}

func TestSMTPDelivery(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	f := newFixture(t, nil, fixtureOpts{
		cfg: func(c *userpool.Config) {
			c.Mailer = &userpool.SMTPMailer{Addr: sink.ln.Addr().String(), From: "no-reply@ferry.local"}
		},
		pool: func(in *userpool.CreatePoolInput) {
			in.Settings.LambdaConfig.UserMigration = ""
			in.Settings.AutoVerifiedAttributes = []string{"email"}
		},
	})
	res, err := f.svc.SignUp(context.Background(), userpool.SignUpInput{ClientID: f.clientID, Username: "jo",
		Password: "Passw0rd!", Attributes: map[string]string{"email": "jo@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivery == nil || res.Delivery.Destination != "j***@e***" {
		t.Fatalf("delivery = %+v", res.Delivery)
	}
	msgs, err := f.store.ListMessages(t.Context(), f.poolID, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox = %v, %v", msgs, err)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.mail) != 1 || !strings.Contains(sink.mail[0], msgs[0].Code) || !strings.Contains(sink.mail[0], "To: jo@example.com") {
		t.Fatalf("mail = %q, want the code %s", sink.mail, msgs[0].Code)
	}
	if !strings.Contains(f.log.String(), "code="+msgs[0].Code) {
		t.Errorf("the code is not logged at info level")
	}
}

func TestSMTPDeliveryFailureKeepsTheCode(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	f := newFixture(t, nil, fixtureOpts{
		cfg: func(c *userpool.Config) { c.Mailer = &userpool.SMTPMailer{Addr: addr, From: "no-reply@ferry.local"} },
		pool: func(in *userpool.CreatePoolInput) {
			in.Settings.LambdaConfig.UserMigration = ""
			in.Settings.AutoVerifiedAttributes = []string{"email"}
		},
	})
	if _, err := f.svc.SignUp(context.Background(), userpool.SignUpInput{ClientID: f.clientID, Username: "jo",
		Password: "Passw0rd!", Attributes: map[string]string{"email": "jo@example.com"}}); err != nil {
		t.Fatalf("sign-up failed because the mail server is down: %v", err)
	}
	if msgs, _ := f.store.ListMessages(t.Context(), f.poolID, 0, 10); len(msgs) != 1 {
		t.Fatalf("outbox = %v", msgs)
	}
	if !strings.Contains(f.log.String(), "mail delivery") {
		t.Error("the failed delivery is not logged")
	}
}

// TestForgotPasswordShapeHidesExistence: with PreventUserExistenceErrors
// ENABLED and a migration trigger, ForgotPassword answers an unknown name
// and a legacy user alike: a CodeDeliveryDetails of the same medium and
// attribute, stable for one name, whose masked domain is not derived from
// the typed name (else "a***@a***" for an unknown "alice" would differ
// from a legacy alice@example.com's "a***@e***").
func TestForgotPasswordShapeHidesExistence(t *testing.T) {
	t.Parallel()
	legacy := answer(trigger.Response{UserAttributes: map[string]string{
		"email": "alice@example.com", "email_verified": "true"}})
	inv := &fakeInvoker{InvokeFunc: func(ctx context.Context, ev trigger.Event) ([]byte, error) {
		if ev.UserName == "alice" {
			return legacy(ctx, ev)
		}
		return answer(trigger.Response{})(ctx, ev)
	}}
	f := newFixture(t, inv, fixtureOpts{client: func(in *userpool.CreateClientInput) {
		in.Settings.PreventUserExistenceErrors = "ENABLED"
	}})
	forgot := func(name string) *userpool.CodeDelivery {
		t.Helper()
		d, err := f.svc.ForgotPassword(t.Context(), userpool.ForgotPasswordInput{ClientID: f.clientID, Username: name})
		if err != nil || d == nil {
			t.Fatalf("ForgotPassword(%q) = %+v, %v; want a code delivery", name, d, err)
		}
		return d
	}
	real := forgot("alice")
	if real.Destination != "a***@e***" {
		t.Fatalf("legacy user: %+v", real)
	}
	sameInitial := 0
	const n = 200
	for i := range n {
		name := fmt.Sprintf("%c%dghost", 'a'+i%26, i)
		d := forgot(name)
		if d.DeliveryMedium != real.DeliveryMedium || d.AttributeName != real.AttributeName ||
			!strings.HasPrefix(d.Destination, name[:1]+"***@") || !strings.HasSuffix(d.Destination, "***") || len(d.Destination) != len(real.Destination) {
			t.Fatalf("unknown %q: %+v, unlike the legacy user's %+v", name, d, real)
		}
		if again := forgot(name); *again != *d {
			t.Fatalf("unknown %q: %+v, then %+v", name, d, again)
		}
		if d.Destination[5] == name[0] {
			sameInitial++
		}
	}
	if sameInitial > n/4 {
		t.Errorf("%d of %d simulated domains begin with the name's own letter", sameInitial, n)
	}
	if d := forgot("zed@example.org"); d.Destination != "z***@e***" {
		t.Errorf("a typed email: %+v, want it masked as a real one", d)
	}
}
