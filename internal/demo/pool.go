package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/setup/localpool"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// ---- step 2: the pool -------------------------------------------------------

func (d *demo) startPool(ctx context.Context) error {
	dsn := "file:" + d.dbPath + "?_pragma=busy_timeout(5000)"
	conf := fmt.Sprintf(`
sources:
  - name: intranet
    type: sql
    config:
      preset: aspnet-identity
      driver: sqlite
      dsn: %q
  - name: blog
    type: sql
    config:
      preset: wordpress
      driver: sqlite
      dsn: %q
migration:
  mark_migrated: true
trigger:
  failure_style: empty
log:
  level: debug
  format: text
`, dsn, dsn)
	cfg, err := setup.Load([]byte(conf))
	if err != nil {
		return fmt.Errorf("trigger configuration: %w", err)
	}
	d.app, err = setup.Build(ctx, cfg, d.opts.Logger)
	if err != nil {
		return fmt.Errorf("build the trigger: %w", err)
	}
	d.say("trigger: Ferry's Lambda handler, in-process, sources intranet (aspnet-identity) → blog (wordpress)")

	store, keys, err := localpool.Open(ctx, "", d.opts.Logger)
	if err != nil {
		return err
	}
	d.store = store
	invoker := countingInvoker{next: lambdainvoke.InProcess(d.app.Handler), n: &d.invocations}
	d.svc, err = userpool.New(userpool.Config{
		Store: store, Logger: d.opts.Logger, Region: poolRegion, Keys: keys, AWSIssuer: true,
		Resolver: func(arn string) (userpool.Invoker, error) {
			if arn != triggerARN {
				return nil, fmt.Errorf("no function %s", arn)
			}
			return invoker, nil
		},
	})
	if err != nil {
		return fmt.Errorf("user pool service: %w", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: cognitoapi.New(d.svc, d.opts.Logger), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	d.baseURL = "http://" + ln.Addr().String()
	d.stopServer = func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
	d.say("local user pool API listening on %s", d.baseURL)

	d.api = cip.New(cip.Options{
		Region:       poolRegion,
		BaseEndpoint: aws.String(d.baseURL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFERRYDEMO", "ferry-demo-secret", ""),
		HTTPClient:   d.http,
	})
	pool, err := d.api.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:              aws.String("ferry-demo"),
		LambdaConfig:          &ciptypes.LambdaConfigType{UserMigration: aws.String(triggerARN)},
		UsernameConfiguration: &ciptypes.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		AutoVerifiedAttributes: []ciptypes.VerifiedAttributeType{
			ciptypes.VerifiedAttributeTypeEmail,
		},
	})
	if err != nil {
		return fmt.Errorf("CreateUserPool: %w", err)
	}
	d.poolID = aws.ToString(pool.UserPool.Id)
	client, err := d.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(d.poolID),
		ClientName: aws.String("ferry-demo-app"),
		// With existence errors prevented and the trigger's "empty" failure
		// style, an unknown user and a wrong password look the same.
		PreventUserExistenceErrors: ciptypes.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{
			ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		return fmt.Errorf("CreateUserPoolClient: %w", err)
	}
	d.clientID = aws.ToString(client.UserPoolClient.ClientId)
	d.say("CreateUserPool → %s, UserMigration trigger %s", d.poolID, triggerARN)
	d.say("CreateUserPoolClient → %s (USER_PASSWORD_AUTH, USER_SRP_AUTH, PreventUserExistenceErrors)", d.clientID)
	n, err := d.poolUsers(ctx)
	if err != nil {
		return err
	}
	if n != 0 {
		return fmt.Errorf("the new pool holds %d users, want 0", n)
	}
	d.ok("pool ready and empty; the AWS SDK for Go talks to it through BaseEndpoint %s", d.baseURL)
	return nil
}

// poolUsers counts the pool's users through ListUsers.
func (d *demo) poolUsers(ctx context.Context) (int, error) {
	n := 0
	var token *string
	for {
		out, err := d.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(d.poolID), PaginationToken: token})
		if err != nil {
			return 0, fmt.Errorf("ListUsers: %w", err)
		}
		n += len(out.Users)
		if token = out.PaginationToken; token == nil || *token == "" {
			return n, nil
		}
	}
}

// user returns the demo user named username.
func (d *demo) user(username string) legacyUser {
	for _, u := range d.users {
		if u.username == username {
			return u
		}
	}
	return legacyUser{username: username}
}

// passwordSignIn runs InitiateAuth USER_PASSWORD_AUTH.
func (d *demo) passwordSignIn(ctx context.Context, username, password string) (*ciptypes.AuthenticationResultType, error) {
	out, err := d.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		ClientId: aws.String(d.clientID),
		AuthParameters: map[string]string{
			"USERNAME": username, "PASSWORD": password,
		},
	})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("InitiateAuth answered challenge %q instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// userStatus returns AdminGetUser's status and attributes.
func (d *demo) userStatus(ctx context.Context, username string) (string, map[string]string, error) {
	out, err := d.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(d.poolID), Username: aws.String(username)})
	if err != nil {
		return "", nil, err
	}
	attrs := map[string]string{}
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return string(out.UserStatus), attrs, nil
}

// isAPIError reports whether err is the Cognito exception T.
func isAPIError[T error](err error) bool {
	var target T
	return err != nil && errors.As(err, &target)
}
