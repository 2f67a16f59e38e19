package e2e

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
)

// TestAmplifyProfileAndGroups migrates a legacy user with Amplify JS v6 and
// runs an app's profile calls: the user's groups in both tokens,
// updateUserAttributes of the email with the code from the outbox
// confirmed by confirmUserAttribute, and deleteUser.
func TestAmplifyProfileAndGroups(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	users := legacyUsersFor("amplify-profile")
	app := ferryTrigger(t, users)
	p := newPool(t, lambdainvoke.InProcess(app.Handler))
	ctx := t.Context()
	mia := users[0]
	a := startAmplify(t, p, p.legacyClient)

	var signedIn struct {
		IsSignedIn bool `json:"isSignedIn"`
	}
	a.must(&signedIn, map[string]any{"step": "signIn", "op": "signIn", "username": mia.username, "password": mia.password})
	if !signedIn.IsSignedIn {
		t.Fatalf("signIn: not signed in: %+v", signedIn)
	}
	pool := aws.String(p.PoolID)
	for _, g := range []string{"editors", "staff"} {
		if _, err := p.API.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.API.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String(mia.username), GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	// The groups reach the app's tokens at the next refresh.
	var s amplifySession
	a.must(&s, map[string]any{"step": "refresh", "op": "refresh"})
	for name, c := range map[string]map[string]any{"access": s.Claims.Access, "id": s.Claims.ID} {
		got, _ := c["cognito:groups"].([]any)
		if !slices.Equal(got, []any{"editors", "staff"}) {
			t.Errorf("%s token cognito:groups = %v", name, c["cognito:groups"])
		}
	}

	newEmail := "mia-new@example.com"
	var update map[string]struct {
		IsUpdated bool   `json:"isUpdated"`
		Step      string `json:"step"`
		Medium    string `json:"medium"`
	}
	a.must(&update, map[string]any{"step": "updateUserAttributes", "op": "updateUserAttributes",
		"attributes": map[string]string{"email": newEmail}})
	if u := update["email"]; u.IsUpdated || u.Step != "CONFIRM_ATTRIBUTE_WITH_CODE" || u.Medium != "EMAIL" {
		t.Fatalf("updateUserAttributes: %+v", update)
	}
	code, err := outboxCode(ctx, p.URL, p.PoolID, mia.username)
	if err != nil {
		t.Fatal(err)
	}
	a.must(nil, map[string]any{"step": "confirmAttribute", "op": "confirmAttribute", "attribute": "email", "code": code})
	var attrs map[string]string
	a.must(&attrs, map[string]any{"step": "userAttributes", "op": "userAttributes"})
	if attrs["email"] != newEmail || attrs["email_verified"] != "true" {
		t.Errorf("userAttributes after confirming: %v", attrs)
	}

	a.must(nil, map[string]any{"step": "deleteUser", "op": "deleteUser"})
	if gone, err := p.absent(ctx, mia.username); err != nil || !gone {
		t.Errorf("after deleteUser: absent=%v err=%v", gone, err)
	}
}
