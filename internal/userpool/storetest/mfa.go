package storetest

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// mfaTests check that a user's MFA settings and software token survive a
// round trip, and that clearing them sticks.
var mfaTests = []subtest{
	{"UserMFASettings", func(t *testing.T, s userpool.Store) {
		ctx := t.Context()
		p := newPool(t, s)
		u := user(p.ID, "otto", "phone_number", "+15555550100", "email", "otto@example.com")
		u.MFA = userpool.UserMFA{SMSEnabled: true, SMSPreferred: true, PendingTOTPSecret: "JBSWY3DPEHPK3PXP", EmailEnabled: true}
		mustCreateUser(t, s, u)
		got := mustGetUser(t, s, p.ID, "otto")
		diff(t, "MFA settings after CreateUser", u.MFA, got.MFA)
		got.MFA = userpool.UserMFA{SMSEnabled: true, TOTPEnabled: true, TOTPPreferred: true,
			TOTPSecret: "JBSWY3DPEHPK3PXP", TOTPDeviceName: "phone", LastTOTPStep: 58_000_000, EmailEnabled: true, EmailPreferred: true}
		if err := s.UpdateUser(ctx, got); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		again := mustGetUser(t, s, p.ID, "otto")
		diff(t, "MFA settings after UpdateUser", got.MFA, again.MFA)
		again.MFA = userpool.UserMFA{}
		if err := s.UpdateUser(ctx, again); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if cleared := mustGetUser(t, s, p.ID, "otto"); cleared.MFA != (userpool.UserMFA{}) {
			t.Errorf("cleared MFA settings came back: %+v", cleared.MFA)
		}
	}},
}
