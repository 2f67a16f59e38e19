// The answer to Cognito for a verified legacy user: the username and
// attributes the pool mode calls for, checked against Cognito's rules.

package migration

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// answer fills in what Cognito should create for u, checked against
// Cognito's rules (CheckAnswer): it returns an *UnmigratableError when no
// answer Cognito accepts can be made.
func (m *Migrator) answer(ctx context.Context, res *Result, req Request, name string, typedEmail bool) error {
	u := res.User
	p := m.policy
	attrs := p.UserAttributes(u)

	typedPhone := isPhone(name)
	switch p.PoolMode {
	case PoolAlias:
		if typedEmail || typedPhone {
			// Cognito: the typed alias goes into its attribute, and
			// "username" must be a value of our choosing that does not
			// look like an alias.
			if typedEmail {
				attrs["email"] = name
			} else {
				attrs["phone_number"] = name
			}
			un := p.PoolUsername(u)
			if un == "" {
				return &UnmigratableError{UserID: u.ID, Refusals: []Refusal{{Attribute: "username", Reason: ReasonNoAliasUsername}}}
			}
			attrs["username"] = un
		}
	case PoolEmailAsUsername:
		switch {
		case typedEmail:
			attrs["email"] = name
		case typedPhone:
			attrs["phone_number"] = name
		}
	}

	// Cognito's username: the name it sent in a username or alias pool
	// (unless the answer names another), its own in an email-as-username
	// pool. White space around the typed name is the client's, not the
	// user's: Ferry ignores it for the lookup, and so does the check.
	username := strings.TrimSpace(req.Username)
	if p.PoolMode == PoolEmailAsUsername {
		username = ""
	}
	attrs, refusals, err := p.CheckAnswer(u.ID, username, attrs)
	res.Refusals = refusals
	if err != nil {
		return err
	}
	for _, r := range refusals {
		level, msg := slog.LevelInfo, "attribute dropped"
		if r.Repaired {
			level, msg = slog.LevelDebug, "attribute normalised"
		}
		m.logger.LogAttrs(ctx, level, msg, slog.String("request_id", req.RequestID), slog.String("legacy_id", u.ID),
			slog.String("attribute", r.Attribute), slog.String("reason", r.Reason))
	}

	if req.Kind == ForgotPassword && attrs["email_verified"] != "true" && attrs["phone_number_verified"] != "true" {
		return fmt.Errorf("%w: legacy user %s", ErrNoVerifiedChannel, u.ID)
	}

	res.UserAttributes = attrs
	res.FinalUserStatus = StatusConfirmed
	switch {
	case req.Kind == ForgotPassword:
		// No password reaches the pool on this path: the user sets one with
		// the code Cognito sends. This is also what Cognito assumes when a
		// forgot-password answer leaves the status unset.
		res.FinalUserStatus = StatusResetRequired
	case u.ResetRequired, p.ResetWeakHash && u.WeakHash:
		res.FinalUserStatus = StatusResetRequired
	case p.PasswordPolicy != nil && !p.PasswordPolicy.Allows(req.Password):
		res.FinalUserStatus = StatusResetRequired
	}
	if !p.SendWelcomeMessage {
		res.MessageAction = MessageSuppress
	}
	res.DesiredDeliveryMediums = append([]string(nil), p.DesiredDeliveryMediums...)
	res.ForceAliasCreation = p.ForceAliasCreation
	_, hasPhone := attrs["phone_number"]
	res.EnableSMSMFA = p.EnableSMSMFA && hasPhone
	return nil
}
