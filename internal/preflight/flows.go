// The auth-flows check: which sign-ins of each app client run the
// UserMigration trigger. Cognito runs it for USER_PASSWORD_AUTH,
// ADMIN_USER_PASSWORD_AUTH and ForgotPassword only, the requests that carry
// the password (or need none); an SRP, custom-challenge or choice-based
// (USER_AUTH) sign-in of a user the pool does not hold never reaches Ferry.

package preflight

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// defaultFlows are the flows of a client that names none, as Cognito
// documents for CreateUserPoolClient's ExplicitAuthFlows.
var defaultFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
}

// flowsWithoutTrigger are the sign-in flows a client can allow that never
// run the UserMigration trigger.
var flowsWithoutTrigger = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowUserAuth,
}

// flowAllowed reports whether a client's explicit flows allow flow, with
// Cognito's legacy names and its defaults for a client that names none.
func flowAllowed(flows []types.ExplicitAuthFlowsType, flow types.ExplicitAuthFlowsType) bool {
	if len(flows) == 0 {
		flows = defaultFlows
	}
	legacy := map[types.ExplicitAuthFlowsType]types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAdminNoSrpAuth:     types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
		types.ExplicitAuthFlowsTypeUserPasswordAuth:   types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
		types.ExplicitAuthFlowsTypeCustomAuthFlowOnly: types.ExplicitAuthFlowsTypeAllowCustomAuth,
	}
	for _, f := range flows {
		if f == flow || legacy[f] == flow {
			return true
		}
	}
	return false
}

// untriggered returns the flows of flowsWithoutTrigger the client allows.
func untriggered(flows []types.ExplicitAuthFlowsType) []string {
	var names []string
	for _, f := range flowsWithoutTrigger {
		if flowAllowed(flows, f) {
			names = append(names, string(f))
		}
	}
	return names
}

func checkFlows(pool *types.UserPoolType, clients []types.UserPoolClientType, _ Options) []Finding {
	if len(clients) == 0 {
		return []Finding{{Severity: Blocker, Check: CheckFlows,
			Problem: "the pool has no app client: nobody can sign in, so nobody migrates",
			Fix:     "create an app client with ALLOW_USER_PASSWORD_AUTH (aws cognito-idp create-user-pool-client --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH)"}}
	}
	var fs, notes []Finding
	passwordClients := 0
	for _, c := range clients {
		user := flowAllowed(c.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth)
		admin := flowAllowed(c.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth)
		others := untriggered(c.ExplicitAuthFlows)
		if user || admin {
			passwordClients++
			if len(others) > 0 {
				notes = append(notes, Finding{Severity: Note, Check: CheckFlows, Client: clientLabel(c),
					Problem: fmt.Sprintf("the client also allows %s: a sign-in with %s never runs the UserMigration trigger (Cognito runs it for USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and ForgotPassword only), so a legacy user who signs in that way is refused as unknown",
						strings.Join(others, ", "), strings.Join(flowNames(others), " or ")),
					Fix: "make the app sign in with USER_PASSWORD_AUTH (Amplify v6: options.authFlowType 'USER_PASSWORD_AUTH'; a server: ADMIN_USER_PASSWORD_AUTH) until the migration is over; migrated users can keep the other flows"})
			}
			continue
		}
		fix := fmt.Sprintf("aws cognito-idp update-user-pool-client --user-pool-id %s --client-id %s --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH (update-user-pool-client resets omitted settings: pass the client's others too), and make the app sign in with USER_PASSWORD_AUTH",
			aws.ToString(pool.Id), aws.ToString(c.ClientId))
		problem := "the client allows neither ALLOW_USER_PASSWORD_AUTH nor ALLOW_ADMIN_USER_PASSWORD_AUTH: the trigger never fires for its sign-ins"
		if len(others) > 0 {
			problem += fmt.Sprintf(" (its %s sign-ins never run it)", strings.Join(flowNames(others), " or "))
		}
		if flowAllowed(c.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserSrpAuth) {
			problem = "the client is SRP-only: an SRP sign-in hides the password from the trigger, so Cognito never invokes it and unmigrated users see \"User does not exist\""
		}
		problem += "; its legacy users can migrate only through forgot-password"
		fs = append(fs, Finding{Severity: Warning, Check: CheckFlows, Client: clientLabel(c), Problem: problem, Fix: fix})
	}
	if passwordClients == 0 {
		for i := range fs {
			fs[i].Severity = Blocker
		}
	}
	return append(fs, notes...)
}

// flowNames turns ALLOW_ flow names into the AuthFlow an app passes.
func flowNames(allowed []string) []string {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = strings.TrimPrefix(a, "ALLOW_")
	}
	return names
}
