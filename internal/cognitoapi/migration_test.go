package cognitoapi_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/srp"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// MigrationError is the trigger's user-safe error type.
type MigrationError struct{ msg string }

func (e *MigrationError) Error() string { return e.msg }

// legacyTrigger is a migration function over a tiny legacy directory, run
// in-process exactly as the Lambda runtime would run it.
type legacyTrigger struct {
	calls atomic.Int32
	delay time.Duration
}

func (l *legacyTrigger) handle(ctx context.Context, ev trigger.Event) (trigger.Event, error) {
	l.calls.Add(1)
	if l.delay > 0 {
		select {
		case <-time.After(l.delay):
		case <-ctx.Done():
			return ev, ctx.Err()
		}
	}
	users := map[string]string{"ann": "Legacy-pass1", "rita": "Legacy-pass2"}
	pw, ok := users[ev.UserName]
	switch {
	case !ok:
		return ev, nil // empty response: "no such user"
	case ev.TriggerSource == trigger.SourceAuthentication && ev.Request.Password != pw:
		return ev, &MigrationError{"Incorrect legacy password"}
	}
	status := "CONFIRMED"
	if ev.UserName == "rita" {
		status = "RESET_REQUIRED"
	}
	ev.Response = trigger.Response{UserAttributes: map[string]string{
		"email": ev.UserName + "@example.com", "email_verified": "true", "custom:legacy_id": "L-" + ev.UserName},
		FinalUserStatus: status, MessageAction: "SUPPRESS"}
	return ev, nil
}

func migrationServer(t *testing.T, l *legacyTrigger, prevent bool, opts ...cognitotest.Option) *cognitotest.Server {
	return cognitotest.NewServer(t, append(opts,
		cognitotest.WithMigration(lambdainvoke.InProcess(l.handle)),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.Schema = []types.SchemaAttributeType{{Name: aws.String("legacy_id"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)}}
		}),
		cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
			if prevent {
				in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
			}
		}))...)
}

func TestMigrationThroughTheAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prevent  bool
		username string
		password string
		admin    bool
		wantCode string
		wantMsg  string
	}{
		{name: "legacy user migrates", username: "ann", password: "Legacy-pass1"},
		{name: "admin flow migrates too", username: "ann", password: "Legacy-pass1", admin: true},
		{name: "reset required", username: "rita", password: "Legacy-pass2", wantCode: "PasswordResetRequiredException"},
		{name: "function error reaches the user", username: "ann", password: "nope", wantCode: "UserLambdaValidationException",
			wantMsg: "UserMigration failed with error Incorrect legacy password."},
		{name: "unknown, legacy", username: "zed", password: "x", wantCode: "UserNotFoundException"},
		{name: "unknown, prevented", prevent: true, username: "zed", password: "x", wantCode: "NotAuthorizedException", wantMsg: "Incorrect username or password."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := &legacyTrigger{}
			s := migrationServer(t, l, tt.prevent)
			ctx := t.Context()
			var err error
			if tt.admin {
				_, err = s.API.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID),
					AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": tt.username, "PASSWORD": tt.password}})
			} else {
				_, err = s.SignIn(ctx, tt.username, tt.password)
			}
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if tt.wantMsg != "" && apiMessage(err) != tt.wantMsg {
				t.Errorf("message = %q, want %q", apiMessage(err), tt.wantMsg)
			}
			if err != nil {
				return
			}
			u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.PoolID), Username: aws.String(tt.username)})
			if err != nil {
				t.Fatal(err)
			}
			if attrValue(u.UserAttributes, "custom:legacy_id") != "L-ann" || u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("migrated user = %+v", u)
			}
			// After migration the password works with SRP as well: the
			// verifier was computed from the password just typed.
			c, err := srp.NewClient(srp.PoolName(s.PoolID), tt.password)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := s.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID), AuthFlow: types.AuthFlowTypeUserSrpAuth,
				AuthParameters: map[string]string{"USERNAME": tt.username, "SRP_A": c.SRPA()}})
			if err != nil {
				t.Fatal(err)
			}
			p := ch.ChallengeParameters
			ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.API.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: map[string]string{
					"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}}); err != nil {
				t.Fatalf("SRP after migration: %v", err)
			}
			if l.calls.Load() != 1 {
				t.Errorf("trigger ran %d times, want 1", l.calls.Load())
			}
		})
	}
}

func TestMigrationConcurrentFirstSignInsOverHTTP(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]cognitotest.Option{"memory": nil, "sqlite": {cognitotest.WithSQLite()}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			concurrentFirstSignIns(t, opts)
		})
	}
}

func concurrentFirstSignIns(t *testing.T, opts []cognitotest.Option) {
	l := &legacyTrigger{delay: 50 * time.Millisecond}
	s := migrationServer(t, l, false, opts...)
	const n = 16
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range n {
		wg.Go(func() {
			if _, err := s.SignIn(t.Context(), "ann", "Legacy-pass1"); err != nil {
				failures.Add(1)
				t.Errorf("sign-in: %v", err)
			}
		})
	}
	wg.Wait()
	out, err := s.API.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Users) != 1 || failures.Load() != 0 {
		t.Fatalf("%d users, %d failed sign-ins; want 1 user and none failed", len(out.Users), failures.Load())
	}
	if got := l.calls.Load(); got != 1 {
		t.Errorf("trigger ran %d times for %d concurrent first sign-ins, want 1", got, n)
	}
}

func TestMigrationForgotPasswordThroughTheAPI(t *testing.T) {
	t.Parallel()
	l := &legacyTrigger{}
	s := migrationServer(t, l, false)
	ctx := t.Context()
	out, err := s.API.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String("ann")})
	if err != nil {
		t.Fatal(err)
	}
	if out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Errorf("delivery = %+v", out.CodeDeliveryDetails)
	}
	if _, err := s.API.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(s.ClientID), Username: aws.String("ann"),
		ConfirmationCode: aws.String(lastCode(t, s, "ann")), Password: aws.String("N3w-Password!")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "ann", "N3w-Password!"); err != nil {
		t.Fatalf("sign-in with the reset password: %v", err)
	}
	_, err = s.SignIn(ctx, "ann", "Legacy-pass1")
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Errorf("legacy password after reset: %v", err)
	}
	if l.calls.Load() != 1 {
		t.Errorf("trigger ran %d times, want 1", l.calls.Load())
	}
}
