package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// ---- step 3: first sign-in ---------------------------------------------------

func (d *demo) firstSignIn(ctx context.Context) error {
	u := d.user("alice")
	if _, _, err := d.userStatus(ctx, u.username); !isAPIError[*ciptypes.UserNotFoundException](err) {
		return fmt.Errorf("before sign-in, AdminGetUser %s = %v, want UserNotFoundException", u.username, err)
	}
	d.say("AdminGetUser %s → UserNotFoundException: not in the pool yet", u.username)
	before := d.invocations.Load()
	res, err := d.passwordSignIn(ctx, u.username, u.password)
	if err != nil {
		return fmt.Errorf("InitiateAuth USER_PASSWORD_AUTH %s: %w", u.username, err)
	}
	if n := d.invocations.Load() - before; n != 1 {
		return fmt.Errorf("the trigger ran %d times, want 1", n)
	}
	d.say("InitiateAuth USER_PASSWORD_AUTH %s/%s → trigger UserMigration_Authentication → tokens", u.username, u.password)
	status, attrs, err := d.userStatus(ctx, u.username)
	if err != nil {
		return fmt.Errorf("AdminGetUser %s after sign-in: %w", u.username, err)
	}
	if status != "CONFIRMED" || attrs["email"] != u.email || attrs["email_verified"] != "true" {
		return fmt.Errorf("migrated user is %s with %v, want CONFIRMED with email %s verified", status, attrs, u.email)
	}
	d.say("AdminGetUser %s → %s, email %s (verified), sub %s", u.username, status, attrs["email"], attrs["sub"])
	if err := d.showTokens(ctx, res, u.username, attrs["sub"]); err != nil {
		return err
	}
	d.first = res
	d.ok("%s was migrated with the password she already had, and is signed in", u.username)
	return nil
}

// showTokens verifies the tokens against the pool's published JWKS, checks

// ---- step 4: second sign-in ------------------------------------------------

func (d *demo) secondSignIn(ctx context.Context) error {
	u := d.user("alice")
	before := d.invocations.Load()
	res, err := d.passwordSignIn(ctx, u.username, u.password)
	if err != nil {
		return fmt.Errorf("InitiateAuth USER_PASSWORD_AUTH %s: %w", u.username, err)
	}
	if n := d.invocations.Load() - before; n != 0 {
		return fmt.Errorf("the trigger ran %d times, want 0: the pool should know %s now", n, u.username)
	}
	if aws.ToString(res.AccessToken) == "" {
		return errors.New("no access token")
	}
	d.say("InitiateAuth USER_PASSWORD_AUTH %s → tokens, trigger invocations: 0", u.username)
	if d.first == nil {
		return errors.New("no session from the first sign-in to refresh")
	}
	ref, err := d.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(d.clientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(d.first.RefreshToken)},
	})
	if err != nil {
		return fmt.Errorf("InitiateAuth REFRESH_TOKEN_AUTH: %w", err)
	}
	if ref.AuthenticationResult == nil || aws.ToString(ref.AuthenticationResult.AccessToken) == "" {
		return errors.New("REFRESH_TOKEN_AUTH returned no access token")
	}
	if n := d.invocations.Load() - before; n != 0 {
		return fmt.Errorf("the trigger ran %d times, want 0", n)
	}
	oldClaims := unverifiedClaims(aws.ToString(d.first.AccessToken))
	newClaims := unverifiedClaims(aws.ToString(ref.AuthenticationResult.AccessToken))
	if oldClaims["origin_jti"] == nil || oldClaims["origin_jti"] != newClaims["origin_jti"] ||
		oldClaims["auth_time"] != newClaims["auth_time"] {
		return fmt.Errorf("refreshed token has origin_jti %v, auth_time %v; want the first sign-in's %v, %v",
			newClaims["origin_jti"], newClaims["auth_time"], oldClaims["origin_jti"], oldClaims["auth_time"])
	}
	d.say("InitiateAuth REFRESH_TOKEN_AUTH with step 3's refresh token → new access token, same origin_jti %v", newClaims["origin_jti"])
	d.ok("the pool signed %s in by itself; the legacy directory was not asked", u.username)
	return nil
}

// ---- step 5: wrong password --------------------------------------------------

func (d *demo) wrongPassword(ctx context.Context) error {
	u := d.user("bob")
	before := d.invocations.Load()
	_, err := d.passwordSignIn(ctx, u.username, u.password+"-typo")
	var na *ciptypes.NotAuthorizedException
	if !errors.As(err, &na) {
		return fmt.Errorf("InitiateAuth with a wrong password = %v, want NotAuthorizedException", err)
	}
	d.say("InitiateAuth USER_PASSWORD_AUTH %s/<wrong> → NotAuthorizedException: %s", u.username, aws.ToString(na.Message))
	if n := d.invocations.Load() - before; n < 1 {
		return fmt.Errorf("the trigger ran %d times, want at least 1", n)
	}
	if _, _, err := d.userStatus(ctx, u.username); !isAPIError[*ciptypes.UserNotFoundException](err) {
		return fmt.Errorf("after a failed sign-in, AdminGetUser %s = %v, want UserNotFoundException", u.username, err)
	}
	d.say("AdminGetUser %s → UserNotFoundException", u.username)
	d.ok("the trigger answered \"no user\"; the caller sees the generic error of any wrong password, nothing was created")
	return nil
}

// ---- step 6: the other hash formats -------------------------------------------

func (d *demo) otherFormats(ctx context.Context) error {
	for _, name := range []string{"bob", "carol"} {
		u := d.user(name)
		before := d.invocations.Load()
		if _, err := d.passwordSignIn(ctx, u.username, u.password); err != nil {
			return fmt.Errorf("InitiateAuth USER_PASSWORD_AUTH %s: %w", u.username, err)
		}
		if n := d.invocations.Load() - before; n != 1 {
			return fmt.Errorf("the trigger ran %d times for %s, want 1", n, u.username)
		}
		status, attrs, err := d.userStatus(ctx, u.username)
		if err != nil {
			return fmt.Errorf("AdminGetUser %s: %w", u.username, err)
		}
		if status != "CONFIRMED" || attrs["email"] != u.email {
			return fmt.Errorf("%s is %s with %v, want CONFIRMED with email %s", u.username, status, attrs, u.email)
		}
		d.say("InitiateAuth %s (%s) → migrated, %s, name %q", u.username, u.format, status, attrs["name"])
	}
	d.ok("phpass and bcrypt hashes verified by Ferry; both users migrated from the second source in the chain")
	return nil
}
