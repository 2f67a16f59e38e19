package cognitoapi

import (
	"encoding/json"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// operations is the dispatch table: X-Amz-Target action name → handler.
var operations = map[string]operation{
	"CreateUserPool":              createUserPool,
	"DescribeUserPool":            describeUserPool,
	"UpdateUserPool":              updateUserPool,
	"ListUserPools":               listUserPools,
	"DeleteUserPool":              deleteUserPool,
	"CreateUserPoolClient":        createUserPoolClient,
	"DescribeUserPoolClient":      describeUserPoolClient,
	"UpdateUserPoolClient":        updateUserPoolClient,
	"ListUserPoolClients":         listUserPoolClients,
	"DeleteUserPoolClient":        deleteUserPoolClient,
	"SignUp":                      signUp,
	"ConfirmSignUp":               confirmSignUp,
	"ResendConfirmationCode":      resendConfirmationCode,
	"AdminCreateUser":             adminCreateUser,
	"AdminGetUser":                adminGetUser,
	"AdminDeleteUser":             adminDeleteUser,
	"AdminSetUserPassword":        adminSetUserPassword,
	"AdminUpdateUserAttributes":   adminUpdateUserAttributes,
	"AdminConfirmSignUp":          adminConfirmSignUp,
	"AdminDisableUser":            adminDisableUser,
	"AdminEnableUser":             adminEnableUser,
	"AdminUserGlobalSignOut":      adminUserGlobalSignOut,
	"ListUsers":                   listUsers,
	"GetCSVHeader":                getCSVHeader,
	"GetUser":                     getUser,
	"GetTokensFromRefreshToken":   getTokensFromRefreshToken,
	"ChangePassword":              changePassword,
	"GlobalSignOut":               globalSignOut,
	"RevokeToken":                 revokeToken,
	"ForgotPassword":              forgotPassword,
	"ConfirmForgotPassword":       confirmForgotPassword,
	"InitiateAuth":                initiateAuth,
	"AdminInitiateAuth":           adminInitiateAuth,
	"RespondToAuthChallenge":      respondToAuthChallenge,
	"AdminRespondToAuthChallenge": adminRespondToAuthChallenge,
	"CreateUserPoolDomain":        createUserPoolDomain,
	"DescribeUserPoolDomain":      describeUserPoolDomain,
	"UpdateUserPoolDomain":        updateUserPoolDomain,
	"DeleteUserPoolDomain":        deleteUserPoolDomain,
	"CreateResourceServer":        createResourceServer,
	"DescribeResourceServer":      describeResourceServer,
	"UpdateResourceServer":        updateResourceServer,
	"DeleteResourceServer":        deleteResourceServer,
	"ListResourceServers":         listResourceServers,

	// The signed-in user's profile, and attribute administration.
	"UpdateUserAttributes":             updateUserAttributes,
	"GetUserAttributeVerificationCode": getUserAttributeVerificationCode,
	"VerifyUserAttribute":              verifyUserAttribute,
	"DeleteUser":                       deleteUser,
	"DeleteUserAttributes":             deleteUserAttributes,
	"AdminDeleteUserAttributes":        adminDeleteUserAttributes,
	"AdminResetUserPassword":           adminResetUserPassword,
	"AddCustomAttributes":              addCustomAttributes,

	// Groups.
	"CreateGroup":              createGroup,
	"GetGroup":                 getGroup,
	"UpdateGroup":              updateGroup,
	"DeleteGroup":              deleteGroup,
	"ListGroups":               listGroups,
	"AdminAddUserToGroup":      adminAddUserToGroup,
	"AdminRemoveUserFromGroup": adminRemoveUserFromGroup,
	"AdminListGroupsForUser":   adminListGroupsForUser,
	"ListUsersInGroup":         listUsersInGroup,

	// Multi-factor authentication.
	"AssociateSoftwareToken":    associateSoftwareToken,
	"VerifySoftwareToken":       verifySoftwareToken,
	"SetUserMFAPreference":      setUserMFAPreference,
	"AdminSetUserMFAPreference": adminSetUserMFAPreference,
	"GetUserPoolMfaConfig":      getUserPoolMfaConfig,
	"SetUserPoolMfaConfig":      setUserPoolMfaConfig,
}

// attributeIn and attributeOut are AttributeType.
type attributeIn struct {
	Name  *string `json:"Name"`
	Value *string `json:"Value"`
}

type attributeOut struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// attributeMap turns an attribute list into a map; a missing Name is
// InvalidParameterException, a missing Value is "".
func attributeMap(member string, in []attributeIn) (map[string]string, error) {
	out := make(map[string]string, len(in))
	var msgs []string
	for i, a := range in {
		if a.Name == nil || *a.Name == "" {
			return nil, invalidParameter("1 validation error detected: Value null at '%s.member.name' failed to satisfy constraint: Member must not be null", lowerFirst(member))
		}
		if overMax(*a.Name, attributeNameMax) {
			msgs = append(msgs, lengthMessage(fmt.Sprintf("%s.%d.member.name", lowerFirst(member), i+1), attributeNameMax))
		}
		if a.Value != nil && overMax(*a.Value, attributeValueMax) {
			msgs = append(msgs, lengthMessage(fmt.Sprintf("%s.%d.member.value", lowerFirst(member), i+1), attributeValueMax))
		}
		v := ""
		if a.Value != nil {
			v = *a.Value
		}
		out[*a.Name] = v
	}
	if err := validationErrors(msgs); err != nil {
		return nil, err
	}
	return out, nil
}

func attributesOut(u *userpool.User) []attributeOut {
	attrs := userpool.UserAttributes(u)
	out := make([]attributeOut, len(attrs))
	for i, a := range attrs {
		out[i] = attributeOut(a)
	}
	return out
}

// userType is UserType (ListUsers, AdminCreateUser).
type userType struct {
	Username             string         `json:"Username"`
	Attributes           []attributeOut `json:"Attributes"`
	UserCreateDate       epoch          `json:"UserCreateDate"`
	UserLastModifiedDate epoch          `json:"UserLastModifiedDate"`
	Enabled              bool           `json:"Enabled"`
	UserStatus           string         `json:"UserStatus"`
}

func userOut(u *userpool.User) userType {
	return userType{Username: u.Username, Attributes: attributesOut(u), UserCreateDate: epoch(u.CreatedAt),
		UserLastModifiedDate: epoch(u.UpdatedAt), Enabled: u.Enabled, UserStatus: u.Status}
}

// codeDeliveryOut is CodeDeliveryDetailsType.
type codeDeliveryOut struct {
	Destination    string `json:"Destination"`
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

func deliveryOut(d *userpool.CodeDelivery) *codeDeliveryOut {
	if d == nil {
		return nil
	}
	return &codeDeliveryOut{Destination: d.Destination, DeliveryMedium: d.DeliveryMedium, AttributeName: d.AttributeName}
}

// merge returns v marshalled to a JSON object, with extra's members added
// (extra never overrides v's).
func merge(v any, extra map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	for k, val := range extra {
		if _, ok := out[k]; !ok {
			out[k] = val
		}
	}
	return out, nil
}

// passThrough collects the members of body named in keys.
func passThrough(body []byte, keys []string) map[string]json.RawMessage {
	var all map[string]json.RawMessage
	if json.Unmarshal(body, &all) != nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, k := range keys {
		if v, ok := all[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
