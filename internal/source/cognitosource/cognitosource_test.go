package cognitosource

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sourcetest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// Passwords of the old pool's users.
const (
	alicePassword = "Old-pool#Alice1"
	bobPassword   = "Old-pool#Bob22"
	davePassword  = "Old-pool#Dave3"
)

// oldPool is a local user pool standing in for the old pool: email as an
// alias, a custom attribute, and users in every state the source meets.
type oldPool struct {
	srv       *cognitotest.Server
	aliceSub  string
	bobSub    string
	secretID  string // an app client with a secret
	secret    string
	noAdminID string // an app client without ADMIN_USER_PASSWORD_AUTH
}

func newOldPool(t testing.TB) *oldPool {
	t.Helper()
	srv := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}
	}))
	p := &oldPool{srv: srv}
	srv.CreateUser(t, "alice", alicePassword, "email", "alice@example.com", "email_verified", "true",
		"given_name", "Alice", "family_name", "Liddell", "custom:tenant", "acme", "website", "https://alice.example.com")
	srv.CreateUser(t, "bob", bobPassword, "email", "bob@example.com", "email_verified", "true", "phone_number", "+15550102")
	srv.CreateUser(t, "dave", davePassword, "email", "dave@example.com", "email_verified", "true")
	ctx := t.Context()
	if _, err := srv.API.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(srv.PoolID), Username: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	// erin was invited with a temporary password and never changed it.
	if _, err := srv.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(srv.PoolID), Username: aws.String("erin"),
		TemporaryPassword: aws.String("Temp#Erin99"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("erin@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	// fred signed up and never confirmed.
	if _, err := srv.API.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(srv.ClientID), Username: aws.String("fred"), Password: aws.String("Old-pool#Fred4"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("fred@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	p.aliceSub, p.bobSub = p.sub(t, "alice"), p.sub(t, "bob")
	out, err := srv.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(srv.PoolID),
		ClientName: aws.String("with-secret"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	p.secretID, p.secret = aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
	out, err = srv.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(srv.PoolID),
		ClientName:        aws.String("srp-only"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	p.noAdminID = aws.ToString(out.UserPoolClient.ClientId)
	return p
}

func (p *oldPool) sub(t testing.TB, username string) string {
	t.Helper()
	out, err := p.srv.API.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(p.srv.PoolID), Username: aws.String(username)})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	t.Fatalf("%s has no sub", username)
	return ""
}

// config returns a source configuration for the old pool's ready client.
func (p *oldPool) config() Config {
	return Config{
		UserPoolID: p.srv.PoolID, ClientID: p.srv.ClientID, Endpoint: p.srv.URL,
		CustomAttributes: map[string]string{"custom:tenant": "custom:tenant"},
	}
}

// open opens c with static credentials (the local pool checks none).
func (c Config) openTest(t testing.TB, logger *slog.Logger) *Source {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s := c.open("old-pool", logger, aws.Config{
		Region:      cognitotest.Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
	})
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func (p *oldPool) wantAlice() *source.User {
	return &source.User{ID: p.aliceSub, Username: "alice", Email: "alice@example.com", EmailVerified: true,
		Attributes: map[string]string{"given_name": "Alice", "family_name": "Liddell", "website": "https://alice.example.com",
			"custom:tenant": "acme", "custom:legacy_sub": p.aliceSub}}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
		p := newOldPool(t)
		return sourcetest.Fixture{
			Source: p.config().openTest(t, nil),
			User:   sourcetest.Account{Name: "alice", Password: alicePassword, Want: p.wantAlice()},
			ByEmail: &sourcetest.Account{Name: "bob@example.com", Password: bobPassword, Want: &source.User{
				ID: p.bobSub, Username: "bob", Email: "bob@example.com", EmailVerified: true, Phone: "+15550102",
				Attributes: map[string]string{"custom:legacy_sub": p.bobSub}}},
			Disabled:    &sourcetest.Account{Name: "dave", Password: davePassword},
			Concurrency: 12,
		}
	})
}

func TestStates(t *testing.T) {
	t.Parallel()
	p := newOldPool(t)
	failing := p.config().openTest(t, nil)
	acceptCfg := p.config()
	acceptCfg.ChallengePolicy = ChallengeAcceptNewPasswordRequired
	accepting := acceptCfg.openTest(t, nil)

	tests := []struct {
		name      string
		src       *Source
		lookup    bool
		username  string
		password  string
		wantErr   error
		wantState string
		wantWeak  bool
	}{
		{name: "new password required is refused", src: failing, username: "erin", password: "Temp#Erin99",
			wantErr: source.ErrUserDisabled, wantState: "challenge NEW_PASSWORD_REQUIRED"},
		{name: "new password required accepted by policy", src: accepting, username: "erin", password: "Temp#Erin99", wantWeak: true},
		{name: "wrong temporary password", src: accepting, username: "erin", password: "Temp#Erin98", wantErr: source.ErrInvalidPassword},
		{name: "lookup of an invited user is refused", src: failing, lookup: true, username: "erin",
			wantErr: source.ErrUserDisabled, wantState: "FORCE_CHANGE_PASSWORD"},
		{name: "lookup of an invited user accepted by policy", src: accepting, lookup: true, username: "erin"},
		{name: "unconfirmed", src: failing, username: "fred", password: "Old-pool#Fred4",
			wantErr: source.ErrUserDisabled, wantState: "UNCONFIRMED"},
		{name: "lookup of an unconfirmed user", src: failing, lookup: true, username: "fred",
			wantErr: source.ErrUserDisabled, wantState: "UNCONFIRMED"},
		{name: "name Cognito cannot hold", src: failing, username: "has space", password: "x", wantErr: source.ErrUserNotFound},
		{name: "name longer than Cognito's limit", src: failing, username: strings.Repeat("a", 129), password: "x", wantErr: source.ErrUserNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				u   *source.User
				err error
			)
			if tc.lookup {
				u, err = tc.src.Lookup(t.Context(), tc.username)
			} else {
				u, err = tc.src.Authenticate(t.Context(), tc.username, tc.password)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if u != nil {
					t.Errorf("returned %+v with an outcome", u)
				}
				var se *StateError
				if got := ""; errors.As(err, &se) {
					got = se.State
					if got != tc.wantState {
						t.Errorf("state = %q, want %q", got, tc.wantState)
					}
				} else if tc.wantState != "" {
					t.Errorf("err = %v, want a *StateError %q", err, tc.wantState)
				}
				return
			}
			if u.Username != tc.username || u.Email != tc.username+"@example.com" || u.WeakHash != tc.wantWeak {
				t.Errorf("user = %+v, want %s with WeakHash %v", u, tc.username, tc.wantWeak)
			}
		})
	}
}

func TestClientSecret(t *testing.T) {
	t.Parallel()
	p := newOldPool(t)
	tests := []struct {
		name      string
		secret    string
		wantErr   error
		wantFault bool
		wantCheck string
	}{
		{name: "right secret", secret: p.secret},
		{name: "no secret configured", wantFault: true, wantCheck: "has a secret"},
		{name: "wrong secret", secret: p.secret + "x", wantFault: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := p.config()
			c.ClientID, c.ClientSecret = p.secretID, tc.secret
			s := c.openTest(t, nil)
			u, err := s.Authenticate(t.Context(), "alice", alicePassword)
			var se *source.Error
			if tc.wantFault {
				if !errors.As(err, &se) || source.IsOutcome(err) {
					t.Fatalf("err = %v, want a fault: a client misconfiguration is never a wrong password", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if u.ID != p.aliceSub {
					t.Errorf("ID = %q, want %q", u.ID, p.aliceSub)
				}
			}
			err = s.Check(t.Context())
			if tc.wantCheck == "" && err != nil && !tc.wantFault {
				t.Errorf("Check: %v", err)
			}
			if tc.wantCheck != "" && (err == nil || !strings.Contains(err.Error(), tc.wantCheck)) {
				t.Errorf("Check: %v, want %q", err, tc.wantCheck)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	p := newOldPool(t)
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" for healthy
	}{
		{name: "healthy", edit: func(*Config) {}},
		{name: "unknown pool", edit: func(c *Config) { c.UserPoolID = "us-east-1_NoSuchPool" }, want: "describe user pool"},
		{name: "unknown client", edit: func(c *Config) { c.ClientID = "nosuchclient" }, want: "describe user pool client"},
		{name: "client without the admin flow", edit: func(c *Config) { c.ClientID = p.noAdminID }, want: "does not allow ADMIN_USER_PASSWORD_AUTH"},
		{name: "server down", edit: func(c *Config) { c.Endpoint = "http://127.0.0.1:1" }, want: "describe user pool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := p.config()
			tc.edit(&c)
			err := c.openTest(t, nil).Check(t.Context())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var se *source.Error
			if !errors.As(err, &se) || se.Op != "check" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want a check fault with %q", err, tc.want)
			}
		})
	}
}

// TestDownIsAFault checks that an unreachable old pool never reads as a
// wrong password or an unknown user.
func TestDownIsAFault(t *testing.T) {
	t.Parallel()
	s := Config{UserPoolID: "us-east-1_Down", ClientID: "c", Endpoint: "http://127.0.0.1:1"}.openTest(t, nil)
	for _, call := range []func() (*source.User, error){
		func() (*source.User, error) { return s.Authenticate(t.Context(), "alice", alicePassword) },
		func() (*source.User, error) { return s.Lookup(t.Context(), "alice") },
	} {
		u, err := call()
		var se *source.Error
		if u != nil || !errors.As(err, &se) || source.IsOutcome(err) || se.Source != "old-pool" {
			t.Errorf("= %v, %v; want a fault of source old-pool", u, err)
		}
	}
}

// TestAnswer checks the mapping of every old-pool error to an outcome or a
// fault, including the ones the local pool cannot be made to send.
func TestAnswer(t *testing.T) {
	t.Parallel()
	c := Config{UserPoolID: "us-east-1_X", ClientID: "c"}
	s := c.open("old", nil, aws.Config{})
	notAuth := func(msg string) error { return &types.NotAuthorizedException{Message: aws.String(msg)} }
	tests := []struct {
		name      string
		err       error
		want      error // an outcome, or nil for a fault
		wantState string
	}{
		{name: "wrong password", err: notAuth("Incorrect username or password."), want: source.ErrInvalidPassword},
		{name: "disabled", err: notAuth("User is disabled."), want: source.ErrUserDisabled},
		{name: "locked out", err: notAuth("Password attempts exceeded"), want: source.ErrUserDisabled, wantState: "PASSWORD_ATTEMPTS_EXCEEDED"},
		{name: "unknown user", err: &types.UserNotFoundException{Message: aws.String("User does not exist.")}, want: source.ErrUserNotFound},
		{name: "reset required", err: &types.PasswordResetRequiredException{}, want: source.ErrUserDisabled, wantState: "RESET_REQUIRED"},
		{name: "unconfirmed", err: &types.UserNotConfirmedException{}, want: source.ErrUserDisabled, wantState: "UNCONFIRMED"},
		{name: "secret hash", err: notAuth("Unable to verify secret hash for client c")},
		{name: "other not authorized", err: notAuth("Access Token has expired")},
		{name: "throttled", err: &types.TooManyRequestsException{}},
		{name: "internal error", err: &types.InternalErrorException{}},
		{name: "access denied", err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}},
		{name: "network", err: errors.New("dial tcp 127.0.0.1:1: connection refused")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := s.answer(t.Context(), "authenticate", "alice", tc.err)
			if tc.want == nil {
				var se *source.Error
				if !errors.As(err, &se) || source.IsOutcome(err) || !errors.Is(err, tc.err) {
					t.Fatalf("answer(%v) = %v, want a fault wrapping it", tc.err, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("answer(%v) = %v, want %v", tc.err, err, tc.want)
			}
			var st *StateError
			if errors.As(err, &st) != (tc.wantState != "") || (st != nil && st.State != tc.wantState) {
				t.Errorf("answer(%v) = %#v, want state %q", tc.err, err, tc.wantState)
			}
		})
	}
	t.Run("expired context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.answer(ctx, "lookup", "alice", &types.UserNotFoundException{})
		if source.IsOutcome(err) || !errors.Is(err, context.Canceled) {
			t.Fatalf("answer with a cancelled context = %v, want a fault wrapping context.Canceled", err)
		}
	})
}

// TestNoSecretsInLogs signs in through a client whose tokens cannot be
// revoked (so the source logs a warning) and checks that neither the
// password, the client secret nor any token reaches the log.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	p := newOldPool(t)
	ctx := t.Context()
	out, err := p.srv.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(p.srv.PoolID),
		ClientName: aws.String("no-revocation"), GenerateSecret: true, EnableTokenRevocation: aws.Bool(false),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	var buf testenv.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := p.config()
	c.ClientID, c.ClientSecret = aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
	s := c.openTest(t, logger)
	if _, err := s.Authenticate(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "erin", "Temp#Erin99"); !errors.Is(err, source.ErrUserDisabled) {
		t.Fatalf("erin: %v", err)
	}
	logs := buf.String()
	if !strings.Contains(logs, "not revoked") || !strings.Contains(logs, "NEW_PASSWORD_REQUIRED") {
		t.Fatalf("expected the revocation warning and the refused challenge in the log:\n%s", logs)
	}
	for _, secret := range []string{alicePassword, "Temp#Erin99", c.ClientSecret, "eyJ"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q:\n%s", secret, logs)
		}
	}
}

func TestConfigLogValueHidesTheSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := Config{UserPoolID: "eu-west-1_AbCdEf123", ClientID: "client", ClientSecret: "s3cr3t-client-secret", ExternalID: "ext"}
	logger.Debug("config", "value", c, "pointer", &c)
	if out := buf.String(); strings.Contains(out, "s3cr3t") || !strings.Contains(out, `"client_secret_set":true`) || !strings.Contains(out, "eu-west-1") {
		t.Errorf("logged config: %s", out)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	valid := func() Config {
		return Config{UserPoolID: "eu-west-1_AbCdEf123", ClientID: "client"}
	}
	tests := []struct {
		name string
		edit func(*Config)
		want []string
	}{
		{name: "minimal", edit: func(*Config) {}},
		{name: "everything", edit: func(c *Config) {
			c.Region, c.ClientSecret, c.Endpoint = "eu-west-1", "s", "https://cognito-idp.eu-west-1.amazonaws.com"
			c.AssumeRoleARN, c.ExternalID = "arn:aws:iam::111122223333:role/ferry", "x"
			c.Attributes = []string{"given_name", "updated_at"}
			c.CustomAttributes = map[string]string{"custom:tenant": "custom:tenant", "custom:plan": "custom:legacy_plan"}
			c.LegacySubAttribute, c.ChallengePolicy, c.Timeout = "custom:old_sub", ChallengeAcceptNewPasswordRequired, MaxTimeout
		}},
		{name: "required", edit: func(c *Config) { *c = Config{} }, want: []string{"client_id: required", "user_pool_id: required"}},
		{name: "bad pool id and endpoint", edit: func(c *Config) { c.UserPoolID, c.Endpoint = "pool", "ftp://x" }, want: []string{
			"endpoint:", "user_pool_id:",
		}},
		{name: "attributes", edit: func(c *Config) { c.Attributes = []string{"sub", "email", "custom:tenant", "shoe_size"} }, want: []string{
			"attributes[0]: sub is never copied", `attributes[1]: "email" is always copied`,
			`attributes[2]: "custom:tenant" is a custom attribute`, `attributes[3]: "shoe_size" is not a standard attribute`,
		}},
		{name: "empty attributes", edit: func(c *Config) { c.Attributes = []string{} }, want: []string{"attributes: empty list"}},
		{name: "custom attributes", edit: func(c *Config) {
			c.CustomAttributes = map[string]string{"tenant": "custom:tenant", "custom:a": "custom:legacy_sub"}
		}, want: []string{
			`custom_attributes.tenant: "tenant" is not a custom attribute name`,
			`legacy_sub_attribute: "custom:legacy_sub" is also the target`,
		}},
		{name: "long custom name", edit: func(c *Config) { c.LegacySubAttribute = "custom:" + strings.Repeat("x", 21) }, want: []string{"legacy_sub_attribute:"}},
		{name: "policy, role and timeout", edit: func(c *Config) {
			c.ChallengePolicy, c.ExternalID, c.Timeout = "accept-all", "x", MaxTimeout+1
		}, want: []string{"challenge_policy:", "external_id: only meaningful", "timeout:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := valid()
			tc.edit(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", got, len(tc.want), err)
			}
		})
	}
}

func TestSecretHash(t *testing.T) {
	t.Parallel()
	// Computed independently:
	//   printf 'alice1example23456789' | openssl dgst -sha256 -hmac secret -binary | base64
	const want = "SRSokfDPYgNH3Tm3eRbqKCsFZg9Ia07+tqRIgXhLH5s="
	if got := secretHash("secret", "alice", "1example23456789"); got != want {
		t.Errorf("secretHash = %q, want %q", got, want)
	}
}

// TestOpen opens the source as the composition root does, with credentials
// from the environment (the default chain's first link, as in Lambda), and
// signs a user in through it. It sets environment variables, so it does
// not run in parallel.
func TestOpen(t *testing.T) {
	p := newOldPool(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c := p.config()
	start := time.Now()
	s, err := c.Open(t.Context(), "old-pool", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Open: %v", time.Since(start))
	defer s.Close()
	start = time.Now()
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	t.Logf("Check: %v", time.Since(start))
	start = time.Now()
	u, err := s.Authenticate(t.Context(), "alice", alicePassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Authenticate: %v", time.Since(start))
	if u.ID != p.aliceSub {
		t.Errorf("ID = %q, want %q", u.ID, p.aliceSub)
	}
	bad := c
	bad.UserPoolID = ""
	if _, err := bad.Open(t.Context(), "old-pool", nil); err == nil || !strings.Contains(err.Error(), "user_pool_id: required") {
		t.Errorf("Open with an invalid config: %v", err)
	}
}
