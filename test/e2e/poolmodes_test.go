package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestOneUserPerAccountInEveryPoolMode signs each legacy account in,
// through the real `ferry serve`, under every spelling a user or an
// attacker might type — the username, its upper case, the email, its upper
// case, full-width forms, ſ and ı, NFD — into an alias pool and an
// email-as-username pool (the username pool is killnine_test.go's), both
// case-insensitive as the console makes them, and checks that each account
// ends as exactly one pool user.
func TestOneUserPerAccountInEveryPoolMode(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	bin := buildFerry(t)
	for _, mode := range []string{"alias", "email-as-username"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			legacy := filepath.Join(dir, "legacy.db")
			// acct0@example.com … as djangoDB writes them.
			djangoDB(t, legacy, []string{"mississ", "jos\u00e9", "user2"})
			cfg := djangoServeConfig(t, dir, legacy, "pool_mode: "+mode)
			addr := testenv.FreeAddr(t)
			url := "http://" + addr
			startServe(t, bin, filepath.Join(dir, "data"), addr, cfg)
			api := cognitotest.NewClient(url)
			in := &cip.CreateUserPoolInput{PoolName: aws.String(mode),
				LambdaConfig:          &types.LambdaConfigType{UserMigration: aws.String("arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate")},
				UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}}
			if mode == "alias" {
				in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
			} else {
				in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
			}
			pool, err := api.CreateUserPool(t.Context(), in)
			if err != nil {
				t.Fatalf("CreateUserPool: %v", err)
			}
			poolID := aws.ToString(pool.UserPool.Id)
			client, err := api.CreateUserPoolClient(t.Context(), &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID),
				ClientName: aws.String(mode), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
					types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}, PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
			if err != nil {
				t.Fatalf("CreateUserPoolClient: %v", err)
			}
			clientID := aws.ToString(client.UserPoolClient.ClientId)
			spellings := []string{
				"acct0@example.com", "ACCT0@EXAMPLE.COM", "mississ", "MISSISS", "mıſſiss", "ａｃｃｔ０@example.com",
				"acct1@example.com", "Acct1@Example.com", "jos\u00e9", "jose\u0301", "JOS\u00c9",
				"acct2@example.com", "user2", "USER2", "ｕｓｅｒ２",
			}
			signedIn := 0
			for _, name := range spellings {
				if signIn(t.Context(), api, clientID, name, killPassword) == nil {
					signedIn++
				}
			}
			users, err := api.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
			if err != nil {
				t.Fatal(err)
			}
			byEmail := map[string]int{}
			for _, u := range users.Users {
				for _, a := range u.Attributes {
					if aws.ToString(a.Name) == "email" {
						byEmail[aws.ToString(a.Value)]++
					}
				}
			}
			t.Logf("%s pool: %d of %d spellings signed in; pool users by email %v", mode, signedIn, len(spellings), byEmail)
			if len(users.Users) != 3 {
				t.Errorf("%d pool users for 3 legacy accounts", len(users.Users))
			}
			for i := range 3 {
				if e := fmt.Sprintf("acct%d@example.com", i); byEmail[e] != 1 {
					t.Errorf("account %s has %d pool users", e, byEmail[e])
				}
			}
		})
	}
}
