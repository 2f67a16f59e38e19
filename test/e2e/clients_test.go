package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/srp"
)

// outcome is what a client saw for one step: "ok" or the exception name
// the client itself reports, with its message and any tokens issued.
type outcome struct {
	got, message string
	tokens       *tokenSet
}

// goClient runs steps with aws-sdk-go-v2 directly.
type goClient struct {
	p        *pool
	api      *cip.Client
	sessions map[string]*tokenSet // clientId/username -> last tokens
	vars     callVars             // what opCall steps saved
}

func newGoClient(p *pool) *goClient {
	return &goClient{p: p, api: p.API, sessions: map[string]*tokenSet{}}
}

func apiOutcome(err error) outcome {
	if err == nil {
		return outcome{got: "ok"}
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return outcome{got: ae.ErrorCode(), message: ae.ErrorMessage()}
	}
	return outcome{got: "error", message: err.Error()}
}

func (c *goClient) run(ctx context.Context, s step) outcome {
	cid := aws.String(s.clientID(c.p))
	key := s.clientID(c.p) + "/" + s.Username
	switch s.Op {
	case opCall:
		return c.call(ctx, s)
	case opSignUp:
		var attrs []types.AttributeType
		for k, v := range s.Attributes {
			attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
		}
		_, err := c.api.SignUp(ctx, &cip.SignUpInput{ClientId: cid, Username: aws.String(s.Username),
			Password: aws.String(s.Password), UserAttributes: attrs})
		return apiOutcome(err)
	case opConfirmSignUp:
		code, err := outboxCode(ctx, c.p.URL, c.p.PoolID, s.Username)
		if err != nil {
			return outcome{got: "error", message: err.Error()}
		}
		_, err = c.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: cid, Username: aws.String(s.Username),
			ConfirmationCode: aws.String(code)})
		return apiOutcome(err)
	case opPasswordAuth:
		out, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: cid, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": s.Username, "PASSWORD": s.Password}})
		return c.signedIn(key, s, out, err)
	case opAdminPasswordAuth:
		out, err := c.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(c.p.PoolID), ClientId: cid,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": s.Username, "PASSWORD": s.Password}})
		if err != nil {
			return apiOutcome(err)
		}
		return c.result(key, s, out.AuthenticationResult)
	case opSRPAuth:
		return c.srp(ctx, key, s)
	case opCustomAuth:
		return c.custom(ctx, key, s)
	case opRefresh:
		prev := c.sessions[key]
		if prev == nil {
			return outcome{got: "error", message: "no earlier sign-in"}
		}
		out, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: cid, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": prev.refresh}})
		return c.signedIn(key, s, out, err)
	case opForgotPassword:
		_, err := c.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: cid, Username: aws.String(s.Username)})
		return apiOutcome(err)
	case opConfirmForgotPassword:
		code, err := outboxCode(ctx, c.p.URL, c.p.PoolID, s.Username)
		if err != nil {
			return outcome{got: "error", message: err.Error()}
		}
		_, err = c.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: cid, Username: aws.String(s.Username),
			ConfirmationCode: aws.String(code), Password: aws.String(s.NewPassword)})
		return apiOutcome(err)
	case opUpdateAttributes, opVerifyEmail, opDeleteUser:
		prev := c.sessions[key]
		if prev == nil {
			return outcome{got: "error", message: "no earlier sign-in"}
		}
		tok := aws.String(prev.Access)
		switch s.Op {
		case opUpdateAttributes:
			var attrs []types.AttributeType
			for k, v := range s.Attributes {
				attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
			}
			_, err := c.api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok, UserAttributes: attrs})
			return apiOutcome(err)
		case opVerifyEmail:
			code, err := stepCode(ctx, c.p, s)
			if err != nil {
				return outcome{got: "error", message: err.Error()}
			}
			_, err = c.api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tok, AttributeName: aws.String("email"), Code: aws.String(code)})
			return apiOutcome(err)
		default:
			_, err := c.api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tok})
			return apiOutcome(err)
		}
	}
	return outcome{got: "error", message: "unknown op " + s.Op}
}

// srp signs in with USER_SRP_AUTH, computing the client side with
// internal/srp (the same math as amazon-cognito-identity-js).
func (c *goClient) srp(ctx context.Context, key string, s step) outcome {
	cid := aws.String(s.clientID(c.p))
	_, poolName, _ := strings.Cut(c.p.PoolID, "_")
	sc, err := srp.NewClient(poolName, s.Password)
	if err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	init, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: cid, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": s.Username, "SRP_A": sc.SRPA()}})
	if err != nil {
		return apiOutcome(err)
	}
	cp := init.ChallengeParameters
	ts, sig, err := sc.Respond(cp["USER_ID_FOR_SRP"], cp["SALT"], cp["SRP_B"], cp["SECRET_BLOCK"], time.Now())
	if err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	out, err := c.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: cid,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": cp["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": cp["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
	if err != nil {
		return apiOutcome(err)
	}
	return c.result(key, s, out.AuthenticationResult)
}

// custom signs in with CUSTOM_AUTH, answering each CUSTOM_CHALLENGE with
// the step's next answer.
func (c *goClient) custom(ctx context.Context, key string, s step) outcome {
	cid := aws.String(s.clientID(c.p))
	out, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: cid, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": s.Username}})
	if err != nil {
		return apiOutcome(err)
	}
	name, session, r := out.ChallengeName, out.Session, out.AuthenticationResult
	for _, answer := range s.Answers {
		if name != types.ChallengeNameTypeCustomChallenge {
			break
		}
		next, err := c.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: cid, ChallengeName: name,
			Session: session, ChallengeResponses: map[string]string{"USERNAME": s.Username, "ANSWER": answer}})
		if err != nil {
			return apiOutcome(err)
		}
		name, session, r = next.ChallengeName, next.Session, next.AuthenticationResult
	}
	return c.result(key, s, r)
}

func (c *goClient) signedIn(key string, s step, out *cip.InitiateAuthOutput, err error) outcome {
	if err != nil {
		return apiOutcome(err)
	}
	return c.result(key, s, out.AuthenticationResult)
}

func (c *goClient) result(key string, s step, r *types.AuthenticationResultType) outcome {
	if r == nil {
		return outcome{got: "error", message: "no AuthenticationResult"}
	}
	ts := &tokenSet{Step: s.Name, ID: aws.ToString(r.IdToken), Access: aws.ToString(r.AccessToken), ClientID: s.clientID(c.p),
		refresh: aws.ToString(r.RefreshToken)}
	if ts.refresh == "" && c.sessions[key] != nil {
		ts.refresh = c.sessions[key].refresh // a refresh answers without a new refresh token
	}
	c.sessions[key] = ts
	return outcome{got: "ok", tokens: ts}
}

// cliClient runs steps with the AWS CLI (`aws cognito-idp … --endpoint-url`).
type cliClient struct {
	p        *pool
	aws      string
	sessions map[string]*tokenSet
	vars     callVars // what opCall steps saved
}

// cliError is how the AWS CLI reports a service error on stderr.
var cliError = regexp.MustCompile(`An error occurred \(([A-Za-z.#]+)\) when calling the \w+ operation: ?(.*)`)

// cli runs one aws command and decodes its JSON output into out.
func (c *cliClient) cli(ctx context.Context, out any, args ...string) outcome {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	args = append([]string{"cognito-idp"}, append(args, "--endpoint-url", c.p.URL, "--output", "json")...)
	cmd := exec.CommandContext(ctx, c.aws, args...)
	cmd.Env = cliEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if m := cliError.FindStringSubmatch(stderr.String()); m != nil {
			return outcome{got: m[1], message: strings.TrimSpace(m[2])}
		}
		return outcome{got: "error", message: fmt.Sprintf("%v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	if out != nil && stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			return outcome{got: "error", message: fmt.Sprintf("aws output %q: %v", stdout.String(), err)}
		}
	}
	return outcome{got: "ok"}
}

// cliEnv is the environment of every aws command: dummy credentials and a
// region, no profile, no pager, no instance metadata look-ups.
func cliEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type cliAuth struct {
	ChallengeName, Session string
	AuthenticationResult   *struct {
		IdToken, AccessToken, RefreshToken string
	}
}

func (c *cliClient) run(ctx context.Context, s step) outcome {
	cid := s.clientID(c.p)
	key := cid + "/" + s.Username
	switch s.Op {
	case opCall:
		return c.call(ctx, s)
	case opSignUp:
		var attrs []map[string]string
		for k, v := range s.Attributes {
			attrs = append(attrs, map[string]string{"Name": k, "Value": v})
		}
		args := []string{"sign-up", "--client-id", cid, "--username", s.Username, "--password", s.Password}
		if len(attrs) > 0 {
			args = append(args, "--user-attributes", mustJSON(attrs))
		}
		return c.cli(ctx, nil, args...)
	case opConfirmSignUp:
		code, err := outboxCode(ctx, c.p.URL, c.p.PoolID, s.Username)
		if err != nil {
			return outcome{got: "error", message: err.Error()}
		}
		return c.cli(ctx, nil, "confirm-sign-up", "--client-id", cid, "--username", s.Username, "--confirmation-code", code)
	case opPasswordAuth, opAdminPasswordAuth, opRefresh:
		params := map[string]string{"USERNAME": s.Username, "PASSWORD": s.Password}
		args := []string{"initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH"}
		switch s.Op {
		case opAdminPasswordAuth:
			args = []string{"admin-initiate-auth", "--user-pool-id", c.p.PoolID, "--client-id", cid, "--auth-flow", "ADMIN_USER_PASSWORD_AUTH"}
		case opRefresh:
			prev := c.sessions[key]
			if prev == nil {
				return outcome{got: "error", message: "no earlier sign-in"}
			}
			params = map[string]string{"REFRESH_TOKEN": prev.refresh}
			args = []string{"initiate-auth", "--client-id", cid, "--auth-flow", "REFRESH_TOKEN_AUTH"}
		}
		var out cliAuth
		o := c.cli(ctx, &out, append(args, "--auth-parameters", mustJSON(params))...)
		if o.got != "ok" {
			return o
		}
		return c.signedIn(key, s, out)
	case opCustomAuth:
		var out cliAuth
		o := c.cli(ctx, &out, "initiate-auth", "--client-id", cid, "--auth-flow", "CUSTOM_AUTH",
			"--auth-parameters", mustJSON(map[string]string{"USERNAME": s.Username}))
		for _, answer := range s.Answers {
			if o.got != "ok" || out.ChallengeName != "CUSTOM_CHALLENGE" {
				break
			}
			session := out.Session
			out = cliAuth{}
			o = c.cli(ctx, &out, "respond-to-auth-challenge", "--client-id", cid, "--challenge-name", "CUSTOM_CHALLENGE",
				"--session", session, "--challenge-responses", mustJSON(map[string]string{"USERNAME": s.Username, "ANSWER": answer}))
		}
		if o.got != "ok" {
			return o
		}
		return c.signedIn(key, s, out)
	case opForgotPassword:
		return c.cli(ctx, nil, "forgot-password", "--client-id", cid, "--username", s.Username)
	case opConfirmForgotPassword:
		code, err := outboxCode(ctx, c.p.URL, c.p.PoolID, s.Username)
		if err != nil {
			return outcome{got: "error", message: err.Error()}
		}
		return c.cli(ctx, nil, "confirm-forgot-password", "--client-id", cid, "--username", s.Username,
			"--confirmation-code", code, "--password", s.NewPassword)
	case opUpdateAttributes, opVerifyEmail, opDeleteUser:
		prev := c.sessions[key]
		if prev == nil {
			return outcome{got: "error", message: "no earlier sign-in"}
		}
		switch s.Op {
		case opUpdateAttributes:
			var attrs []map[string]string
			for k, v := range s.Attributes {
				attrs = append(attrs, map[string]string{"Name": k, "Value": v})
			}
			return c.cli(ctx, nil, "update-user-attributes", "--access-token", prev.Access, "--user-attributes", mustJSON(attrs))
		case opVerifyEmail:
			code, err := stepCode(ctx, c.p, s)
			if err != nil {
				return outcome{got: "error", message: err.Error()}
			}
			return c.cli(ctx, nil, "verify-user-attribute", "--access-token", prev.Access, "--attribute-name", "email", "--code", code)
		default:
			return c.cli(ctx, nil, "delete-user", "--access-token", prev.Access)
		}
	}
	return outcome{got: "error", message: "unsupported op " + s.Op}
}

// signedIn keeps the tokens of a sign-in's last answer.
func (c *cliClient) signedIn(key string, s step, out cliAuth) outcome {
	if out.AuthenticationResult == nil {
		return outcome{got: "error", message: "no AuthenticationResult"}
	}
	r := out.AuthenticationResult
	ts := &tokenSet{Step: s.Name, ID: r.IdToken, Access: r.AccessToken, ClientID: s.clientID(c.p), refresh: r.RefreshToken}
	if ts.refresh == "" && c.sessions[key] != nil {
		ts.refresh = c.sessions[key].refresh
	}
	c.sessions[key] = ts
	return outcome{got: "ok", tokens: ts}
}

// cliVersion is `aws --version`, recorded in the test log.
func cliVersion(ctx context.Context, bin string) string {
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = cliEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}

// stepCode is the step's code: the newest in the outbox for "outbox",
// else the code as written.
func stepCode(ctx context.Context, p *pool, s step) (string, error) {
	if s.Code != "outbox" {
		return s.Code, nil
	}
	return outboxCode(ctx, p.URL, p.PoolID, s.Username)
}
