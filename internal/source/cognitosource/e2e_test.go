package cognitosource

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// TestPoolToPool moves a user from one local pool to another the way a
// production pool-to-pool migration runs: the new pool's UserMigration
// trigger is Ferry's, its source is the old pool, and the user signs in to
// the new pool with USER_PASSWORD_AUTH and the password they had.
func TestPoolToPool(t *testing.T) {
	t.Parallel()
	old := newOldPool(t)
	src := old.config().openTest(t, nil)
	m, err := migration.New(migration.Options{Sources: []migration.NamedSource{{Name: "old-pool", Source: src}}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := trigger.New(m, trigger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newPool := cognitotest.NewServer(t, cognitotest.WithMigration(lambdainvoke.InProcess(h.Handle)),
		cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
			in.Schema = []types.SchemaAttributeType{
				{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("legacy_sub"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			}
		}))
	ctx := t.Context()

	if _, err := newPool.SignIn(ctx, "alice", alicePassword+"x"); err == nil {
		t.Fatal("a wrong password signed in to the new pool")
	}
	if _, err := newPool.SignIn(ctx, "dave", davePassword); err == nil {
		t.Fatal("a user disabled in the old pool signed in to the new pool")
	}
	out, err := newPool.SignIn(ctx, "alice", alicePassword)
	if err != nil {
		t.Fatalf("first sign-in to the new pool: %v", err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatalf("first sign-in: no tokens (challenge %q)", out.ChallengeName)
	}

	got, err := newPool.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(newPool.PoolID), Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range got.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["sub"] == "" || attrs["sub"] == old.aliceSub {
		t.Errorf("new sub = %q, want a new one (old %q)", attrs["sub"], old.aliceSub)
	}
	delete(attrs, "sub")
	want := map[string]string{
		"email": "alice@example.com", "email_verified": "true", "given_name": "Alice", "family_name": "Liddell",
		"website": "https://alice.example.com", "custom:tenant": "acme", "custom:legacy_sub": old.aliceSub,
	}
	if d := cmp.Diff(want, attrs); d != "" {
		t.Errorf("migrated attributes (-want +got):\n%s", d)
	}
	if got.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("status = %s, want CONFIRMED", got.UserStatus)
	}
	// The user is now the new pool's own: the second sign-in does not ask
	// the old pool.
	if _, err := newPool.SignIn(ctx, "alice", alicePassword); err != nil {
		t.Fatalf("second sign-in: %v", err)
	}

	// Forgot-password migrates too, with a reset: the old pool's Lookup.
	fp, err := newPool.API.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(newPool.ClientID), Username: aws.String("bob")})
	if err != nil {
		t.Fatalf("forgot-password for bob: %v", err)
	}
	if fp.CodeDeliveryDetails == nil {
		t.Error("forgot-password for bob: no code delivery")
	}
	bob, err := newPool.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(newPool.PoolID), Username: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if bob.UserStatus != types.UserStatusTypeResetRequired {
		t.Errorf("bob's status = %s, want RESET_REQUIRED", bob.UserStatus)
	}
	if s := m.Stats(); s.Migrated != 2 {
		t.Errorf("migrated = %d, want 2", s.Migrated)
	}
}
