package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// ---- step 7: forgot password ------------------------------------------------

func (d *demo) forgotPassword(ctx context.Context) error {
	u := d.user("dave")
	before := d.invocations.Load()
	out, err := d.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(d.clientID), Username: aws.String(u.username)})
	if err != nil {
		return fmt.Errorf("ForgotPassword %s: %w", u.username, err)
	}
	if n := d.invocations.Load() - before; n != 1 {
		return fmt.Errorf("the trigger ran %d times, want 1 (UserMigration_ForgotPassword)", n)
	}
	cd := out.CodeDeliveryDetails
	if cd == nil || cd.DeliveryMedium != ciptypes.DeliveryMediumTypeEmail {
		return fmt.Errorf("CodeDeliveryDetails = %+v, want an EMAIL delivery", cd)
	}
	d.say("ForgotPassword %s → trigger UserMigration_ForgotPassword → code sent by %s to %s",
		u.username, cd.DeliveryMedium, aws.ToString(cd.Destination))
	status, _, err := d.userStatus(ctx, u.username)
	if err != nil {
		return fmt.Errorf("AdminGetUser %s: %w", u.username, err)
	}
	if status != "RESET_REQUIRED" {
		return fmt.Errorf("%s is %s, want RESET_REQUIRED", u.username, status)
	}
	d.say("AdminGetUser %s → %s: created without a password", u.username, status)

	msgs, err := d.svc.Store().ListMessages(ctx, d.poolID, 0, 100)
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	i := slices.IndexFunc(msgs, func(m *userpool.Message) bool { return m.Username == u.username && m.Kind == "reset" })
	if i < 0 {
		return fmt.Errorf("no reset code for %s in the outbox", u.username)
	}
	code := msgs[i].Code
	d.say("outbox: %s message to %s with code %s", msgs[i].Medium, msgs[i].Destination, code)

	if _, err := d.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(d.clientID), Username: aws.String(u.username),
		ConfirmationCode: aws.String(code), Password: aws.String(newPassword),
	}); err != nil {
		return fmt.Errorf("ConfirmForgotPassword: %w", err)
	}
	d.say("ConfirmForgotPassword %s, code %s, new password %s → OK", u.username, code, newPassword)
	before = d.invocations.Load()
	if _, err := d.passwordSignIn(ctx, u.username, newPassword); err != nil {
		return fmt.Errorf("sign-in with the new password: %w", err)
	}
	if _, err := d.passwordSignIn(ctx, u.username, u.password); !isAPIError[*ciptypes.NotAuthorizedException](err) {
		return fmt.Errorf("sign-in with the legacy password after the reset = %v, want NotAuthorizedException", err)
	}
	if n := d.invocations.Load() - before; n != 0 {
		return fmt.Errorf("the trigger ran %d times after the reset, want 0", n)
	}
	status, _, err = d.userStatus(ctx, u.username)
	if err != nil || status != "CONFIRMED" {
		return fmt.Errorf("after the reset %s is %s (%v), want CONFIRMED", u.username, status, err)
	}
	d.say("InitiateAuth %s with the new password → tokens; with the legacy one → NotAuthorizedException", u.username)
	d.ok("%s is migrated and uses the new password only", u.username)
	return nil
}
