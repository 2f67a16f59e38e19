package cognitoapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
)

// exchange is one request to the local pool and the answer expected: a
// success, or the named error. Body is JSON in which $name is replaced by
// a value saved from an earlier answer; save names values of this answer
// by their dotted path (AuthenticationResult.AccessToken).
type exchange struct {
	op   string
	body string
	want string // "" for success, else the error's __type
	save map[string]string
	// codeOf, if set, puts the user's last outbox code in $code first.
	codeOf string
	// prep, if set, computes further $values first.
	prep func(t *testing.T, vars map[string]string)
}

// modelExchanges cover every implemented operation at least once with a
// success and once with an error, in an order where each step can use what
// the earlier ones made. sc is the custom authentication challenge the
// server runs for the pool's three challenge triggers.
func modelExchanges(sc *cognitotest.SecretCode) []exchange {
	var srpClient *srp.Client
	return []exchange{
		// Pools, clients, schema.
		{op: "CreateUserPool", body: `{}`, want: "InvalidParameterException"},
		{op: "CreateUserPool", body: `{"PoolName":"model","AutoVerifiedAttributes":["email"],
			"Schema":[{"Name":"email","AttributeDataType":"String","Required":false,"Mutable":true}]}`,
			save: map[string]string{"pool": "UserPool.Id", "poolName": "UserPool.Name"}},
		{op: "DescribeUserPool", body: `{"UserPoolId":"$pool"}`},
		{op: "DescribeUserPool", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},
		{op: "DescribeUserPool", body: `{"UserPoolId":"not a pool id"}`, want: "InvalidParameterException"},
		{op: "UpdateUserPool", body: `{"UserPoolId":"$pool","AutoVerifiedAttributes":["email"],
			"Policies":{"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD","EMAIL_OTP"]}},
			"EmailConfiguration":{"EmailSendingAccount":"DEVELOPER","SourceArn":"arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"}}`},
		{op: "UpdateUserPool", body: `{"UserPoolId":"$pool","UserPoolTier":"LITE","Policies":{"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD","EMAIL_OTP"]}},
			"EmailConfiguration":{"EmailSendingAccount":"DEVELOPER","SourceArn":"arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"}}`,
			want: "FeatureUnavailableInTierException"},
		{op: "UpdateUserPool", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},
		{op: "ListUserPools", body: `{"MaxResults":10}`},
		{op: "ListUserPools", body: `{}`, want: "InvalidParameterException"},
		{op: "AddCustomAttributes", body: `{"UserPoolId":"$pool","CustomAttributes":[{"Name":"tier","AttributeDataType":"String","Mutable":true}]}`},
		{op: "AddCustomAttributes", body: `{"UserPoolId":"$pool","CustomAttributes":[{"Name":"tier","AttributeDataType":"String"}]}`, want: "InvalidParameterException"},
		{op: "GetCSVHeader", body: `{"UserPoolId":"$pool"}`},
		{op: "GetCSVHeader", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},
		{op: "CreateUserPoolClient", body: `{"UserPoolId":"$pool","ClientName":"app","ExplicitAuthFlows":
			["ALLOW_USER_PASSWORD_AUTH","ALLOW_ADMIN_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH","ALLOW_USER_AUTH"]}`,
			save: map[string]string{"client": "UserPoolClient.ClientId"}},
		{op: "CreateUserPoolClient", body: `{"UserPoolId":"$pool"}`, want: "InvalidParameterException"},
		{op: "DescribeUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client"}`},
		{op: "DescribeUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"1example23456789abcdefghij"}`, want: "ResourceNotFoundException"},
		{op: "UpdateUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client","ClientName":"app","ExplicitAuthFlows":
			["ALLOW_USER_PASSWORD_AUTH","ALLOW_ADMIN_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH","ALLOW_USER_AUTH"]}`},
		{op: "UpdateUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"1example23456789abcdefghij"}`, want: "ResourceNotFoundException"},
		{op: "ListUserPoolClients", body: `{"UserPoolId":"$pool","MaxResults":10}`},
		{op: "ListUserPoolClients", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},

		// Sign-up and confirmation.
		{op: "SignUp", body: `{"ClientId":"$client","Username":"sam","Password":"Passw0rd!","UserAttributes":[{"Name":"email","Value":"sam@example.com"}]}`,
			save: map[string]string{"samSub": "UserSub"}},
		{op: "SignUp", body: `{"ClientId":"$client","Username":"sam","Password":"Passw0rd!"}`, want: "UsernameExistsException"},
		{op: "SignUp", body: `{"ClientId":"$client","Username":"weak","Password":"short"}`, want: "InvalidPasswordException"},
		{op: "ResendConfirmationCode", body: `{"ClientId":"$client","Username":"sam"}`},
		{op: "ResendConfirmationCode", body: `{"ClientId":"$client","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "ConfirmSignUp", body: `{"ClientId":"$client","Username":"sam","ConfirmationCode":"000000x"}`, want: "CodeMismatchException"},
		{op: "ConfirmSignUp", body: `{"ClientId":"$client","Username":"nobody","ConfirmationCode":"123456"}`, want: "UserNotFoundException"},
		{op: "ConfirmSignUp", body: `{"ClientId":"$client","Username":"sam","ConfirmationCode":"$code"}`, codeOf: "sam",
			save: map[string]string{"signUpSession": "Session"}},
		// Sign-in after sign-up: USER_AUTH with ConfirmSignUp's Session, once.
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_AUTH","AuthParameters":{"USERNAME":"sam"},"Session":"$signUpSession"}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_AUTH","AuthParameters":{"USERNAME":"sam"},"Session":"$signUpSession"}`,
			want: "NotAuthorizedException"},
		{op: "SignUp", body: `{"ClientId":"$client","Username":"ben","Password":"Passw0rd!","UserAttributes":[{"Name":"email","Value":"ben@example.com"}]}`},
		{op: "AdminConfirmSignUp", body: `{"UserPoolId":"$pool","Username":"ben"}`},
		{op: "AdminConfirmSignUp", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},

		// Administration of users.
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"ada","TemporaryPassword":"Temp-pass1","MessageAction":"SUPPRESS",
			"UserAttributes":[{"Name":"email","Value":"ada@example.com"},{"Name":"email_verified","Value":"true"},{"Name":"custom:tier","Value":"gold"}]}`},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"ada"}`, want: "UsernameExistsException"},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"sam","MessageAction":"RESEND"}`, want: "UnsupportedUserStateException"},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"tia","TemporaryPassword":"Temp-pass1","MessageAction":"SUPPRESS"}`},
		{op: "AdminGetUser", body: `{"UserPoolId":"$pool","Username":"ada"}`},
		{op: "AdminGetUser", body: `{"UserPoolId":"$pool","Username":"$samSub"}`},
		{op: "AdminGetUser", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "AdminSetUserPassword", body: `{"UserPoolId":"$pool","Username":"ada","Password":"weak","Permanent":true}`, want: "InvalidPasswordException"},
		{op: "AdminSetUserPassword", body: `{"UserPoolId":"$pool","Username":"ada","Password":"Passw0rd!","Permanent":true}`},
		{op: "AdminUpdateUserAttributes", body: `{"UserPoolId":"$pool","Username":"ada","UserAttributes":[{"Name":"given_name","Value":"Ada"}]}`},
		{op: "AdminUpdateUserAttributes", body: `{"UserPoolId":"$pool","Username":"nobody","UserAttributes":[{"Name":"given_name","Value":"X"}]}`, want: "UserNotFoundException"},
		{op: "AdminDeleteUserAttributes", body: `{"UserPoolId":"$pool","Username":"ada","UserAttributeNames":["given_name"]}`},
		{op: "AdminDeleteUserAttributes", body: `{"UserPoolId":"$pool","Username":"nobody","UserAttributeNames":["given_name"]}`, want: "UserNotFoundException"},
		{op: "AdminDisableUser", body: `{"UserPoolId":"$pool","Username":"ben"}`},
		{op: "AdminDisableUser", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"ben","PASSWORD":"Passw0rd!"}}`, want: "NotAuthorizedException"},
		{op: "AdminEnableUser", body: `{"UserPoolId":"$pool","Username":"ben"}`},
		{op: "AdminEnableUser", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "ListUsers", body: `{"UserPoolId":"$pool","Limit":10,"Filter":"username ^= \"a\""}`},
		{op: "ListUsers", body: `{"UserPoolId":"$pool","Filter":"shoe_size = \"9\""}`, want: "InvalidParameterException"},

		// Sign-in: passwords, challenges, SRP, refresh.
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"Passw0rd!"}}`,
			save: map[string]string{"access": "AuthenticationResult.AccessToken", "refresh": "AuthenticationResult.RefreshToken"}},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"Wr0ng-pass"}}`, want: "NotAuthorizedException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"$refresh"}}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"ada","SRP_A":"$srpA"}}`,
			prep: func(t *testing.T, vars map[string]string) {
				var err error
				pool := vars["pool"]
				if srpClient, err = srp.NewClient(pool[strings.IndexByte(pool, '_')+1:], "Passw0rd!"); err != nil {
					t.Fatal(err)
				}
				vars["srpA"] = srpClient.SRPA()
			},
			save: map[string]string{"srpUser": "ChallengeParameters.USER_ID_FOR_SRP", "salt": "ChallengeParameters.SALT",
				"srpB": "ChallengeParameters.SRP_B", "secretBlock": "ChallengeParameters.SECRET_BLOCK"}},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"PASSWORD_VERIFIER","ChallengeResponses":
			{"USERNAME":"$srpUser","TIMESTAMP":"$timestamp","PASSWORD_CLAIM_SIGNATURE":"$signature","PASSWORD_CLAIM_SECRET_BLOCK":"$secretBlock"}}`,
			prep: func(t *testing.T, vars map[string]string) {
				ts, sig, err := srpClient.Respond(vars["srpUser"], vars["salt"], vars["srpB"], vars["secretBlock"], time.Now())
				if err != nil {
					t.Fatal(err)
				}
				vars["timestamp"], vars["signature"] = ts, sig
			}},
		// Choice-based sign-in (USER_AUTH): the choice, a code by email.
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_AUTH","AuthParameters":{"USERNAME":"ada"}}`,
			save: map[string]string{"choice": "Session"}},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_AUTH","AuthParameters":{"USERNAME":"ada","PREFERRED_CHALLENGE":"WEB_AUTHN"}}`,
			want: "InvalidParameterException"},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"SELECT_CHALLENGE","Session":"$choice",
			"ChallengeResponses":{"USERNAME":"ada","ANSWER":"EMAIL_OTP"}}`, save: map[string]string{"otpSession": "Session"}},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"EMAIL_OTP","Session":"$otpSession",
			"ChallengeResponses":{"USERNAME":"ada","EMAIL_OTP_CODE":"000000x"}}`, want: "CodeMismatchException"},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"EMAIL_OTP","Session":"$otpSession",
			"ChallengeResponses":{"USERNAME":"ada","EMAIL_OTP_CODE":"$code"}}`, codeOf: "ada"},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"USER_AUTH",
			"AuthParameters":{"USERNAME":"ada","PREFERRED_CHALLENGE":"PASSWORD","PASSWORD":"Passw0rd!"}}`},
		{op: "AdminRespondToAuthChallenge", body: `{"UserPoolId":"$pool","ClientId":"$client","ChallengeName":"SELECT_CHALLENGE","Session":"$choice",
			"ChallengeResponses":{"USERNAME":"ada","ANSWER":"PASSWORD","PASSWORD":"Passw0rd!"}}`, want: "NotAuthorizedException"},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"not-a-session",
			"ChallengeResponses":{"USERNAME":"tia","NEW_PASSWORD":"N3w-Password!"}}`, want: "NotAuthorizedException"},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"tia","PASSWORD":"Temp-pass1"}}`,
			save: map[string]string{"session": "Session"}},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"tia","PASSWORD":"Wr0ng-pass"}}`, want: "NotAuthorizedException"},
		{op: "AdminRespondToAuthChallenge", body: `{"UserPoolId":"$pool","ClientId":"$client","ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"$session",
			"ChallengeResponses":{"USERNAME":"tia","NEW_PASSWORD":"weak"}}`, want: "InvalidPasswordException"},
		{op: "AdminRespondToAuthChallenge", body: `{"UserPoolId":"$pool","ClientId":"$client","ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"$session",
			"ChallengeResponses":{"USERNAME":"tia","NEW_PASSWORD":"N3w-Password!"}}`,
			save: map[string]string{"tiaAccess": "AuthenticationResult.AccessToken"}},

		// The signed-in user's own operations.
		{op: "GetUser", body: `{"AccessToken":"$access"}`},
		{op: "GetUser", body: `{"AccessToken":"not-a-token"}`, want: "NotAuthorizedException"},
		{op: "UpdateUserAttributes", body: `{"AccessToken":"$access","UserAttributes":[{"Name":"email","Value":"sam@example.org"},{"Name":"given_name","Value":"Sam"}]}`},
		{op: "UpdateUserAttributes", body: `{"AccessToken":"not-a-token","UserAttributes":[{"Name":"given_name","Value":"Sam"}]}`, want: "NotAuthorizedException"},
		{op: "VerifyUserAttribute", body: `{"AccessToken":"$access","AttributeName":"email","Code":"000000x"}`, want: "CodeMismatchException"},
		{op: "VerifyUserAttribute", body: `{"AccessToken":"$access","AttributeName":"email","Code":"$code"}`, codeOf: "sam"},
		{op: "GetUserAttributeVerificationCode", body: `{"AccessToken":"$access","AttributeName":"email"}`},
		{op: "GetUserAttributeVerificationCode", body: `{"AccessToken":"not-a-token","AttributeName":"email"}`, want: "NotAuthorizedException"},
		{op: "DeleteUserAttributes", body: `{"AccessToken":"$access","UserAttributeNames":["given_name"]}`},
		{op: "DeleteUserAttributes", body: `{"AccessToken":"not-a-token","UserAttributeNames":["given_name"]}`, want: "NotAuthorizedException"},
		{op: "ChangePassword", body: `{"AccessToken":"$access","PreviousPassword":"Wr0ng-pass","ProposedPassword":"Passw0rd!2"}`, want: "NotAuthorizedException"},
		{op: "ChangePassword", body: `{"AccessToken":"$access","PreviousPassword":"Passw0rd!","ProposedPassword":"Passw0rd!2"}`},
		{op: "GetTokensFromRefreshToken", body: `{"ClientId":"$client","RefreshToken":"$refresh"}`},
		{op: "GetTokensFromRefreshToken", body: `{"ClientId":"$client","RefreshToken":"not-a-token"}`, want: "NotAuthorizedException"},
		{op: "RevokeToken", body: `{"ClientId":"$client","Token":"$refresh"}`},
		{op: "RevokeToken", body: `{"ClientId":"1example23456789abcdefghij","Token":"not-a-token"}`, want: "UnauthorizedException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"Passw0rd!2"}}`,
			save: map[string]string{"access": "AuthenticationResult.AccessToken"}},
		{op: "GlobalSignOut", body: `{"AccessToken":"$access"}`},
		{op: "GlobalSignOut", body: `{"AccessToken":"$access"}`, want: "NotAuthorizedException"},
		{op: "AdminUserGlobalSignOut", body: `{"UserPoolId":"$pool","Username":"ada"}`},
		{op: "AdminUserGlobalSignOut", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "DeleteUser", body: `{"AccessToken":"$tiaAccess"}`},
		{op: "DeleteUser", body: `{"AccessToken":"$tiaAccess"}`, want: "NotAuthorizedException"},

		// Password resets.
		{op: "ForgotPassword", body: `{"ClientId":"$client","Username":"ada"}`},
		{op: "ForgotPassword", body: `{"ClientId":"$client","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "ConfirmForgotPassword", body: `{"ClientId":"$client","Username":"ada","ConfirmationCode":"000000x","Password":"Passw0rd!3"}`, want: "CodeMismatchException"},
		{op: "ConfirmForgotPassword", body: `{"ClientId":"$client","Username":"ada","ConfirmationCode":"$code","Password":"Passw0rd!3"}`, codeOf: "ada"},
		{op: "AdminResetUserPassword", body: `{"UserPoolId":"$pool","Username":"ada"}`},
		{op: "AdminResetUserPassword", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},

		// Groups.
		{op: "CreateGroup", body: `{"UserPoolId":"$pool","GroupName":"admins","Description":"Admins","Precedence":1}`},
		{op: "CreateGroup", body: `{"UserPoolId":"$pool","GroupName":"admins"}`, want: "GroupExistsException"},
		{op: "GetGroup", body: `{"UserPoolId":"$pool","GroupName":"admins"}`},
		{op: "GetGroup", body: `{"UserPoolId":"$pool","GroupName":"nobody"}`, want: "ResourceNotFoundException"},
		{op: "UpdateGroup", body: `{"UserPoolId":"$pool","GroupName":"admins","Description":"Administrators"}`},
		{op: "UpdateGroup", body: `{"UserPoolId":"$pool","GroupName":"nobody","Description":"x"}`, want: "ResourceNotFoundException"},
		{op: "ListGroups", body: `{"UserPoolId":"$pool","Limit":10}`},
		{op: "ListGroups", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},
		{op: "AdminAddUserToGroup", body: `{"UserPoolId":"$pool","Username":"sam","GroupName":"admins"}`},
		{op: "AdminAddUserToGroup", body: `{"UserPoolId":"$pool","Username":"sam","GroupName":"nobody"}`, want: "ResourceNotFoundException"},
		{op: "AdminListGroupsForUser", body: `{"UserPoolId":"$pool","Username":"sam"}`},
		{op: "AdminListGroupsForUser", body: `{"UserPoolId":"$pool","Username":"nobody"}`, want: "UserNotFoundException"},
		{op: "ListUsersInGroup", body: `{"UserPoolId":"$pool","GroupName":"admins"}`},
		{op: "ListUsersInGroup", body: `{"UserPoolId":"$pool","GroupName":"nobody"}`, want: "ResourceNotFoundException"},
		{op: "AdminRemoveUserFromGroup", body: `{"UserPoolId":"$pool","Username":"sam","GroupName":"admins"}`},
		{op: "AdminRemoveUserFromGroup", body: `{"UserPoolId":"$pool","Username":"nobody","GroupName":"admins"}`, want: "UserNotFoundException"},
		{op: "DeleteGroup", body: `{"UserPoolId":"$pool","GroupName":"admins"}`},
		{op: "DeleteGroup", body: `{"UserPoolId":"$pool","GroupName":"admins"}`, want: "ResourceNotFoundException"},

		// Domains and resource servers.
		{op: "CreateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check","ManagedLoginVersion":2}`},
		{op: "CreateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"Not A Domain"}`, want: "InvalidParameterException"},
		{op: "DescribeUserPoolDomain", body: `{"Domain":"model-check"}`},
		{op: "DescribeUserPoolDomain", body: `{}`, want: "InvalidParameterException"},
		{op: "UpdateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check","ManagedLoginVersion":1}`},
		{op: "UpdateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"elsewhere"}`, want: "InvalidParameterException"},
		{op: "DeleteUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check"}`},
		{op: "DeleteUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check"}`, want: "InvalidParameterException"},
		{op: "CreateResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com","Name":"api","Scopes":[{"ScopeName":"read","ScopeDescription":"Read"}]}`},
		{op: "CreateResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com","Name":"api"}`, want: "InvalidParameterException"},
		{op: "DescribeResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com"}`},
		{op: "DescribeResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://nowhere.example.com"}`, want: "ResourceNotFoundException"},
		{op: "UpdateResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com","Name":"api v2"}`},
		{op: "UpdateResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://nowhere.example.com","Name":"x"}`, want: "ResourceNotFoundException"},
		{op: "ListResourceServers", body: `{"UserPoolId":"$pool","MaxResults":10}`},
		{op: "ListResourceServers", body: `{"UserPoolId":"us-east-1_Nowhere0","MaxResults":10}`, want: "ResourceNotFoundException"},
		{op: "DeleteResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com"}`},
		{op: "DeleteResourceServer", body: `{"UserPoolId":"$pool","Identifier":"https://api.example.com"}`, want: "ResourceNotFoundException"},

		// Refusals that come from deeper in the service.
		{op: "InitiateAuth", body: `{"ClientId":"1example23456789abcdefghij","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"x"}}`, want: "ResourceNotFoundException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"sam"}}`, want: "InvalidParameterException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam"}}`, want: "InvalidParameterException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"not-a-token"}}`, want: "NotAuthorizedException"},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"$refresh"}}`, want: "NotAuthorizedException"},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"sam","SRP_A":"0"}}`, want: "InvalidParameterException"},
		{op: "SignUp", body: `{"ClientId":"1example23456789abcdefghij","Username":"zed","Password":"Passw0rd!"}`, want: "ResourceNotFoundException"},
		{op: "SignUp", body: `{"ClientId":"$client","Username":"zed","Password":"Passw0rd!","UserAttributes":[{"Name":"shoe_size","Value":"9"}]}`, want: "InvalidParameterException"},
		{op: "GetTokensFromRefreshToken", body: `{"ClientId":"1example23456789abcdefghij","RefreshToken":"$refresh"}`, want: "ResourceNotFoundException"},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"Passw0rd!2"}}`,
			save: map[string]string{"access": "AuthenticationResult.AccessToken"}},
		{op: "ChangePassword", body: `{"AccessToken":"$access","PreviousPassword":"Passw0rd!2","ProposedPassword":"weak"}`, want: "InvalidPasswordException"},
		{op: "UpdateUserAttributes", body: `{"AccessToken":"$access","UserAttributes":[{"Name":"sub","Value":"x"}]}`, want: "InvalidParameterException"},
		{op: "GetUserAttributeVerificationCode", body: `{"AccessToken":"$access","AttributeName":"phone_number"}`, want: "InvalidParameterException"},
		{op: "VerifyUserAttribute", body: `{"AccessToken":"$access","AttributeName":"email","Code":"123456"}`, want: "CodeMismatchException"},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"noemail","MessageAction":"SUPPRESS"}`},
		{op: "ForgotPassword", body: `{"ClientId":"$client","Username":"noemail"}`, want: "InvalidParameterException"},
		{op: "AdminResetUserPassword", body: `{"UserPoolId":"$pool","Username":"noemail"}`, want: "InvalidParameterException"},
		{op: "AdminAddUserToGroup", body: `{"UserPoolId":"$pool","Username":"nobody","GroupName":"admins"}`, want: "UserNotFoundException"},
		{op: "CreateGroup", body: `{"UserPoolId":"$pool","GroupName":"bad group"}`, want: "InvalidParameterException"},
		{op: "CreateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check"}`},
		{op: "CreateUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check-2"}`, want: "InvalidParameterException"},
		{op: "DescribeUserPoolDomain", body: `{"Domain":"nowhere"}`},
		{op: "DeleteUserPoolDomain", body: `{"UserPoolId":"$pool","Domain":"model-check"}`},
		{op: "CreateUserPoolClient", body: `{"UserPoolId":"$pool","ClientName":"web","AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["code"],
			"AllowedOAuthScopes":["openid"],"CallbackURLs":["https://app.example.com/cb"],"SupportedIdentityProviders":["COGNITO"],"GenerateSecret":true,
			"AccessTokenValidity":30,"TokenValidityUnits":{"AccessToken":"minutes"},"EnableTokenRevocation":true}`,
			save: map[string]string{"web": "UserPoolClient.ClientId"}},
		{op: "DescribeUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$web"}`},
		{op: "ListUserPoolClients", body: `{"UserPoolId":"$pool","MaxResults":1}`},
		{op: "ListUsers", body: `{"UserPoolId":"$pool","Limit":1,"AttributesToGet":["email"]}`},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"eve","DesiredDeliveryMediums":["EMAIL"],"UserAttributes":[{"Name":"email","Value":"eve@example.com"}]}`},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"eve","MessageAction":"RESEND","DesiredDeliveryMediums":["EMAIL"]}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"eve","PASSWORD":"$code"}}`, codeOf: "eve"},
		{op: "AdminResetUserPassword", body: `{"UserPoolId":"$pool","Username":"sam"}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"sam","PASSWORD":"Passw0rd!2"}}`, want: "PasswordResetRequiredException"},
		{op: "ListUsersInGroup", body: `{"UserPoolId":"$pool","GroupName":"nobody","Limit":1}`, want: "ResourceNotFoundException"},
		{op: "CreateUserPoolClient", body: `{"UserPoolId":"$pool","ClientName":"web","AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["code"],
			"AllowedOAuthScopes":["https://nowhere.example.com/read"],"CallbackURLs":["https://app.example.com/cb"]}`, want: "ScopeDoesNotExistException"},
		{op: "CreateUserPoolClient", body: `{"UserPoolId":"$pool","ClientName":"web","AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["implicit","code"],
			"AllowedOAuthScopes":["openid"]}`, want: "InvalidOAuthFlowException"},
		{op: "UpdateUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client","AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["code"],
			"AllowedOAuthScopes":["openid"]}`, want: "InvalidOAuthFlowException"},
		{op: "ListUsers", body: `{"UserPoolId":"$pool","PaginationToken":"garbage"}`, want: "InvalidParameterException"},
		{op: "UpdateUserPool", body: `{"UserPoolId":"$pool","DeletionProtection":"ACTIVE"}`},
		{op: "DeleteUserPool", body: `{"UserPoolId":"$pool"}`, want: "InvalidParameterException"},
		{op: "UpdateUserPool", body: `{"UserPoolId":"$pool","DeletionProtection":"INACTIVE"}`},

		// MFA.
		{op: "GetUserPoolMfaConfig", body: `{"UserPoolId":"$pool"}`},
		{op: "GetUserPoolMfaConfig", body: `{"UserPoolId":"us-east-1_Nowhere0"}`, want: "ResourceNotFoundException"},
		{op: "SetUserPoolMfaConfig", body: `{"UserPoolId":"$pool","MfaConfiguration":"ON"}`, want: "InvalidParameterException"},
		{op: "SetUserPoolMfaConfig", body: `{"UserPoolId":"$pool","MfaConfiguration":"OPTIONAL","EmailMfaConfiguration":{"Message":"no placeholder"}}`,
			want: "InvalidParameterException"},
		{op: "SetUserPoolMfaConfig", body: `{"UserPoolId":"$pool","MfaConfiguration":"OPTIONAL","SoftwareTokenMfaConfiguration":{"Enabled":true}}`},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"mia","MessageAction":"SUPPRESS"}`},
		{op: "AdminSetUserPassword", body: `{"UserPoolId":"$pool","Username":"mia","Password":"Passw0rd!","Permanent":true}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"mia","PASSWORD":"Passw0rd!"}}`,
			save: map[string]string{"mfaAccess": "AuthenticationResult.AccessToken"}},
		{op: "AssociateSoftwareToken", body: `{}`, want: "InvalidParameterException"},
		{op: "AssociateSoftwareToken", body: `{"AccessToken":"$mfaAccess"}`, save: map[string]string{"totpSecret": "SecretCode"}},
		{op: "VerifySoftwareToken", body: `{"AccessToken":"$mfaAccess","UserCode":"$wrongTotp"}`, want: "EnableSoftwareTokenMFAException",
			prep: func(t *testing.T, vars map[string]string) {
				vars["wrongTotp"] = otherTOTP(cognitotest.AuthenticatorCode(t, vars["totpSecret"], time.Now()))
			}},
		{op: "VerifySoftwareToken", body: `{"AccessToken":"$mfaAccess","UserCode":"$totp","FriendlyDeviceName":"phone"}`,
			prep: func(t *testing.T, vars map[string]string) {
				vars["totp"] = cognitotest.AuthenticatorCode(t, vars["totpSecret"], time.Now())
			}},
		{op: "SetUserMFAPreference", body: `{"AccessToken":"$mfaAccess","SMSMfaSettings":{"Enabled":true}}`, want: "InvalidParameterException"},
		{op: "SetUserMFAPreference", body: `{"AccessToken":"$mfaAccess","SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true}}`},
		{op: "AdminSetUserMFAPreference", body: `{"UserPoolId":"$pool","Username":"nobody","SoftwareTokenMfaSettings":{"Enabled":false}}`, want: "UserNotFoundException"},
		{op: "AdminSetUserMFAPreference", body: `{"UserPoolId":"$pool","Username":"mia","SoftwareTokenMfaSettings":{"Enabled":false}}`},
		{op: "SetUserPoolMfaConfig", body: `{"UserPoolId":"$pool","MfaConfiguration":"OFF"}`},

		// CUSTOM_AUTH: refused without the triggers, then two rounds of a
		// secret code, a reused Session, a retried wrong code.
		{op: "UpdateUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client","ClientName":"app","ExplicitAuthFlows":
			["ALLOW_USER_PASSWORD_AUTH","ALLOW_ADMIN_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH","ALLOW_CUSTOM_AUTH"]}`},
		{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"cal","MessageAction":"SUPPRESS"}`},
		{op: "AdminSetUserPassword", body: `{"UserPoolId":"$pool","Username":"cal","Password":"Passw0rd!","Permanent":true}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"cal"}}`, want: "InvalidParameterException"},
		{op: "UpdateUserPool", body: `{"UserPoolId":"$pool","AutoVerifiedAttributes":["email"],"LambdaConfig":{"DefineAuthChallenge":"` +
			cognitotest.DefineAuthChallengeARN + `","CreateAuthChallenge":"` + cognitotest.CreateAuthChallengeARN +
			`","VerifyAuthChallengeResponse":"` + cognitotest.VerifyAuthChallengeARN + `"}}`},
		{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"cal"}}`,
			save: map[string]string{"customA": "Session"}},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"CUSTOM_CHALLENGE","Session":"$customA",
			"ChallengeResponses":{"USERNAME":"cal","ANSWER":"$secret"}}`, save: map[string]string{"customB": "Session"},
			prep: func(t *testing.T, vars map[string]string) { vars["secret"] = sc.Code("cal") }},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"CUSTOM_CHALLENGE","Session":"$customA",
			"ChallengeResponses":{"USERNAME":"cal","ANSWER":"$secret"}}`, want: "NotAuthorizedException"},
		{op: "RespondToAuthChallenge", body: `{"ClientId":"$client","ChallengeName":"CUSTOM_CHALLENGE","Session":"$customB",
			"ChallengeResponses":{"USERNAME":"cal","ANSWER":"$secret"}}`, save: map[string]string{"customAccess": "AuthenticationResult.AccessToken"},
			prep: func(t *testing.T, vars map[string]string) { vars["secret"] = sc.Code("cal") }},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"nobody"}}`,
			want: "UserNotFoundException"},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"cal"}}`,
			save: map[string]string{"customC": "Session"}},
		{op: "AdminRespondToAuthChallenge", body: `{"UserPoolId":"$pool","ClientId":"$client","ChallengeName":"CUSTOM_CHALLENGE","Session":"$customC",
			"ChallengeResponses":{"USERNAME":"cal","ANSWER":"wrong"}}`, save: map[string]string{"customD": "Session"}},
		{op: "AdminRespondToAuthChallenge", body: `{"UserPoolId":"$pool","ClientId":"$client","ChallengeName":"CUSTOM_CHALLENGE","Session":"$customD",
			"ChallengeResponses":{"USERNAME":"cal","ANSWER":"wrong"}}`, want: "NotAuthorizedException"},

		// Deletions.
		{op: "AdminDeleteUser", body: `{"UserPoolId":"$pool","Username":"ben"}`},
		{op: "AdminDeleteUser", body: `{"UserPoolId":"$pool","Username":"ben"}`, want: "UserNotFoundException"},
		{op: "DeleteUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client"}`},
		{op: "DeleteUserPoolClient", body: `{"UserPoolId":"$pool","ClientId":"$client"}`, want: "ResourceNotFoundException"},
		{op: "DeleteUserPool", body: `{"UserPoolId":"$pool"}`},
		{op: "DeleteUserPool", body: `{"UserPoolId":"$pool"}`, want: "ResourceNotFoundException"},
	}
}

var varRef = regexp.MustCompile(`\$[A-Za-z]+`)

// TestServiceModel runs modelExchanges against the local pool, over HTTP as
// any client sends them, and checks every answer against the cognito-idp
// service model: output shapes member by member, and error types against
// the errors the model lists for the operation.
func TestServiceModel(t *testing.T) {
	t.Parallel()
	model, err := loadModel("model/shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	sc := cognitotest.NewSecretCode()
	s := cognitotest.NewServer(t, cognitotest.WithSecretCode(sc))
	vars := map[string]string{}
	type seen struct{ ok, fail int }
	cover := map[string]*seen{}
	for _, op := range cognitoapi.ImplementedOperations() {
		cover[op] = &seen{}
	}
	for i, ex := range modelExchanges(sc) {
		if ex.codeOf != "" {
			vars["code"] = outboxCode(t, s, vars["pool"], ex.codeOf)
		}
		if ex.prep != nil {
			ex.prep(t, vars)
		}
		body := varRef.ReplaceAllStringFunc(ex.body, func(ref string) string {
			v, ok := vars[ref[1:]]
			if !ok {
				t.Fatalf("exchange %d %s: no value saved for %s", i, ex.op, ref)
			}
			return v
		})
		status, answer := modelPost(t, s.URL, ex.op, body)
		name := ex.op
		if ex.want != "" {
			name += " → " + ex.want
		}
		var got struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(answer, &got)
		if status != http.StatusOK && got.Type != ex.want || status == http.StatusOK && ex.want != "" {
			t.Errorf("exchange %d %s: answered %d %s", i, name, status, answer)
		}
		for _, m := range model.checkAnswer(ex.op, status, answer) {
			t.Errorf("exchange %d %s: %s\n\tanswer: %s", i, name, m, answer)
		}
		if c := cover[ex.op]; c != nil && status == http.StatusOK {
			c.ok++
		} else if c != nil {
			c.fail++
		}
		if status == http.StatusOK {
			var out map[string]any
			_ = json.Unmarshal(answer, &out)
			for k, path := range ex.save {
				v, ok := lookup(out, path)
				if !ok {
					t.Fatalf("exchange %d %s: no %s in %s", i, name, path, answer)
				}
				vars[k] = v
			}
		}
	}
	for op, c := range cover {
		if c.ok == 0 || c.fail == 0 {
			t.Errorf("%s: %d successful and %d failing exchanges; the model test needs at least one of each", op, c.ok, c.fail)
		}
	}
}

func modelPost(t *testing.T, url, op, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return res.StatusCode, b
}

// outboxCode is the code of the last message the pool sent username.
func outboxCode(t *testing.T, s *cognitotest.Server, pool, username string) string {
	t.Helper()
	msgs, err := s.Service.Store().ListMessages(t.Context(), pool, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Username == username {
			return msgs[i].Code
		}
	}
	t.Fatalf("no outbox message for %s", username)
	return ""
}

// lookup reads a string at a dotted path of a decoded JSON object.
func lookup(v map[string]any, path string) (string, bool) {
	parts := strings.Split(path, ".")
	var cur any = v
	for _, p := range parts {
		obj, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur = obj[p]
	}
	s, ok := cur.(string)
	return s, ok
}

// invokerFunc is a UserMigration function for TestServiceModelTriggerErrors.
type invokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// TestServiceModelTriggerErrors checks the errors a failing UserMigration
// trigger makes the sign-in and reset operations answer against the model.
func TestServiceModelTriggerErrors(t *testing.T) {
	t.Parallel()
	model, err := loadModel("model/shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	failures := map[string]invokerFunc{
		"UserLambdaValidationException": func(context.Context, []byte) ([]byte, error) {
			return nil, &userpool.FunctionError{Type: "MigrationError", Message: "no such user"}
		},
		"InvalidLambdaResponseException": func(context.Context, []byte) ([]byte, error) { return []byte(`[1,2`), nil },
		"UnexpectedLambdaException": func(context.Context, []byte) ([]byte, error) {
			return nil, errors.New("connection refused")
		},
	}
	for want, fn := range failures {
		s := cognitotest.NewServer(t, cognitotest.WithMigration(fn),
			cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
				in.LambdaConfig.DefineAuthChallenge = aws.String(cognitotest.DefineAuthChallengeARN)
			}),
			cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
				in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
			}))
		s.CreateUser(t, "alice", "Passw0rd!")
		checkRefusals(t, model, s,
			exchange{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"CUSTOM_AUTH","AuthParameters":{"USERNAME":"alice"}}`, want: want},
			exchange{op: "InitiateAuth", body: `{"ClientId":"$client","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"legacy","PASSWORD":"Passw0rd!"}}`, want: want},
			exchange{op: "AdminInitiateAuth", body: `{"UserPoolId":"$pool","ClientId":"$client","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"legacy","PASSWORD":"Passw0rd!"}}`, want: want},
			exchange{op: "ForgotPassword", body: `{"ClientId":"$client","Username":"legacy"}`, want: want})
	}
}

// conflictingStore reports every user update as lost to a concurrent one
// while conflict is set.
type conflictingStore struct {
	userpool.Store
	conflict atomic.Bool
}

func (c *conflictingStore) UpdateUser(ctx context.Context, u *userpool.User) error {
	if c.conflict.Load() {
		return userpool.ErrConflict
	}
	return c.Store.UpdateUser(ctx, u)
}

// TestServiceModelConflictingUpdates checks what the pool answers when a
// user's update keeps losing to concurrent ones: an error every operation
// that updates users lists in the model, and one the SDKs retry.
func TestServiceModelConflictingUpdates(t *testing.T) {
	t.Parallel()
	model, err := loadModel("model/shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	st := &conflictingStore{Store: memstore.New()}
	s := cognitotest.NewServer(t, cognitotest.WithStore(st))
	s.CreateUser(t, "kim", "Passw0rd!", "email", "kim@example.com", "email_verified", "true")
	st.conflict.Store(true)
	checkRefusals(t, model, s,
		exchange{op: "AdminDisableUser", body: `{"UserPoolId":"$pool","Username":"kim"}`, want: "TooManyRequestsException"},
		exchange{op: "AdminUpdateUserAttributes", body: `{"UserPoolId":"$pool","Username":"kim","UserAttributes":[{"Name":"name","Value":"Kim"}]}`, want: "TooManyRequestsException"},
		exchange{op: "AdminDeleteUserAttributes", body: `{"UserPoolId":"$pool","Username":"kim","UserAttributeNames":["name"]}`, want: "TooManyRequestsException"},
		exchange{op: "AdminSetUserPassword", body: `{"UserPoolId":"$pool","Username":"kim","Password":"Passw0rd!2","Permanent":true}`, want: "TooManyRequestsException"},
		exchange{op: "AdminResetUserPassword", body: `{"UserPoolId":"$pool","Username":"kim"}`, want: "TooManyRequestsException"},
		exchange{op: "ForgotPassword", body: `{"ClientId":"$client","Username":"kim"}`, want: "TooManyRequestsException"})
}

// TestServiceModelEmailUsernames checks the refusals of a pool whose
// usernames are email addresses, where an address taken by another user
// is refused differently on creation and on update.
func TestServiceModelEmailUsernames(t *testing.T) {
	t.Parallel()
	model, err := loadModel("model/shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
	}))
	s.CreateUser(t, "a@example.com", "Passw0rd!", "email_verified", "true")
	s.CreateUser(t, "b@example.com", "Passw0rd!", "email_verified", "true")
	checkRefusals(t, model, s,
		exchange{op: "AdminCreateUser", body: `{"UserPoolId":"$pool","Username":"a@example.com","MessageAction":"SUPPRESS"}`, want: "UsernameExistsException"},
		exchange{op: "SignUp", body: `{"ClientId":"$client","Username":"a@example.com","Password":"Passw0rd!"}`, want: "UsernameExistsException"},
		exchange{op: "AdminUpdateUserAttributes", body: `{"UserPoolId":"$pool","Username":"b@example.com","UserAttributes":[{"Name":"email","Value":"a@example.com"},{"Name":"email_verified","Value":"true"}]}`,
			want: "AliasExistsException"})
}

// checkRefusals posts each exchange to s ($client and $pool filled in),
// expects its error and checks the answer against the model.
func checkRefusals(t *testing.T, model *serviceModel, s *cognitotest.Server, exs ...exchange) {
	t.Helper()
	fill := strings.NewReplacer("$client", s.ClientID, "$pool", s.PoolID)
	for _, ex := range exs {
		status, answer := modelPost(t, s.URL, ex.op, fill.Replace(ex.body))
		var got struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(answer, &got)
		if got.Type != ex.want {
			t.Errorf("%s: answered %d %s, want %s", ex.op, status, answer, ex.want)
		}
		for _, m := range model.checkAnswer(ex.op, status, answer) {
			t.Errorf("%s → %s: %s\n\tanswer: %s", ex.op, ex.want, m, answer)
		}
	}
}

// otherTOTP is a six-digit code that is not code.
func otherTOTP(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}
