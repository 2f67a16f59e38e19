package userpool

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// PoolSettings is a pool's configuration. Field names and JSON tags are
// Cognito's (UserPoolType), so a pool's settings read like its description.
// Other keeps settings the service stores and echoes but does not act on
// (message templates, email and SMS configuration, tags, …).
type PoolSettings struct {
	Policies               Policies               `json:"Policies"`
	LambdaConfig           LambdaConfig           `json:"LambdaConfig"`
	AutoVerifiedAttributes []string               `json:"AutoVerifiedAttributes,omitempty"`
	AliasAttributes        []string               `json:"AliasAttributes,omitempty"`
	UsernameAttributes     []string               `json:"UsernameAttributes,omitempty"`
	UsernameConfiguration  *UsernameConfiguration `json:"UsernameConfiguration,omitempty"`
	SchemaAttributes       []SchemaAttribute      `json:"SchemaAttributes"`
	MfaConfiguration       string                 `json:"MfaConfiguration"`
	// MfaFactors are GetUserPoolMfaConfig's, not UserPoolType's: the pool
	// renderer leaves them out.
	MfaFactors             *PoolMFAFactors            `json:"MfaFactors,omitempty"`
	DeletionProtection     string                     `json:"DeletionProtection"`
	AdminCreateUserConfig  AdminCreateUserConfig      `json:"AdminCreateUserConfig"`
	AccountRecoverySetting *AccountRecoverySetting    `json:"AccountRecoverySetting,omitempty"`
	Other                  map[string]json.RawMessage `json:"Other,omitempty"`
}

// Policies holds the password and sign-in policies.
type Policies struct {
	PasswordPolicy PasswordPolicy             `json:"PasswordPolicy"`
	SignInPolicy   map[string]json.RawMessage `json:"SignInPolicy,omitempty"`
}

// PasswordPolicy is Cognito's password policy.
type PasswordPolicy struct {
	MinimumLength                 int  `json:"MinimumLength"`
	RequireUppercase              bool `json:"RequireUppercase"`
	RequireLowercase              bool `json:"RequireLowercase"`
	RequireNumbers                bool `json:"RequireNumbers"`
	RequireSymbols                bool `json:"RequireSymbols"`
	PasswordHistorySize           *int `json:"PasswordHistorySize,omitempty"`
	TemporaryPasswordValidityDays int  `json:"TemporaryPasswordValidityDays"`
}

// DefaultPasswordPolicy is Cognito's policy when a pool names none.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true,
		RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7}
}

// LambdaConfig names the pool's triggers by ARN (or function name).
type LambdaConfig struct {
	PreSignUp                   string          `json:"PreSignUp,omitempty"`
	CustomMessage               string          `json:"CustomMessage,omitempty"`
	PostConfirmation            string          `json:"PostConfirmation,omitempty"`
	PreAuthentication           string          `json:"PreAuthentication,omitempty"`
	PostAuthentication          string          `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string          `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string          `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string          `json:"VerifyAuthChallengeResponse,omitempty"`
	PreTokenGeneration          string          `json:"PreTokenGeneration,omitempty"`
	UserMigration               string          `json:"UserMigration,omitempty"`
	PreTokenGenerationConfig    json.RawMessage `json:"PreTokenGenerationConfig,omitempty"`
	CustomSMSSender             json.RawMessage `json:"CustomSMSSender,omitempty"`
	CustomEmailSender           json.RawMessage `json:"CustomEmailSender,omitempty"`
	KMSKeyID                    string          `json:"KMSKeyID,omitempty"`
}

// UsernameConfiguration says whether usernames are case-sensitive.
type UsernameConfiguration struct {
	CaseSensitive bool `json:"CaseSensitive"`
}

// AdminCreateUserConfig is the pool's admin-creation policy.
type AdminCreateUserConfig struct {
	AllowAdminCreateUserOnly  bool            `json:"AllowAdminCreateUserOnly"`
	UnusedAccountValidityDays int             `json:"UnusedAccountValidityDays,omitempty"`
	InviteMessageTemplate     json.RawMessage `json:"InviteMessageTemplate,omitempty"`
}

// AccountRecoverySetting orders the channels of ForgotPassword.
type AccountRecoverySetting struct {
	RecoveryMechanisms []RecoveryOption `json:"RecoveryMechanisms"`
}

// RecoveryOption is one account-recovery channel.
type RecoveryOption struct {
	Priority int    `json:"Priority"`
	Name     string `json:"Name"` // verified_email, verified_phone_number, admin_only
}

// SchemaAttribute is one attribute of the pool schema.
type SchemaAttribute struct {
	Name                       string             `json:"Name"`
	AttributeDataType          string             `json:"AttributeDataType"`
	DeveloperOnlyAttribute     bool               `json:"DeveloperOnlyAttribute"`
	Mutable                    bool               `json:"Mutable"`
	Required                   bool               `json:"Required"`
	StringAttributeConstraints *StringConstraints `json:"StringAttributeConstraints,omitempty"`
	NumberAttributeConstraints *NumberConstraints `json:"NumberAttributeConstraints,omitempty"`
}

// StringConstraints bound a string attribute's length (decimal strings, as
// on the wire).
type StringConstraints struct {
	MinLength string `json:"MinLength,omitempty"`
	MaxLength string `json:"MaxLength,omitempty"`
}

// NumberConstraints bound a number attribute's value.
type NumberConstraints struct {
	MinValue string `json:"MinValue,omitempty"`
	MaxValue string `json:"MaxValue,omitempty"`
}

// CaseSensitive reports whether usernames are case-sensitive. The API
// default (no UsernameConfiguration) is true.
func (s *PoolSettings) CaseSensitive() bool {
	return s.UsernameConfiguration == nil || s.UsernameConfiguration.CaseSensitive
}

// attribute returns the schema attribute called name (with its custom:
// prefix for custom attributes).
func (s *PoolSettings) attribute(name string) (SchemaAttribute, bool) {
	for _, a := range s.SchemaAttributes {
		if a.Name == name {
			return a, true
		}
	}
	return SchemaAttribute{}, false
}

func (s *PoolSettings) usernameAttr(name string) bool {
	return slices.Contains(s.UsernameAttributes, name)
}
func (s *PoolSettings) aliasAttr(name string) bool { return slices.Contains(s.AliasAttributes, name) }

// ClientSettings is an app client's configuration, with Cognito's names.
type ClientSettings struct {
	ExplicitAuthFlows          []string            `json:"ExplicitAuthFlows,omitempty"`
	PreventUserExistenceErrors string              `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation      bool                `json:"EnableTokenRevocation"`
	AccessTokenValidity        int64               `json:"AccessTokenValidity,omitempty"`
	IDTokenValidity            int64               `json:"IdTokenValidity,omitempty"`
	RefreshTokenValidity       int64               `json:"RefreshTokenValidity"`
	TokenValidityUnits         *TokenValidityUnits `json:"TokenValidityUnits,omitempty"`
	AuthSessionValidity        int                 `json:"AuthSessionValidity"`
	ReadAttributes             []string            `json:"ReadAttributes,omitempty"`
	WriteAttributes            []string            `json:"WriteAttributes,omitempty"`
	// OAuth 2.0 and managed login (see oauth_settings.go for the rules).
	CallbackURLs                    []string                   `json:"CallbackURLs,omitempty"`
	LogoutURLs                      []string                   `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI              string                     `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows               []string                   `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes              []string                   `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool                       `json:"AllowedOAuthFlowsUserPoolClient"`
	SupportedIdentityProviders      []string                   `json:"SupportedIdentityProviders,omitempty"`
	Other                           map[string]json.RawMessage `json:"Other,omitempty"`
}

// TokenValidityUnits are the units of the three token validities.
type TokenValidityUnits struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IDToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// Auth flows an app client can allow.
const (
	FlowUserSRP           = "ALLOW_USER_SRP_AUTH"
	FlowUserPassword      = "ALLOW_USER_PASSWORD_AUTH"
	FlowAdminUserPassword = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
	FlowCustom            = "ALLOW_CUSTOM_AUTH"
	FlowRefresh           = "ALLOW_REFRESH_TOKEN_AUTH"
	FlowUserAuth          = "ALLOW_USER_AUTH"
)

var legacyFlows = map[string]string{
	"ADMIN_NO_SRP_AUTH":     FlowAdminUserPassword,
	"USER_PASSWORD_AUTH":    FlowUserPassword,
	"CUSTOM_AUTH_FLOW_ONLY": FlowCustom,
}

// DefaultExplicitAuthFlows are a client's flows when it names none.
var DefaultExplicitAuthFlows = []string{FlowRefresh, FlowUserSRP, FlowCustom}

// allows reports whether the client allows the ALLOW_* flow.
func (c *ClientSettings) allows(flow string) bool {
	flows := c.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = DefaultExplicitAuthFlows
	}
	for _, f := range flows {
		if f == flow || legacyFlows[f] == flow {
			return true
		}
	}
	// Legacy-named clients always allow SRP and refresh.
	if flow == FlowUserSRP || flow == FlowRefresh {
		for _, f := range flows {
			if _, ok := legacyFlows[f]; ok {
				return true
			}
		}
	}
	return false
}

// preventsExistenceErrors reports PreventUserExistenceErrors = ENABLED.
func (c *ClientSettings) preventsExistenceErrors() bool {
	return c.PreventUserExistenceErrors == "ENABLED"
}

// validityUnit converts a validity in the named unit to seconds.
func validitySeconds(v int64, unit, def string) (int64, error) {
	if unit == "" {
		unit = def
	}
	switch unit {
	case "seconds":
		return v, nil
	case "minutes":
		return v * 60, nil
	case "hours":
		return v * 3600, nil
	case "days":
		return v * 86400, nil
	default:
		return 0, fmt.Errorf("unknown token validity unit %q", unit)
	}
}

// standardSchema is Cognito's standard attribute schema, in Cognito's order.
func standardSchema() []SchemaAttribute {
	str := func(name string, mutable bool, minLen, maxLen string) SchemaAttribute {
		return SchemaAttribute{Name: name, AttributeDataType: "String", Mutable: mutable,
			StringAttributeConstraints: &StringConstraints{MinLength: minLen, MaxLength: maxLen}}
	}
	attrs := []SchemaAttribute{str("sub", false, "1", "2048")}
	attrs[0].Required = true
	for _, n := range []string{"name", "given_name", "family_name", "middle_name", "nickname",
		"preferred_username", "profile", "picture", "website", "email"} {
		attrs = append(attrs, str(n, true, "0", "2048"))
	}
	attrs = append(attrs, SchemaAttribute{Name: "email_verified", AttributeDataType: "Boolean", Mutable: true})
	attrs = append(attrs, str("gender", true, "0", "2048"))
	attrs = append(attrs, str("birthdate", true, "10", "10"))
	for _, n := range []string{"zoneinfo", "locale", "phone_number"} {
		attrs = append(attrs, str(n, true, "0", "2048"))
	}
	attrs = append(attrs, SchemaAttribute{Name: "phone_number_verified", AttributeDataType: "Boolean", Mutable: true})
	attrs = append(attrs, str("address", true, "0", "2048"))
	attrs = append(attrs, SchemaAttribute{Name: "updated_at", AttributeDataType: "Number", Mutable: true,
		NumberAttributeConstraints: &NumberConstraints{MinValue: "0"}})
	attrs = append(attrs, SchemaAttribute{Name: "identities", AttributeDataType: "String", Mutable: true,
		StringAttributeConstraints: &StringConstraints{}})
	return attrs
}

// mergeSchema returns the standard schema with the requested changes to
// standard attributes (Required, Mutable, constraints) and the custom
// attributes (stored with their custom: prefix).
func mergeSchema(requested []SchemaAttribute) ([]SchemaAttribute, error) {
	schema := standardSchema()
	seen := map[string]bool{}
	for _, r := range requested {
		name := strings.TrimPrefix(r.Name, "custom:")
		if name == "" {
			return nil, newErr(ErrInvalidParameter, "Schema attribute name must not be empty.")
		}
		if seen[name] {
			return nil, newErr(ErrInvalidParameter, "Duplicate attribute name: %s", name)
		}
		seen[name] = true
		if i := slices.IndexFunc(schema, func(a SchemaAttribute) bool { return a.Name == name }); i >= 0 && !strings.HasPrefix(r.Name, "custom:") {
			if name == "sub" {
				continue
			}
			if r.AttributeDataType != "" && r.AttributeDataType != schema[i].AttributeDataType {
				return nil, newErr(ErrInvalidParameter, "You can not change AttributeDataType of a standard attribute %s.", name)
			}
			schema[i].Required = r.Required
			schema[i].Mutable = r.Mutable
			if r.StringAttributeConstraints != nil {
				schema[i].StringAttributeConstraints = r.StringAttributeConstraints
			}
			continue
		}
		if len(name) > 20 {
			return nil, newErr(ErrInvalidParameter, "custom attribute name %s is longer than 20 characters", name)
		}
		if r.Required {
			return nil, newErr(ErrInvalidParameter, "Required custom attributes are not supported currently.")
		}
		dt := r.AttributeDataType
		if dt == "" {
			dt = "String"
		}
		switch dt {
		case "String", "Number", "DateTime", "Boolean":
		default:
			return nil, newErr(ErrInvalidParameter, "Invalid AttributeDataType %s for attribute %s.", dt, name)
		}
		c := r
		c.Name = "custom:" + name
		c.AttributeDataType = dt
		if dt == "String" && c.StringAttributeConstraints == nil {
			c.StringAttributeConstraints = &StringConstraints{}
		}
		if dt == "Number" && c.NumberAttributeConstraints == nil {
			c.NumberAttributeConstraints = &NumberConstraints{}
		}
		schema = append(schema, c)
	}
	return schema, nil
}
