package preflight

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// CheckForgotOracle names the check that forgot-password cannot tell an
// unknown name from a legacy user.
const CheckForgotOracle = "forgot-password-existence"

// checkForgotOracle blocks every app client on which ForgotPassword tells
// who is a legacy user. Ferry answers a forgot-password that migrates
// nobody (an unknown name, a throttled or refused one, a legacy user
// without a verified channel for the code) with an empty response,
// whatever trigger.failure_style says. Cognito then answers as it does
// for a name it does not hold: with PreventUserExistenceErrors ENABLED a
// simulated CodeDeliveryDetails, shaped like the legacy user's real one;
// with LEGACY, UserNotFoundException "Username/client id combination not
// found.", while a legacy user gets a code: an account-enumeration oracle
// over the whole legacy store, through a public client id.
func checkForgotOracle(pool *types.UserPoolType, clients []types.UserPoolClientType, _ Options) []Finding {
	if pool.LambdaConfig == nil || pool.LambdaConfig.UserMigration == nil {
		return nil
	}
	var fs []Finding
	for _, c := range clients {
		if c.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled {
			continue
		}
		fs = append(fs, Finding{Severity: Blocker, Check: CheckForgotOracle, Client: clientLabel(c),
			Problem: "PreventUserExistenceErrors is not ENABLED: ForgotPassword answers a name that is no legacy user with UserNotFoundException and a legacy user with a code delivery, so anyone holding the client id can list who has a legacy account",
			Fix: "aws cognito-idp update-user-pool-client --user-pool-id " + aws.ToString(pool.Id) + " --client-id " + aws.ToString(c.ClientId) +
				" --prevent-user-existence-errors ENABLED (update-user-pool-client resets every setting it is not given: pass the client's current ones too, or change it in the console)"})
	}
	return fs
}
