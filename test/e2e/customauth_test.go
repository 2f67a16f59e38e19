package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/srp"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// code is the code triggers-lambda.js's createauth made for userName's
// pending challenge, read from GET /_codes as the user would read it from
// a message.
func (l *triggerLambda) code(userName string) string {
	l.t.Helper()
	resp, err := http.Get(l.url + "/_codes")
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Codes map[string]string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		l.t.Fatalf("codes: %v", err)
	}
	return out.Codes[userName]
}

// shape is a challenge session as "NAME=result:metadata,…".
func shape(session []*events.CognitoEventUserPoolsChallengeResult) string {
	var parts []string
	for _, r := range session {
		v := "false"
		if r.ChallengeResult {
			v = "true"
		}
		parts = append(parts, r.ChallengeName+"="+v+":"+r.ChallengeMetadata)
	}
	return strings.Join(parts, ",")
}

// TestTriggersCustomAuthNodeLambda runs CUSTOM_AUTH against an app's
// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse
// functions written in Node (test/clients/node/triggers-lambda.js) behind
// the Lambda Invoke API, with its PreAuthentication, PostAuthentication and
// PreTokenGeneration functions: every event decodes into aws-lambda-go's
// type with no unknown and no missing member, each trigger fires where
// Cognito fires it, and the tokens pass aws-jwt-verify.
func TestTriggersCustomAuthNodeLambda(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	url := startNodeScript(t, "triggers-lambda.js")
	lam := &triggerLambda{t: t, url: url}
	p := newPool(t, nil,
		cognitotest.WithConfig(func(c *userpool.Config) {
			c.Resolver = func(arn string) (userpool.Invoker, error) { return lambdainvoke.NewHTTP(url, arn) }
		}),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.LambdaConfig = &types.LambdaConfigType{
				PreAuthentication:           aws.String(appFunction("preauth")),
				PostAuthentication:          aws.String(appFunction("postauth")),
				PreTokenGeneration:          aws.String(appFunction("pretoken")),
				DefineAuthChallenge:         aws.String(appFunction("defineauth")),
				CreateAuthChallenge:         aws.String(appFunction("createauth")),
				VerifyAuthChallengeResponse: aws.String(appFunction("verifyauth")),
			}
		}),
		cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
		}))
	ctx := t.Context()
	api, client := p.API, aws.String(p.legacyClient)
	meta := map[string]string{"app": "web"}
	for _, name := range []string{"ada", "definefail-bo"} {
		if _, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(name),
			MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String(name + "@app.example")},
				{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(p.PoolID),
			Username: aws.String(name), Password: aws.String("App#Passw0rd"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
	}
	lam.take()
	respond := func(session *string, answer string) (*cip.RespondToAuthChallengeOutput, error) {
		return api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: client, ClientMetadata: meta,
			ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "ada", "ANSWER": answer}})
	}
	var tokenSets []tokenSet

	// InitiateAuth: PreAuthentication, then DefineAuthChallenge with an
	// empty session, then CreateAuthChallenge for CUSTOM_CHALLENGE.
	out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ada@app.example"}, ClientMetadata: meta})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if cp := out.ChallengeParameters; out.ChallengeName != types.ChallengeNameTypeCustomChallenge ||
		cp["USERNAME"] != "ada" || cp["hint"] != "code sent to ada@app.example" || cp["code"] != "" {
		t.Errorf("InitiateAuth answer: %s %v", out.ChallengeName, cp)
	}
	evs := lam.expectEvents("InitiateAuth", []string{"PreAuthentication_Authentication",
		"DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"}, "ada")
	if len(evs) == 3 {
		def := evs[1].event.(*events.CognitoEventUserPoolsDefineAuthChallenge)
		if len(def.Request.Session) != 0 || def.Request.UserNotFound || def.Request.ClientMetadata["app"] != "web" ||
			def.Request.UserAttributes["email"] != "ada@app.example" || def.CallerContext.ClientID != p.legacyClient || def.Version != "1" {
			t.Errorf("DefineAuthChallenge event: %+v", def)
		}
		cr := evs[2].event.(*events.CognitoEventUserPoolsCreateAuthChallenge)
		if cr.Request.ChallengeName != "CUSTOM_CHALLENGE" || len(cr.Request.Session) != 0 || cr.Request.ClientMetadata["app"] != "web" {
			t.Errorf("CreateAuthChallenge event: %+v", cr.Request)
		}
	}

	// A wrong code: VerifyAuthChallengeResponse with the private
	// parameters, DefineAuthChallenge with the failed challenge, a new one.
	first := lam.code("ada")
	r, err := respond(out.Session, "000000x")
	if err != nil || r.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("wrong code: %+v, %v", r, err)
	}
	evs = lam.expectEvents("wrong code", []string{"VerifyAuthChallengeResponse_Authentication",
		"DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"}, "ada")
	if len(evs) == 3 {
		v := evs[0].event.(*events.CognitoEventUserPoolsVerifyAuthChallenge)
		if v.Request.PrivateChallengeParameters["code"] != first || v.Request.ChallengeAnswer != "000000x" ||
			v.Request.ClientMetadata["app"] != "web" || v.Request.UserNotFound {
			t.Errorf("VerifyAuthChallengeResponse request: %+v", v.Request)
		}
		if got := shape(evs[1].event.(*events.CognitoEventUserPoolsDefineAuthChallenge).Request.Session); got != "CUSTOM_CHALLENGE=false:CODE-0" {
			t.Errorf("DefineAuthChallenge session after a wrong code: %q", got)
		}
	}

	// The right code: DefineAuthChallenge issues tokens, then
	// PostAuthentication and PreTokenGeneration as in every sign-in.
	r, err = respond(r.Session, lam.code("ada"))
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("right code: %+v, %v", r, err)
	}
	tokenSets = append(tokenSets, tokenSet{Step: "CUSTOM_AUTH", ID: aws.ToString(r.AuthenticationResult.IdToken),
		Access: aws.ToString(r.AuthenticationResult.AccessToken), ClientID: p.legacyClient})
	evs = lam.expectEvents("right code", []string{"VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication",
		"PostAuthentication_Authentication", "TokenGeneration_Authentication"}, "ada")
	if len(evs) == 4 {
		if got := shape(evs[1].event.(*events.CognitoEventUserPoolsDefineAuthChallenge).Request.Session); got !=
			"CUSTOM_CHALLENGE=false:CODE-0,CUSTOM_CHALLENGE=true:CODE-1" {
			t.Errorf("DefineAuthChallenge session after the right code: %q", got)
		}
	}
	if id := cognitotest.Claims(t, aws.ToString(r.AuthenticationResult.IdToken)); id["app:tier"] != "gold" {
		t.Errorf("the pre token generation override is missing: %v", id)
	}
	if _, err := respond(r.Session, "again"); err == nil {
		t.Error("a finished sequence's Session answered again")
	}
	lam.take()

	// With SRP_A: DefineAuthChallenge sees SRP_A, asks for
	// PASSWORD_VERIFIER, then the custom challenge follows.
	sc, err := srp.NewClient(srp.PoolName(p.PoolID), "App#Passw0rd")
	if err != nil {
		t.Fatal(err)
	}
	out, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ada", "SRP_A": sc.SRPA(), "CHALLENGE_NAME": "SRP_A"}})
	if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("InitiateAuth with SRP_A: %+v, %v", out, err)
	}
	evs = lam.expectEvents("InitiateAuth with SRP_A", []string{"PreAuthentication_Authentication", "DefineAuthChallenge_Authentication"}, "ada")
	if len(evs) == 2 {
		if got := shape(evs[1].event.(*events.CognitoEventUserPoolsDefineAuthChallenge).Request.Session); got != "SRP_A=true:" {
			t.Errorf("DefineAuthChallenge session with SRP_A: %q", got)
		}
	}
	cp := out.ChallengeParameters
	ts, sig, err := sc.Respond(cp["USER_ID_FOR_SRP"], cp["SALT"], cp["SRP_B"], cp["SECRET_BLOCK"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: client,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": cp["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": cp["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
	if err != nil || r.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("PASSWORD_VERIFIER: %+v, %v", r, err)
	}
	lam.expectEvents("PASSWORD_VERIFIER", []string{"DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"}, "ada")
	r, err = respond(r.Session, lam.code("ada"))
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("custom challenge after SRP: %+v, %v", r, err)
	}
	tokenSets = append(tokenSets, tokenSet{Step: "CUSTOM_AUTH with SRP", ID: aws.ToString(r.AuthenticationResult.IdToken),
		Access: aws.ToString(r.AuthenticationResult.AccessToken), ClientID: p.legacyClient})
	lam.expectEvents("custom challenge after SRP", []string{"VerifyAuthChallengeResponse_Authentication",
		"DefineAuthChallenge_Authentication", "PostAuthentication_Authentication", "TokenGeneration_Authentication"}, "ada")

	// A DefineAuthChallenge error reaches the app in Cognito's words.
	_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "definefail-bo"}})
	if code, msg := errorOf(err); code != "UserLambdaValidationException" || msg != "DefineAuthChallenge failed with error Challenge service down." {
		t.Errorf("DefineAuthChallenge error: %s %q", code, msg)
	}
	lam.expectEvents("DefineAuthChallenge error", []string{"PreAuthentication_Authentication", "DefineAuthChallenge_Authentication"}, "definefail-bo")

	// An unknown name on a client that prevents user-existence errors:
	// the triggers run with userNotFound, and no answer signs in.
	enabled, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(p.PoolID), ClientName: aws.String("custom"),
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth}})
	if err != nil {
		t.Fatal(err)
	}
	out, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: enabled.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "nobody"}})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("unknown user: %+v, %v", out, err)
	}
	evs = lam.expectEvents("unknown user", []string{"PreAuthentication_Authentication",
		"DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"}, "nobody")
	if len(evs) == 3 && (!evs[1].event.(*events.CognitoEventUserPoolsDefineAuthChallenge).Request.UserNotFound ||
		!evs[2].event.(*events.CognitoEventUserPoolsCreateAuthChallenge).Request.UserNotFound) {
		t.Error("userNotFound false for an unknown user")
	}
	_, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: enabled.UserPoolClient.ClientId,
		ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "nobody", "ANSWER": lam.code("nobody")}})
	if code, msg := errorOf(err); code != "NotAuthorizedException" || msg != "Incorrect username or password." {
		t.Errorf("unknown user's right code: %s %q", code, msg)
	}
	evs = lam.expectEvents("unknown user answers", []string{"VerifyAuthChallengeResponse_Authentication",
		"DefineAuthChallenge_Authentication"}, "nobody")
	if len(evs) == 2 && !evs[0].event.(*events.CognitoEventUserPoolsVerifyAuthChallenge).Request.UserNotFound {
		t.Error("VerifyAuthChallengeResponse: userNotFound false for an unknown user")
	}

	verifyTokens(t, p, tokenSets)
}
