// Package cognitosource is a legacy source that is another Amazon Cognito
// user pool: a pool-to-pool migration, users moving one at a time from an
// old pool (another account, another region, a pool whose immutable
// settings — sign-in attributes, case sensitivity, required attributes —
// are wrong) into a new one with the password they already know.
//
// A password is verified with AdminInitiateAuth(ADMIN_USER_PASSWORD_AUTH)
// on the old pool, with SECRET_HASH when its app client has a secret; the
// user's attributes are read with AdminGetUser (which is also the Lookup of
// forgot-password). The tokens a successful verification makes are never
// logged or returned: the refresh token is revoked at once (RevokeToken,
// which also ends the access tokens made with it) and the rest dropped.
//
// Answers of the old pool and what they become:
//
//	NotAuthorizedException "Incorrect username or password."  source.ErrInvalidPassword
//	NotAuthorizedException "User is disabled."                source.ErrUserDisabled
//	NotAuthorizedException "Password attempts exceeded"       *StateError (locked; an ErrUserDisabled)
//	UserNotFoundException                                     source.ErrUserNotFound
//	PasswordResetRequiredException                            *StateError RESET_REQUIRED on sign-in; the
//	                                                          user is returned by Lookup, so the new pool's
//	                                                          forgot-password migrates them RESET_REQUIRED
//	UserNotConfirmedException, status UNCONFIRMED             *StateError: they never proved their address;
//	                                                          they sign up again in the new pool
//	a challenge (MFA, NEW_PASSWORD_REQUIRED, custom, …)       *StateError, unless challenge_policy accepts
//	                                                          NEW_PASSWORD_REQUIRED (see Config)
//	any other NotAuthorizedException (secret hash, …),        a fault (*source.Error): never a wrong
//	throttling, 5xx, network, access denied                   password
//
// A *StateError is an outcome, not a fault: the user exists and cannot
// sign in with a password there, and the migration answers them as it
// answers a wrong password — a fault would fail differently and tell an
// observer that the password was right.
//
// Timing: an unknown user and a wrong password each cost one
// AdminInitiateAuth round trip here. What the old pool itself spends on
// each is its own: with PreventUserExistenceErrors LEGACY on its app client
// it answers an unknown name with UserNotFoundException, presumably
// without a password check, so an unknown name may come back sooner than a
// wrong password. With ENABLED it answers both with "Incorrect username or
// password." and the same work, but then an unknown user reads as a wrong
// password here: it stops a chain of sources instead of moving on, so such
// a pool belongs last in its chain (or alone on its route).
//
// Every verification is a real sign-in to the old pool: it runs the old
// pool's authentication triggers and counts toward its monthly active
// users and its failed-attempt lockout.
package cognitosource

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ferry-migrate/ferry/internal/source"
)

// StateError is the outcome for a user the old pool holds but will not let
// sign in with a password alone: unconfirmed, reset required, locked out,
// or asked for a challenge. It is an ErrUserDisabled.
type StateError struct {
	// State is the old pool's user status (UNCONFIRMED, RESET_REQUIRED,
	// FORCE_CHANGE_PASSWORD, …), "PASSWORD_ATTEMPTS_EXCEEDED", or
	// "challenge " and the challenge's name.
	State string
}

func (e *StateError) Error() string {
	return "the old pool does not let the user sign in with a password: " + e.State
}

// Unwrap makes a StateError a source.ErrUserDisabled.
func (e *StateError) Unwrap() error { return source.ErrUserDisabled }

// usernamePattern is Cognito's pattern for Username in AdminGetUser and
// friends; a name outside it cannot be a user of the old pool.
var usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// maxUsername is Cognito's limit on Username, in characters.
const maxUsername = 128

// validName reports whether name could name a user of a Cognito pool. The
// shape of a typed name is public: rejecting it unasked reveals nothing.
func validName(name string) bool {
	return utf8.ValidString(name) && utf8.RuneCountInString(name) <= maxUsername && usernamePattern.MatchString(name)
}

// api is the part of the Cognito API the source calls.
type api interface {
	AdminInitiateAuth(context.Context, *cip.AdminInitiateAuthInput, ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	DescribeUserPoolClient(context.Context, *cip.DescribeUserPoolClientInput, ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
}

// Source is an old Cognito user pool. It is safe for concurrent use.
type Source struct {
	name      string
	cfg       Config
	api       api
	transport *http.Transport
	logger    *slog.Logger
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
)

// Open validates c and makes the client: credentials from the AWS default
// chain, then AssumeRole when assume_role_arn is set. It makes no call;
// Check does.
func (c *Config) Open(ctx context.Context, name string, logger *slog.Logger) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(c.region()))
	if err != nil {
		return nil, fmt.Errorf("aws configuration: %w", err)
	}
	if c.AssumeRoleARN != "" {
		stsClient := sts.NewFromConfig(awsCfg)
		awsCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, c.AssumeRoleARN,
			func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = "ferry-" + name
				if c.ExternalID != "" {
					o.ExternalID = aws.String(c.ExternalID)
				}
			}))
	}
	return c.open(name, logger, awsCfg), nil
}

// open makes the source on an AWS configuration (tests pass static
// credentials).
func (c *Config) open(name string, logger *slog.Logger, awsCfg aws.Config) *Source {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client := cip.NewFromConfig(awsCfg, func(o *cip.Options) {
		o.Region = c.region()
		o.HTTPClient = &http.Client{Transport: tr}
		// One retry of a throttled or dropped call; the deadline bounds it.
		o.RetryMaxAttempts = 2
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return &Source{name: name, cfg: *c, api: client, transport: tr,
		logger: logger.With("source", name, "type", "cognito")}
}

// Close releases idle connections.
func (s *Source) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// secretHash is Cognito's SECRET_HASH: Base64(HMAC-SHA256(secret, username + client id)).
func secretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Authenticate verifies password with the old pool and reads the user.
func (s *Source) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	const op = "authenticate"
	if err := ctx.Err(); err != nil {
		return nil, s.fault(op, err)
	}
	if password == "" {
		return nil, source.ErrInvalidPassword
	}
	if !validName(name) {
		return nil, source.ErrUserNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout())
	defer cancel()
	params := map[string]string{"USERNAME": name, "PASSWORD": password}
	if s.cfg.ClientSecret != "" {
		params["SECRET_HASH"] = secretHash(s.cfg.ClientSecret, name, s.cfg.ClientID)
	}
	out, err := s.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(s.cfg.UserPoolID), ClientId: aws.String(s.cfg.ClientID),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params,
	})
	if err != nil {
		return nil, s.answer(ctx, op, name, err)
	}
	forced := false
	switch ch := out.ChallengeName; {
	case ch == "":
		s.revoke(ctx, out.AuthenticationResult)
	case ch == types.ChallengeNameTypeNewPasswordRequired && s.cfg.ChallengePolicy == ChallengeAcceptNewPasswordRequired:
		// The session is dropped unanswered; it expires on its own.
		forced = true
	default:
		return nil, s.outcome(ctx, op, name, &StateError{State: "challenge " + string(ch)})
	}
	u, err := s.getUser(ctx, op, name, forced)
	if err != nil {
		return nil, err
	}
	if forced {
		// The password is a temporary one an administrator chose; the
		// migration policy's reset_weak_hash makes the user choose their own.
		u.WeakHash = true
	}
	return u, nil
}

// Lookup reads the user without a password (forgot-password). A user whose
// old password must be reset is returned: a reset is what the new pool's
// forgot-password gives them.
func (s *Source) Lookup(ctx context.Context, name string) (*source.User, error) {
	const op = "lookup"
	if err := ctx.Err(); err != nil {
		return nil, s.fault(op, err)
	}
	if !validName(name) {
		return nil, source.ErrUserNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout())
	defer cancel()
	return s.getUser(ctx, op, name, s.cfg.ChallengePolicy == ChallengeAcceptNewPasswordRequired)
}

// getUser reads name with AdminGetUser and maps it. acceptForced admits a
// FORCE_CHANGE_PASSWORD user.
func (s *Source) getUser(ctx context.Context, op, name string, acceptForced bool) (*source.User, error) {
	out, err := s.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.cfg.UserPoolID), Username: aws.String(name)})
	if err != nil {
		return nil, s.answer(ctx, op, name, err)
	}
	if !out.Enabled {
		return nil, source.ErrUserDisabled
	}
	switch st := out.UserStatus; {
	case st == types.UserStatusTypeConfirmed:
	case st == types.UserStatusTypeResetRequired && op == "lookup":
	case st == types.UserStatusTypeForceChangePassword && acceptForced:
	default:
		return nil, s.outcome(ctx, op, name, &StateError{State: string(st)})
	}
	return s.mapUser(out), nil
}

// mapUser makes a fresh source.User from the old pool's answer.
func (s *Source) mapUser(out *cip.AdminGetUserOutput) *source.User {
	attrs := make(map[string]string, len(out.UserAttributes))
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	u := &source.User{
		ID:            attrs["sub"],
		Username:      aws.ToString(out.Username),
		Email:         attrs["email"],
		EmailVerified: attrs["email_verified"] == "true",
		Phone:         attrs["phone_number"],
		PhoneVerified: attrs["phone_number_verified"] == "true",
		Attributes:    map[string]string{},
	}
	if u.ID == "" {
		u.ID = u.Username
	}
	for _, a := range s.cfg.attributes() {
		if v := attrs[a]; v != "" {
			u.Attributes[a] = v
		}
	}
	for from, to := range s.cfg.CustomAttributes {
		if v := attrs[from]; v != "" {
			u.Attributes[to] = v
		}
	}
	if sub := attrs["sub"]; sub != "" {
		u.Attributes[s.cfg.legacySub()] = sub
	}
	return u
}

// revoke revokes the refresh token of a successful verification. A failure
// is logged (without the token) and does not fail the migration: the
// password was proven, and the token dies with this process's memory.
func (s *Source) revoke(ctx context.Context, res *types.AuthenticationResultType) {
	if s.cfg.SkipTokenRevocation || res == nil || aws.ToString(res.RefreshToken) == "" {
		return
	}
	in := &cip.RevokeTokenInput{Token: res.RefreshToken, ClientId: aws.String(s.cfg.ClientID)}
	if s.cfg.ClientSecret != "" {
		in.ClientSecret = aws.String(s.cfg.ClientSecret)
	}
	if _, err := s.api.RevokeToken(ctx, in); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "old pool refresh token not revoked", slog.String("error", err.Error()))
	}
}

// Check describes the old pool and its app client: the pool exists and is
// reachable with these credentials, and the client allows
// ADMIN_USER_PASSWORD_AUTH.
func (s *Source) Check(ctx context.Context) error {
	const op = "check"
	if _, err := s.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.cfg.UserPoolID)}); err != nil {
		return s.fault(op, fmt.Errorf("describe user pool: %w", err))
	}
	out, err := s.api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(s.cfg.UserPoolID), ClientId: aws.String(s.cfg.ClientID)})
	if err != nil {
		return s.fault(op, fmt.Errorf("describe user pool client: %w", err))
	}
	c := out.UserPoolClient
	allowed := false
	for _, f := range c.ExplicitAuthFlows {
		if f == types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth || f == types.ExplicitAuthFlowsTypeAdminNoSrpAuth {
			allowed = true
		}
	}
	if !allowed {
		return s.fault(op, fmt.Errorf("app client %s does not allow ADMIN_USER_PASSWORD_AUTH", s.cfg.ClientID))
	}
	if aws.ToString(c.ClientSecret) != "" && s.cfg.ClientSecret == "" {
		return s.fault(op, fmt.Errorf("app client %s has a secret: set client_secret or client_secret_file", s.cfg.ClientID))
	}
	return nil
}

// answer turns an error of the old pool into an outcome or a fault.
func (s *Source) answer(ctx context.Context, op, name string, err error) error {
	var (
		notAuth  *types.NotAuthorizedException
		notFound *types.UserNotFoundException
		reset    *types.PasswordResetRequiredException
		unconf   *types.UserNotConfirmedException
	)
	switch cerr := ctx.Err(); {
	case cerr != nil:
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
	case errors.As(err, &notFound):
		return source.ErrUserNotFound
	case errors.As(err, &reset):
		return s.outcome(ctx, op, name, &StateError{State: string(types.UserStatusTypeResetRequired)})
	case errors.As(err, &unconf):
		return s.outcome(ctx, op, name, &StateError{State: string(types.UserStatusTypeUnconfirmed)})
	case errors.As(err, &notAuth):
		switch msg := strings.TrimSuffix(strings.TrimSpace(notAuth.ErrorMessage()), "."); msg {
		case "Incorrect username or password":
			return source.ErrInvalidPassword
		case "User is disabled":
			return source.ErrUserDisabled
		case "Password attempts exceeded":
			return s.outcome(ctx, op, name, &StateError{State: "PASSWORD_ATTEMPTS_EXCEEDED"})
		}
	}
	return s.fault(op, err)
}

// outcome logs why a user the old pool holds is not migrated, and returns e.
func (s *Source) outcome(ctx context.Context, op, name string, e *StateError) error {
	s.logger.LogAttrs(ctx, slog.LevelInfo, "old pool user not migratable",
		slog.String("op", op), slog.String("username", name), slog.String("state", e.State))
	return e
}

// fault wraps err as this source's fault.
func (s *Source) fault(op string, err error) error {
	return &source.Error{Source: s.name, Op: op, Err: err}
}
