package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// appFunction is the ARN of one of test/clients/node/triggers-lambda.js's
// functions.
func appFunction(name string) string {
	return "arn:aws:lambda:us-east-1:000000000000:function:app-" + name
}

// recordedEvent is one event triggers-lambda.js received.
type recordedEvent struct {
	Function string          `json:"function"`
	Event    json.RawMessage `json:"event"`
}

// triggerLambda is the running triggers-lambda.js.
type triggerLambda struct {
	t   *testing.T
	url string
}

// take returns the events received since the last take, and forgets them.
func (l *triggerLambda) take() []recordedEvent {
	l.t.Helper()
	resp, err := http.Get(l.url + "/_events")
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Events []recordedEvent }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		l.t.Fatalf("events: %v", err)
	}
	reset, err := http.Post(l.url+"/_reset", "application/json", nil)
	if err != nil {
		l.t.Fatal(err)
	}
	reset.Body.Close()
	return out.Events
}

// eventType is the aws-lambda-go type of an event of the given trigger
// source and version.
func eventType(source, version string) any {
	switch {
	case strings.HasPrefix(source, "PreSignUp_"):
		return &events.CognitoEventUserPoolsPreSignup{}
	case strings.HasPrefix(source, "PostConfirmation_"):
		return &events.CognitoEventUserPoolsPostConfirmation{}
	case strings.HasPrefix(source, "PreAuthentication_"):
		return &events.CognitoEventUserPoolsPreAuthentication{}
	case strings.HasPrefix(source, "PostAuthentication_"):
		return &events.CognitoEventUserPoolsPostAuthentication{}
	case strings.HasPrefix(source, "TokenGeneration_") && version == "1":
		return &events.CognitoEventUserPoolsPreTokenGen{}
	case strings.HasPrefix(source, "TokenGeneration_"):
		// V3_0 events have V2_0's shape.
		return &events.CognitoEventUserPoolsPreTokenGenV2_0{}
	case strings.HasPrefix(source, "CustomMessage_"):
		return &events.CognitoEventUserPoolsCustomMessage{}
	case source == "DefineAuthChallenge_Authentication":
		return &events.CognitoEventUserPoolsDefineAuthChallenge{}
	case source == "CreateAuthChallenge_Authentication":
		return &events.CognitoEventUserPoolsCreateAuthChallenge{}
	case source == "VerifyAuthChallengeResponse_Authentication":
		return &events.CognitoEventUserPoolsVerifyAuthChallenge{}
	}
	return nil
}

// decodeEvent decodes a recorded event into its aws-lambda-go type: no
// member the type lacks (DisallowUnknownFields), and every member the
// type has, at the top and in request and response.
func decodeEvent(t *testing.T, raw json.RawMessage) (events.CognitoEventUserPoolsHeader, any) {
	t.Helper()
	var h events.CognitoEventUserPoolsHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("event header: %v: %s", err, raw)
	}
	if strings.HasPrefix(h.TriggerSource, "UserMigration_") {
		// Cognito's migration event carries response.enableSMSMFA, which
		// events.CognitoEventUserPoolsMigrateUser lacks; its shape is
		// checked by the migration tests.
		return h, nil
	}
	v := eventType(h.TriggerSource, h.Version)
	if v == nil {
		t.Fatalf("unknown trigger source %q", h.TriggerSource)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Errorf("%s event does not decode as %T: %v\n%s", h.TriggerSource, v, err, raw)
	}
	typed, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]json.RawMessage
	_ = json.Unmarshal(raw, &got)
	_ = json.Unmarshal(typed, &want)
	missing(t, h.TriggerSource, "", got, want)
	for _, part := range []string{"request", "response"} {
		var g, w map[string]json.RawMessage
		_ = json.Unmarshal(got[part], &g)
		_ = json.Unmarshal(want[part], &w)
		missing(t, h.TriggerSource, part+".", g, w)
	}
	return h, v
}

// missing reports members of want absent from got.
func missing(t *testing.T, source, prefix string, got, want map[string]json.RawMessage) {
	t.Helper()
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s event lacks %s%s", source, prefix, k)
		}
	}
}

// checked is one decoded event.
type checked struct {
	header events.CognitoEventUserPoolsHeader
	event  any
}

// expectEvents decodes the events received since the last call and
// checks their trigger sources, in order, and user names.
func (l *triggerLambda) expectEvents(step string, want []string, userName string) []checked {
	l.t.Helper()
	var out []checked
	var sources []string
	for _, r := range l.take() {
		h, v := decodeEvent(l.t, r.Event)
		sources = append(sources, h.TriggerSource)
		out = append(out, checked{h, v})
		if userName != "" && h.UserName != userName {
			l.t.Errorf("%s: %s event userName = %q, want %q", step, h.TriggerSource, h.UserName, userName)
		}
	}
	if !slices.Equal(sources, want) {
		l.t.Errorf("%s: trigger sources = %v, want %v", step, sources, want)
	}
	return out
}

// errorOf returns an API error's code and message.
func errorOf(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "error", err.Error()
	}
	return "ok", ""
}

// outboxMessage is one message of GET /_ferry/outbox.
type outboxMessage struct {
	Username, Kind, Code, Body, Subject string
}

// lastMessage returns the newest outbox message to username.
func lastMessage(t *testing.T, p *pool, username string) outboxMessage {
	t.Helper()
	resp, err := http.Get(p.URL + "/_ferry/outbox?pool=" + p.PoolID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Messages []outboxMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var last outboxMessage
	for _, m := range out.Messages {
		if m.Username == username {
			last = m
		}
	}
	if last.Body == "" {
		t.Fatalf("no outbox message to %s", username)
	}
	return last
}

// TestTriggersNodeLambda fires each of a pool's Lambda triggers at the
// point of each flow where Cognito fires it, with an app's functions
// written in Node (test/clients/node/triggers-lambda.js) reached over the
// Lambda Invoke API. Every event the functions receive must decode into
// aws-lambda-go's event type with no unknown and no missing member; the
// functions' answers must show in the pool's users, tokens (verified by
// aws-jwt-verify) and outbox, and their errors reach the client with
// Cognito's codes and messages.
func TestTriggersNodeLambda(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	url := startNodeScript(t, "triggers-lambda.js")
	lam := &triggerLambda{t: t, url: url}
	resolve := func(arn string) (userpool.Invoker, error) { return lambdainvoke.NewHTTP(url, arn) }
	lambdaConfig := func(version types.PreTokenGenerationLambdaVersionType) *types.LambdaConfigType {
		return &types.LambdaConfigType{
			PreSignUp:          aws.String(appFunction("presignup")),
			PostConfirmation:   aws.String(appFunction("postconfirm")),
			PreAuthentication:  aws.String(appFunction("preauth")),
			PostAuthentication: aws.String(appFunction("postauth")),
			CustomMessage:      aws.String(appFunction("message")),
			UserMigration:      aws.String(appFunction("migrate")),
			PreTokenGeneration: aws.String(appFunction("pretoken")),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
				LambdaArn: aws.String(appFunction("pretoken")), LambdaVersion: version},
		}
	}
	p := newPool(t, nil,
		cognitotest.WithConfig(func(c *userpool.Config) { c.Resolver = resolve }),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) { in.LambdaConfig = lambdaConfig("V1_0") }))
	ctx := t.Context()
	api, client := p.API, p.legacyClient
	meta := map[string]string{"app": "web"}
	var tokenSets []tokenSet
	scenarios := 0
	expectErr := func(step string, err error, code, msg string) {
		t.Helper()
		scenarios++
		gotCode, gotMsg := errorOf(err)
		if gotCode != code || (msg != "" && gotMsg != msg) {
			t.Errorf("%s: got %s %q, want %s %q", step, gotCode, gotMsg, code, msg)
		}
	}
	email := func(name string) []types.AttributeType {
		return []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@app.example")}}
	}
	signIn := func(step, user, password string) *cip.InitiateAuthOutput {
		t.Helper()
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client),
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientMetadata: meta,
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
		expectErr(step, err, "ok", "")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("%s: no tokens", step)
		}
		r := out.AuthenticationResult
		tokenSets = append(tokenSets, tokenSet{Step: step, ID: aws.ToString(r.IdToken),
			Access: aws.ToString(r.AccessToken), ClientID: client})
		return out
	}
	adminUser := func(name string) {
		t.Helper()
		if _, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p.PoolID),
			Username: aws.String(name), UserAttributes: email(name), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatalf("AdminCreateUser %s: %v", name, err)
		}
		if _, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(p.PoolID),
			Username: aws.String(name), Password: aws.String("App#Passw0rd"), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword %s: %v", name, err)
		}
		lam.take()
	}

	// SignUp: PreSignUp_SignUp with the request's ValidationData and
	// ClientMetadata, then CustomMessage_SignUp whose body and subject
	// reach the outbox with the real code.
	_, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("ada"),
		Password: aws.String("App#Passw0rd"), UserAttributes: email("ada"), ClientMetadata: meta,
		ValidationData: []types.AttributeType{{Name: aws.String("invite"), Value: aws.String("x1")}}})
	expectErr("SignUp", err, "ok", "")
	evs := lam.expectEvents("SignUp", []string{"PreSignUp_SignUp", "CustomMessage_SignUp"}, "ada")
	if len(evs) == 2 {
		ev := evs[0].event.(*events.CognitoEventUserPoolsPreSignup)
		if ev.Request.ValidationData["invite"] != "x1" || ev.Request.ClientMetadata["app"] != "web" ||
			ev.Request.UserAttributes["email"] != "ada@app.example" || ev.CallerContext.ClientID != client ||
			ev.UserPoolID != p.PoolID || ev.Region != cognitotest.Region || ev.Version != "1" {
			t.Errorf("PreSignUp_SignUp event: %+v", ev)
		}
		cm := evs[1].event.(*events.CognitoEventUserPoolsCustomMessage)
		if cm.Request.CodeParameter != "{####}" || cm.Request.UserAttributes["email"] != "ada@app.example" ||
			cm.Request.UserAttributes["cognito:user_status"] != "UNCONFIRMED" || cm.Request.ClientMetadata["app"] != "web" {
			t.Errorf("CustomMessage_SignUp event: %+v", cm)
		}
	}
	m := lastMessage(t, p, "ada")
	if want := "[CustomMessage_SignUp] Hello ada, your code is " + m.Code; m.Code == "" || m.Body != want || m.Subject != "App: CustomMessage_SignUp" {
		t.Errorf("SignUp message = %+v, want body %q", m, want)
	}

	_, err = api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(client), Username: aws.String("ada"),
		ClientMetadata: meta})
	expectErr("ResendConfirmationCode", err, "ok", "")
	evs = lam.expectEvents("ResendConfirmationCode", []string{"CustomMessage_ResendCode"}, "ada")
	if len(evs) == 1 && evs[0].event.(*events.CognitoEventUserPoolsCustomMessage).Request.ClientMetadata["app"] != "web" {
		t.Errorf("CustomMessage_ResendCode lacks the request's ClientMetadata")
	}
	m = lastMessage(t, p, "ada")
	if !strings.HasPrefix(m.Body, "[CustomMessage_ResendCode] ") || !strings.HasSuffix(m.Body, m.Code) {
		t.Errorf("ResendConfirmationCode message = %+v", m)
	}

	// ConfirmSignUp: PostConfirmation_ConfirmSignUp with the confirmed user.
	_, err = api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String("ada"),
		ConfirmationCode: aws.String(m.Code), ClientMetadata: meta})
	expectErr("ConfirmSignUp", err, "ok", "")
	evs = lam.expectEvents("ConfirmSignUp", []string{"PostConfirmation_ConfirmSignUp"}, "ada")
	if len(evs) == 1 {
		ev := evs[0].event.(*events.CognitoEventUserPoolsPostConfirmation)
		a := ev.Request.UserAttributes
		if a["cognito:user_status"] != "CONFIRMED" || a["sub"] == "" || a["email"] != "ada@app.example" {
			t.Errorf("PostConfirmation_ConfirmSignUp attributes: %v", a)
		}
		if ev.Request.ClientMetadata["app"] != "web" {
			t.Errorf("PostConfirmation_ConfirmSignUp clientMetadata: %v", ev.Request.ClientMetadata)
		}
	}

	// autoConfirmUser + autoVerifyEmail: confirmed and verified at once,
	// no confirmation message, PostConfirmation raised.
	out, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("auto-bea"),
		Password: aws.String("App#Passw0rd"), UserAttributes: email("auto-bea")})
	expectErr("SignUp auto-confirmed", err, "ok", "")
	lam.expectEvents("SignUp auto-confirmed", []string{"PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"}, "auto-bea")
	if err == nil && !out.UserConfirmed {
		t.Error("auto-confirmed SignUp: UserConfirmed false")
	}
	if u, err := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String("auto-bea")}); err != nil {
		t.Errorf("AdminGetUser auto-bea: %v", err)
	} else if u.UserStatus != types.UserStatusTypeConfirmed || !slices.ContainsFunc(u.UserAttributes, func(a types.AttributeType) bool {
		return aws.ToString(a.Name) == "email_verified" && aws.ToString(a.Value) == "true"
	}) {
		t.Errorf("auto-bea: status %s, attributes %v", u.UserStatus, u.UserAttributes)
	}

	// A PreSignUp error refuses the sign-up; no user is stored.
	_, err = api.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("reject-cy"),
		Password: aws.String("App#Passw0rd"), UserAttributes: email("reject-cy")})
	expectErr("SignUp refused", err, "UserLambdaValidationException", "PreSignUp failed with error Sign-ups are closed for this address.")
	lam.expectEvents("SignUp refused", []string{"PreSignUp_SignUp"}, "reject-cy")
	if gone, err := p.absent(ctx, "reject-cy"); err != nil || !gone {
		t.Errorf("refused sign-up stored a user (absent %v, %v)", gone, err)
	}

	// AdminCreateUser: PreSignUp_AdminCreateUser (no app client), then
	// CustomMessage_AdminCreateUser with usernameParameter; the invitation
	// carries the username and the temporary password.
	_, err = api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String("dee"),
		UserAttributes: email("dee"), TemporaryPassword: aws.String("Temp#Passw0rd"), ClientMetadata: meta,
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	expectErr("AdminCreateUser", err, "ok", "")
	evs = lam.expectEvents("AdminCreateUser", []string{"PreSignUp_AdminCreateUser", "CustomMessage_AdminCreateUser"}, "dee")
	if len(evs) == 2 {
		if evs[0].header.CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" {
			t.Errorf("PreSignUp_AdminCreateUser clientId = %q", evs[0].header.CallerContext.ClientID)
		}
		cm := evs[1].event.(*events.CognitoEventUserPoolsCustomMessage)
		if cm.Request.UsernameParameter != "{username}" || cm.Request.ClientMetadata["app"] != "web" {
			t.Errorf("CustomMessage_AdminCreateUser request: %+v", cm.Request)
		}
	}
	if m := lastMessage(t, p, "dee"); m.Body != "[CustomMessage_AdminCreateUser] Hello dee, your code is Temp#Passw0rd" {
		t.Errorf("invitation = %q", m.Body)
	}

	// Sign-in: PreAuthentication (ClientMetadata as validationData),
	// PostAuthentication (newDeviceUsed false), then V1_0 pre token
	// generation whose overrides show in the id token.
	res := signIn("sign-in V1_0", "ada", "App#Passw0rd")
	evs = lam.expectEvents("sign-in V1_0", []string{"PreAuthentication_Authentication",
		"PostAuthentication_Authentication", "TokenGeneration_Authentication"}, "ada")
	if len(evs) == 3 {
		pre := evs[0].event.(*events.CognitoEventUserPoolsPreAuthentication)
		if pre.Request.ValidationData["app"] != "web" || pre.Request.UserNotFound || pre.Request.UserAttributes["email"] != "ada@app.example" {
			t.Errorf("PreAuthentication request: %+v", pre.Request)
		}
		post := evs[1].event.(*events.CognitoEventUserPoolsPostAuthentication)
		if post.Request.NewDeviceUsed || post.Request.ClientMetadata["app"] != "web" || post.Request.UserAttributes["sub"] == "" {
			t.Errorf("PostAuthentication request: %+v", post.Request)
		}
		tok := evs[2].event.(*events.CognitoEventUserPoolsPreTokenGen)
		if tok.Version != "1" || tok.Request.ClientMetadata["app"] != "web" || tok.Request.UserAttributes["email"] != "ada@app.example" {
			t.Errorf("TokenGeneration_Authentication V1 event: %+v", tok)
		}
	}
	id := cognitotest.Claims(t, aws.ToString(res.AuthenticationResult.IdToken))
	if id["app:tier"] != "gold" || id["name"] != "Overridden Name" || id["email_verified"] != nil ||
		!strings.HasPrefix(id["iss"].(string), "https://cognito-idp.") {
		t.Errorf("V1_0 id token claims: %v", id)
	}
	if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "app-users" ||
		id["cognito:preferred_role"] != "arn:aws:iam::000000000000:role/app-user" {
		t.Errorf("V1_0 group override: groups %v, preferred role %v", id["cognito:groups"], id["cognito:preferred_role"])
	}
	if roles, _ := id["cognito:roles"].([]any); len(roles) != 1 {
		t.Errorf("V1_0 roles override: %v", id["cognito:roles"])
	}
	if _, err := api.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AuthenticationResult.AccessToken}); err != nil {
		t.Errorf("GetUser with the customized access token: %v", err)
	}

	// Refresh: TokenGeneration_RefreshTokens, overrides applied again.
	ref, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.AuthenticationResult.RefreshToken)}})
	expectErr("refresh", err, "ok", "")
	lam.expectEvents("refresh", []string{"TokenGeneration_RefreshTokens"}, "ada")
	if err == nil {
		if c := cognitotest.Claims(t, aws.ToString(ref.AuthenticationResult.IdToken)); c["app:tier"] != "gold" {
			t.Errorf("refreshed id token lacks the override: %v", c)
		}
	}

	// Each trigger's function error, with Cognito's message.
	for _, tc := range []struct {
		user, want string
		sources    []string
	}{
		{"blocked-eve", "PreAuthentication failed with error This account is blocked.", []string{"PreAuthentication_Authentication"}},
		{"postfail-fay", "PostAuthentication failed with error Audit log unavailable.",
			[]string{"PreAuthentication_Authentication", "PostAuthentication_Authentication"}},
		{"tokenfail-gus", "PreTokenGeneration failed with error Entitlements service down.",
			[]string{"PreAuthentication_Authentication", "PostAuthentication_Authentication", "TokenGeneration_Authentication"}},
	} {
		adminUser(tc.user)
		_, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": tc.user, "PASSWORD": "App#Passw0rd"}})
		expectErr("sign-in "+tc.user, err, "UserLambdaValidationException", tc.want)
		lam.expectEvents("sign-in "+tc.user, tc.sources, tc.user)
	}

	// NEW_PASSWORD_REQUIRED: TokenGeneration_NewPasswordChallenge.
	ch, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "dee", "PASSWORD": "Temp#Passw0rd"}})
	expectErr("sign-in dee", err, "ok", "")
	lam.expectEvents("sign-in dee", []string{"PreAuthentication_Authentication"}, "dee")
	if err == nil {
		_, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ch.Session,
			ChallengeResponses: map[string]string{"USERNAME": "dee", "NEW_PASSWORD": "Dee#Passw0rd"}})
		expectErr("NEW_PASSWORD_REQUIRED", err, "ok", "")
		lam.expectEvents("NEW_PASSWORD_REQUIRED", []string{"PostAuthentication_Authentication", "TokenGeneration_NewPasswordChallenge"}, "dee")
	}

	// ForgotPassword: CustomMessage_ForgotPassword; ConfirmForgotPassword:
	// PostConfirmation_ConfirmForgotPassword.
	_, err = api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ada"), ClientMetadata: meta})
	expectErr("ForgotPassword", err, "ok", "")
	lam.expectEvents("ForgotPassword", []string{"CustomMessage_ForgotPassword"}, "ada")
	m = lastMessage(t, p, "ada")
	if m.Body != "[CustomMessage_ForgotPassword] Hello ada, your code is "+m.Code || m.Subject != "App: CustomMessage_ForgotPassword" {
		t.Errorf("ForgotPassword message = %+v", m)
	}
	_, err = api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("ada"),
		ConfirmationCode: aws.String(m.Code), Password: aws.String("Ada#N3wPassword"), ClientMetadata: meta})
	expectErr("ConfirmForgotPassword", err, "ok", "")
	evs = lam.expectEvents("ConfirmForgotPassword", []string{"PostConfirmation_ConfirmForgotPassword"}, "ada")
	if len(evs) == 1 && evs[0].event.(*events.CognitoEventUserPoolsPostConfirmation).Request.ClientMetadata["app"] != "web" {
		t.Errorf("PostConfirmation_ConfirmForgotPassword lacks the request's ClientMetadata")
	}

	// A user migrated by ForgotPassword: UserMigration_ForgotPassword,
	// the code through CustomMessage_ForgotPassword, and the first new
	// password raises PostConfirmation_ConfirmForgotPassword.
	_, err = api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fern")})
	expectErr("ForgotPassword migrates", err, "ok", "")
	lam.expectEvents("ForgotPassword migrates", []string{"UserMigration_ForgotPassword", "CustomMessage_ForgotPassword"}, "fern")
	m = lastMessage(t, p, "fern")
	_, err = api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(client), Username: aws.String("fern"),
		ConfirmationCode: aws.String(m.Code), Password: aws.String("Fern#N3wPassword")})
	expectErr("ConfirmForgotPassword migrated", err, "ok", "")
	evs = lam.expectEvents("ConfirmForgotPassword migrated", []string{"PostConfirmation_ConfirmForgotPassword"}, "fern")
	if len(evs) == 1 {
		if a := evs[0].event.(*events.CognitoEventUserPoolsPostConfirmation).Request.UserAttributes; a["name"] != "Fern" || a["cognito:user_status"] != "CONFIRMED" {
			t.Errorf("PostConfirmation of the migrated user: %v", a)
		}
	}

	// A CustomMessage answer without the code is refused.
	_, err = api.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("nocode-hal"),
		Password: aws.String("App#Passw0rd"), UserAttributes: email("nocode-hal")})
	expectErr("SignUp, message without code", err, "InvalidLambdaResponseException", "")
	lam.take()

	// V2_0 and V3_0: claims of any type in both tokens, scopes, groups.
	for _, v := range []types.PreTokenGenerationLambdaVersionType{"V2_0", "V3_0"} {
		if _, err := api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(p.PoolID), LambdaConfig: lambdaConfig(v),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}); err != nil {
			t.Fatalf("UpdateUserPool %s: %v", v, err)
		}
		step := "sign-in " + string(v)
		res := signIn(step, "ada", "Ada#N3wPassword")
		evs := lam.expectEvents(step, []string{"PreAuthentication_Authentication",
			"PostAuthentication_Authentication", "TokenGeneration_Authentication"}, "ada")
		if len(evs) == 3 {
			tok := evs[2].event.(*events.CognitoEventUserPoolsPreTokenGenV2_0)
			if tok.Version != string(v)[1:2] || !slices.Equal(tok.Request.Scopes, []string{"aws.cognito.signin.user.admin"}) {
				t.Errorf("%s event: version %q, scopes %v", step, tok.Version, tok.Request.Scopes)
			}
		}
		id := cognitotest.Claims(t, aws.ToString(res.AuthenticationResult.IdToken))
		access := cognitotest.Claims(t, aws.ToString(res.AuthenticationResult.AccessToken))
		flags, _ := id["app:flags"].(map[string]any)
		if id["app:tier"] != "platinum" || flags["beta"] != true || flags["seats"] != 3.0 || id["email_verified"] != nil {
			t.Errorf("%s id token claims: %v", step, id)
		}
		if access["app:tenant"] != "acme" || access["sub"] != id["sub"] ||
			access["scope"] != "aws.cognito.signin.user.admin app/read" {
			t.Errorf("%s access token claims: %v", step, access)
		}
		if g, _ := access["cognito:groups"].([]any); len(g) != 1 || g[0] != "app-users" {
			t.Errorf("%s access token groups: %v", step, access["cognito:groups"])
		}
	}

	// SRP: the same triggers around PASSWORD_VERIFIER.
	o := newGoClient(p).run(ctx, step{Name: "SRP sign-in", Op: opSRPAuth, Username: "ada", Password: "Ada#N3wPassword"})
	scenarios++
	if o.got != "ok" {
		t.Errorf("SRP sign-in: %s %s", o.got, o.message)
	}
	lam.expectEvents("SRP sign-in", []string{"PreAuthentication_Authentication",
		"PostAuthentication_Authentication", "TokenGeneration_Authentication"}, "ada")

	// PreAuthentication for an unknown user, in a pool without a
	// migration trigger on a client that prevents user-existence errors:
	// userNotFound true, the answer unchanged.
	q := newPool(t, nil,
		cognitotest.WithConfig(func(c *userpool.Config) { c.Resolver = resolve }),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.LambdaConfig = &types.LambdaConfigType{PreAuthentication: aws.String(appFunction("preauth"))}
		}))
	_, err = q.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(q.enabledClient), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "nobody", "PASSWORD": "App#Passw0rd"}})
	expectErr("sign-in unknown user", err, "NotAuthorizedException", "Incorrect username or password.")
	evs = lam.expectEvents("sign-in unknown user", []string{"PreAuthentication_Authentication"}, "nobody")
	if len(evs) == 1 && !evs[0].event.(*events.CognitoEventUserPoolsPreAuthentication).Request.UserNotFound {
		t.Error("PreAuthentication for an unknown user: userNotFound false")
	}

	verifyTokens(t, p, tokenSets)
	t.Logf("%d trigger scenarios through aws-sdk-go-v2 against triggers-lambda.js over the Invoke API", scenarios)
}
