package cognitoapi

// cognitoOperations are the actions of Amazon Cognito user pools, as
// aws-sdk-go-v2 v1.61.0 names them. An action here but not in operations is
// one this local pool does not implement, and it says so instead of
// calling it unknown; TestOperationsInModel keeps the list in step with
// the SDK the module requires.
var cognitoOperations = []string{
	"AddCustomAttributes", "AddUserPoolClientSecret", "AdminAddUserToGroup", "AdminConfirmSignUp",
	"AdminCreateUser", "AdminDeleteUser", "AdminDeleteUserAttributes", "AdminDisableProviderForUser",
	"AdminDisableUser", "AdminEnableUser", "AdminForgetDevice", "AdminGetDevice", "AdminGetUser",
	"AdminInitiateAuth", "AdminLinkProviderForUser", "AdminListDevices", "AdminListGroupsForUser",
	"AdminListUserAuthEvents", "AdminRemoveUserFromGroup", "AdminResetUserPassword",
	"AdminRespondToAuthChallenge", "AdminSetUserMFAPreference", "AdminSetUserPassword", "AdminSetUserSettings",
	"AdminUpdateAuthEventFeedback", "AdminUpdateDeviceStatus", "AdminUpdateUserAttributes",
	"AdminUserGlobalSignOut", "AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration",
	"ConfirmDevice", "ConfirmForgotPassword", "ConfirmSignUp", "CreateGroup", "CreateIdentityProvider",
	"CreateManagedLoginBranding", "CreateResourceServer", "CreateTerms", "CreateUserImportJob",
	"CreateUserPool", "CreateUserPoolClient", "CreateUserPoolDomain", "CreateUserPoolReplica", "DeleteGroup",
	"DeleteIdentityProvider", "DeleteManagedLoginBranding", "DeleteResourceServer", "DeleteTerms", "DeleteUser",
	"DeleteUserAttributes", "DeleteUserPool", "DeleteUserPoolClient", "DeleteUserPoolClientSecret",
	"DeleteUserPoolDomain", "DeleteUserPoolReplica", "DeleteWebAuthnCredential", "DescribeIdentityProvider",
	"DescribeManagedLoginBranding", "DescribeManagedLoginBrandingByClient", "DescribeResourceServer",
	"DescribeRiskConfiguration", "DescribeTerms", "DescribeUserImportJob", "DescribeUserPool",
	"DescribeUserPoolClient", "DescribeUserPoolDomain", "ForgetDevice", "ForgotPassword", "GetCSVHeader",
	"GetDevice", "GetGroup", "GetIdentityProviderByIdentifier", "GetLogDeliveryConfiguration",
	"GetSigningCertificate", "GetTokensFromRefreshToken", "GetUICustomization", "GetUser",
	"GetUserAttributeVerificationCode", "GetUserAuthFactors", "GetUserPoolMfaConfig", "GlobalSignOut",
	"InitiateAuth", "ListDevices", "ListGroups", "ListIdentityProviders", "ListResourceServers",
	"ListTagsForResource", "ListTerms", "ListUserImportJobs", "ListUserPoolClientSecrets",
	"ListUserPoolClients", "ListUserPoolReplicas", "ListUserPools", "ListUsers", "ListUsersInGroup",
	"ListWebAuthnCredentials", "ResendConfirmationCode", "RespondToAuthChallenge", "RevokeToken",
	"SetLogDeliveryConfiguration", "SetRiskConfiguration", "SetUICustomization", "SetUserMFAPreference",
	"SetUserPoolMfaConfig", "SetUserSettings", "SignUp", "StartUserImportJob", "StartWebAuthnRegistration",
	"StopUserImportJob", "TagResource", "UntagResource", "UpdateAuthEventFeedback", "UpdateDeviceStatus",
	"UpdateGroup", "UpdateIdentityProvider", "UpdateManagedLoginBranding", "UpdateResourceServer",
	"UpdateTerms", "UpdateUserAttributes", "UpdateUserPool", "UpdateUserPoolClient", "UpdateUserPoolDomain",
	"UpdateUserPoolReplica", "VerifySoftwareToken", "VerifyUserAttribute",
}
