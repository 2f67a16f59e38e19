package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/ferry-migrate/ferry/internal/trigger"
)

// The user-migration trigger, run as Cognito runs it: only when no user
// matches the typed username or alias, on the password sign-in flows and
// ForgotPassword; one invocation per attempt, 5 s each, up to 3 attempts
// when the function times out or cannot be invoked (a function error is
// final); the user is created only from a valid response, so a failed or
// timed-out migration leaves nothing behind. Concurrent first sign-ins of
// one user share one invocation (single flight per pool, username and
// password), and the store's unique username key stops any other race.

// defaultSDK is callerContext.awsSdkVersion when the caller's SDK is unknown,
// as captured Cognito events show it.
const defaultSDK = "aws-sdk-unknown-unknown"

type migrated struct {
	user    *User
	created bool
}

// migrateOnSignIn runs UserMigration_Authentication for a user that does
// not exist. It returns the user (created now, or created meanwhile by a
// concurrent request) and whether this call created it with the password
// just typed (which the trigger verified).
func (s *Service) migrateOnSignIn(ctx context.Context, p *pool, c *client, typed, password string, in AuthInput) (*User, bool, error) {
	pwSum := sha256.Sum256([]byte(password))
	key := "auth\x00" + p.ID + "\x00" + p.set.usernameKey(typed) + "\x00" + hex.EncodeToString(pwSum[:])
	v, err, _ := s.flights.Do(key, func() (any, error) {
		// The flight outlives a caller that hangs up: its waiters still
		// need the answer, and a half-run migration must not be abandoned
		// between the trigger and the create.
		ctx := context.WithoutCancel(ctx)
		if u, err := s.findUser(ctx, p, typed); err != nil || u != nil {
			return migrated{user: u}, err
		}
		resp, inv, err := s.runMigration(ctx, p, c, trigger.SourceAuthentication, typed, password, in.ClientMetadata, nil, in.SDK)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			return nil, s.unknownUser(c)
		}
		u, err := s.userFromMigration(p, typed, resp, password)
		if err != nil {
			return nil, err
		}
		if err := s.createUser(ctx, p, u, resp.ForceAliasCreation != nil && *resp.ForceAliasCreation); err != nil {
			if errors.Is(err, ErrUsernameExists) {
				// Created meanwhile by another request (another password,
				// or SignUp): sign in against that user.
				existing, ferr := s.findUser(ctx, p, typed)
				if ferr == nil && existing != nil {
					return migrated{user: existing}, nil
				}
			}
			return nil, err
		}
		committed(ctx, inv, typed)
		s.log.InfoContext(ctx, "user migrated", "pool", p.ID, "username", u.Username,
			"trigger", trigger.SourceAuthentication, "status", u.Status)
		s.welcome(ctx, u, resp)
		return migrated{user: u, created: true}, nil
	})
	if err != nil {
		return nil, false, err
	}
	m := v.(migrated)
	return m.user, m.created, nil
}

// migrateOnForgot runs UserMigration_ForgotPassword for a user that does
// not exist, creates the user (RESET_REQUIRED, no password) and delivers
// the reset code. It returns nil, nil when the user exists by now: the
// caller runs the ordinary flow.
func (s *Service) migrateOnForgot(ctx context.Context, p *pool, c *client, typed string, meta map[string]string, sdk string) (*CodeDelivery, error) {
	key := "forgot\x00" + p.ID + "\x00" + p.set.usernameKey(typed)
	v, err, _ := s.flights.Do(key, func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		if u, err := s.findUser(ctx, p, typed); err != nil || u != nil {
			return (*CodeDelivery)(nil), err
		}
		resp, inv, err := s.runMigration(ctx, p, c, trigger.SourceForgotPassword, typed, "", nil, meta, sdk)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			if c.set.preventsExistenceErrors() {
				return simulatedDelivery(typed), nil
			}
			return nil, newErr(ErrUserNotFound, msgForgotNotFound)
		}
		u, err := s.userFromMigration(p, typed, resp, "")
		if err != nil {
			return nil, err
		}
		medium, attr, dest, ok := channel(&p.set, u.Attributes, true)
		if !ok {
			// Nothing is created: the user could not receive the code.
			if c.set.preventsExistenceErrors() {
				return simulatedDelivery(typed), nil
			}
			return nil, newErr(ErrInvalidParameter, msgNoVerifiedTarget)
		}
		code := newCode()
		u.ResetCode = &Code{Code: code, ExpiresAt: s.now().Add(resetCodeTTL)}
		if err := s.createUser(ctx, p, u, resp.ForceAliasCreation != nil && *resp.ForceAliasCreation); err != nil {
			if errors.Is(err, ErrUsernameExists) {
				return (*CodeDelivery)(nil), nil
			}
			return nil, err
		}
		committed(ctx, inv, typed)
		s.log.InfoContext(ctx, "user migrated", "pool", p.ID, "username", u.Username,
			"trigger", trigger.SourceForgotPassword, "status", u.Status)
		return s.deliver(ctx, u, "reset", medium, attr, dest, code)
	})
	if err != nil {
		return nil, err
	}
	// Concurrent ForgotPasswords of one new user share the flight: the code
	// goes out once and every caller sees where.
	return v.(*CodeDelivery), nil
}

// Committer is an Invoker that wants to know when the pool has stored the
// user its answer described: Ferry's in-process trigger, whose write-back
// mark then follows the pool's commit instead of preceding it. Committed
// gets the event's userName; it is called once the user is stored, never
// for an answer the pool refused.
type Committer interface {
	Committed(ctx context.Context, userName string)
}

// committed tells inv, when it is a Committer, that the user migrated
// under typed is stored.
func committed(ctx context.Context, inv Invoker, typed string) {
	if c, ok := inv.(Committer); ok {
		c.Committed(ctx, typed)
	}
}

// runMigration invokes the pool's migration trigger and returns its
// response, or nil when the function returned no user (empty
// userAttributes), and the function invoked.
func (s *Service) runMigration(ctx context.Context, p *pool, c *client, source, typed, password string,
	validationData, clientMetadata map[string]string, sdk string) (*trigger.Response, Invoker, error) {
	arn := p.set.LambdaConfig.UserMigration
	inv, err := s.invoker(arn)
	if err != nil {
		s.log.ErrorContext(ctx, "migration trigger unavailable", "pool", p.ID, "trigger", arn, "err", err)
		return nil, nil, newErr(ErrUserNotFound, "Exception migrating user in app client %s", c.ID)
	}
	if sdk == "" {
		sdk = defaultSDK
	}
	ev := trigger.Event{Version: "1", TriggerSource: source, Region: PoolRegion(p.ID), UserPoolID: p.ID,
		UserName: typed, CallerContext: trigger.CallerContext{AWSSDKVersion: sdk, ClientID: c.ID},
		Request: trigger.Request{Password: password, ValidationData: validationData, ClientMetadata: clientMetadata}}
	payload, err := eventPayload(ev)
	if err != nil {
		return nil, nil, err
	}
	out, err := s.invokeWith(ctx, p, triggerUserMigration, arn, inv, payload)
	if err != nil {
		return nil, nil, err
	}
	var back trigger.Event
	if err := json.Unmarshal(out, &back); err != nil {
		return nil, nil, &Error{Kind: ErrInvalidLambdaResponse, Message: "Invalid lambda function output : Invalid JSON", Err: err}
	}
	if !hasValue(back.Response.UserAttributes) {
		// No attribute with a value (a username alone, or empty strings)
		// describes no user: Cognito takes it as the empty answer.
		return nil, inv, nil
	}
	return &back.Response, inv, nil
}

// serverFault reports an Invoke API answer with an HTTP 5xx status, as the
// AWS SDK's response errors expose it.
func serverFault(err error) bool {
	var sc interface{ HTTPStatusCode() int }
	return errors.As(err, &sc) && sc.HTTPStatusCode() >= 500
}

// eventPayload marshals the event with every response member present and
// null, as Cognito sends it.
func eventPayload(ev trigger.Event) ([]byte, error) {
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode migration event: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("encode migration event: %w", err)
	}
	null := json.RawMessage("null")
	m["response"], err = json.Marshal(map[string]json.RawMessage{
		"userAttributes": null, "finalUserStatus": null, "messageAction": null,
		"desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null,
	})
	if err != nil {
		return nil, fmt.Errorf("encode migration event: %w", err)
	}
	return json.Marshal(m)
}

// userFromMigration validates a trigger response as Cognito does and builds
// the user it describes (not yet stored). password is "" for
// ForgotPassword.
func (s *Service) userFromMigration(p *pool, typed string, r *trigger.Response, password string) (*User, error) {
	fail := func(format string, args ...any) error {
		return newErr(ErrUserNotFound, format, args...)
	}
	status := r.FinalUserStatus
	switch status {
	case "CONFIRMED", "RESET_REQUIRED":
	case "":
		// Current documentation: anything but CONFIRMED is RESET_REQUIRED.
		status = "RESET_REQUIRED"
	default:
		return nil, fail("Error during migration: finalUserStatus invalid")
	}
	if password == "" {
		// ForgotPassword: no password until ConfirmForgotPassword.
		status = "RESET_REQUIRED"
	}
	switch r.MessageAction {
	case "", "SUPPRESS":
	default:
		return nil, fail("Error during migration: invalid messageAction")
	}
	for _, m := range r.DesiredDeliveryMediums {
		if m != "EMAIL" && m != "SMS" {
			return nil, fail("Error during migration: invalid desiredDeliveryMediums")
		}
	}
	smsMFA := r.EnableSMSMFA != nil && *r.EnableSMSMFA
	if smsMFA {
		// SMS MFA needs the factor on the pool and a number to send to.
		if poolSMS, _, _ := p.set.mfaFactors(); !poolSMS {
			return nil, fail("Error during migration: enableSMSMFA requires SMS MFA to be enabled on the user pool")
		}
		if r.UserAttributes["phone_number"] == "" {
			return nil, fail("Error during migration: enableSMSMFA requires a phone_number attribute")
		}
	}
	if err := checkAnswer(p, typed, r.UserAttributes); err != nil {
		return nil, err
	}
	attrs := maps.Clone(r.UserAttributes)
	username, hasUsername := attrs["username"]
	delete(attrs, "username")
	name := typed
	if hasUsername && username != typed {
		typedIsAlias := false
		for _, a := range aliasNames {
			if p.set.aliasAttr(a) && attrs[a] != "" && p.set.aliasKey(a, attrs[a]) == p.set.aliasKey(a, typed) {
				typedIsAlias = true
			}
		}
		if !typedIsAlias || username == "" {
			return nil, fail("Error during migration: username can only be returned when the user signed in with an alias, and must then be a new username")
		}
		name = username
	}
	u, err := s.buildUser(p, newUserInput{typed: name, attrs: attrs, status: status, password: password,
		origin: "migration", mode: attrMigrate})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && strings.HasPrefix(e.Message, "Attributes did not conform") {
			return nil, fail("%s", e.Message)
		}
		return nil, err
	}
	u.MFA.SMSEnabled = smsMFA
	return u, nil
}

// welcome sends the welcome message of a migrated user unless suppressed.
func (s *Service) welcome(ctx context.Context, u *User, r *trigger.Response) {
	if r.MessageAction == "SUPPRESS" {
		return
	}
	mediums := r.DesiredDeliveryMediums
	if len(mediums) == 0 {
		mediums = []string{"SMS"}
	}
	for _, m := range mediums {
		attr := map[string]string{"EMAIL": "email", "SMS": "phone_number"}[m]
		if dest := u.Attributes[attr]; dest != "" {
			if _, err := s.deliver(ctx, u, "invitation", m, attr, dest, ""); err != nil {
				s.log.WarnContext(ctx, "welcome message", "pool", u.PoolID, "username", u.Username, "err", err)
			}
		}
	}
}
