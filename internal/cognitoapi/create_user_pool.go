package cognitoapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// poolSettingsIn is the configurable part of CreateUserPool and
// UpdateUserPool, with pointers where Cognito's defaults differ from Go's.
type poolSettingsIn struct {
	PoolName *string `json:"PoolName"`
	Policies *struct {
		PasswordPolicy *struct {
			MinimumLength                 *int `json:"MinimumLength"`
			RequireUppercase              bool `json:"RequireUppercase"`
			RequireLowercase              bool `json:"RequireLowercase"`
			RequireNumbers                bool `json:"RequireNumbers"`
			RequireSymbols                bool `json:"RequireSymbols"`
			PasswordHistorySize           *int `json:"PasswordHistorySize"`
			TemporaryPasswordValidityDays *int `json:"TemporaryPasswordValidityDays"`
		} `json:"PasswordPolicy"`
		SignInPolicy map[string]json.RawMessage `json:"SignInPolicy"`
	} `json:"Policies"`
	LambdaConfig           *userpool.LambdaConfig           `json:"LambdaConfig"`
	AutoVerifiedAttributes []string                         `json:"AutoVerifiedAttributes"`
	AliasAttributes        []string                         `json:"AliasAttributes"`
	UsernameAttributes     []string                         `json:"UsernameAttributes"`
	UsernameConfiguration  *userpool.UsernameConfiguration  `json:"UsernameConfiguration"`
	Schema                 []schemaIn                       `json:"Schema"`
	MfaConfiguration       string                           `json:"MfaConfiguration"`
	DeletionProtection     string                           `json:"DeletionProtection"`
	AdminCreateUserConfig  *userpool.AdminCreateUserConfig  `json:"AdminCreateUserConfig"`
	AccountRecoverySetting *userpool.AccountRecoverySetting `json:"AccountRecoverySetting"`
}

// schemaIn is SchemaAttributeType as requested (Mutable defaults to true).
type schemaIn struct {
	Name                       string                      `json:"Name"`
	AttributeDataType          string                      `json:"AttributeDataType"`
	DeveloperOnlyAttribute     bool                        `json:"DeveloperOnlyAttribute"`
	Mutable                    *bool                       `json:"Mutable"`
	Required                   bool                        `json:"Required"`
	StringAttributeConstraints *userpool.StringConstraints `json:"StringAttributeConstraints"`
	NumberAttributeConstraints *userpool.NumberConstraints `json:"NumberAttributeConstraints"`
}

// poolOtherKeys are pool settings stored and echoed as given.
var poolOtherKeys = []string{
	"VerificationMessageTemplate", "EmailVerificationMessage", "EmailVerificationSubject",
	"SmsVerificationMessage", "SmsAuthenticationMessage", "EmailConfiguration", "SmsConfiguration",
	"UserPoolTags", "UserPoolAddOns", "DeviceConfiguration", "UserAttributeUpdateSettings", "UserPoolTier",
}

// settings converts the input into service settings; defaultPolicy
// reports that no password policy was given.
func (in *poolSettingsIn) settings(body []byte) (set userpool.PoolSettings, defaultPolicy bool) {
	set.Policies.PasswordPolicy = userpool.DefaultPasswordPolicy()
	defaultPolicy = true
	if in.Policies != nil {
		set.Policies.SignInPolicy = in.Policies.SignInPolicy
		if pp := in.Policies.PasswordPolicy; pp != nil {
			defaultPolicy = false
			set.Policies.PasswordPolicy = userpool.PasswordPolicy{MinimumLength: 8,
				RequireUppercase: pp.RequireUppercase, RequireLowercase: pp.RequireLowercase,
				RequireNumbers: pp.RequireNumbers, RequireSymbols: pp.RequireSymbols,
				PasswordHistorySize: pp.PasswordHistorySize, TemporaryPasswordValidityDays: 7}
			if pp.MinimumLength != nil {
				set.Policies.PasswordPolicy.MinimumLength = *pp.MinimumLength
			}
			if pp.TemporaryPasswordValidityDays != nil {
				set.Policies.PasswordPolicy.TemporaryPasswordValidityDays = *pp.TemporaryPasswordValidityDays
			}
		}
	}
	if in.LambdaConfig != nil {
		set.LambdaConfig = *in.LambdaConfig
	}
	set.AutoVerifiedAttributes = in.AutoVerifiedAttributes
	set.AliasAttributes = in.AliasAttributes
	set.UsernameAttributes = in.UsernameAttributes
	set.UsernameConfiguration = in.UsernameConfiguration
	set.MfaConfiguration = in.MfaConfiguration
	set.DeletionProtection = in.DeletionProtection
	if in.AdminCreateUserConfig != nil {
		set.AdminCreateUserConfig = *in.AdminCreateUserConfig
	}
	set.AccountRecoverySetting = in.AccountRecoverySetting
	set.Other = passThrough(body, poolOtherKeys)
	return set, defaultPolicy
}

func (in *poolSettingsIn) schema() []userpool.SchemaAttribute {
	out := make([]userpool.SchemaAttribute, 0, len(in.Schema))
	for _, a := range in.Schema {
		mutable := true
		if a.Mutable != nil {
			mutable = *a.Mutable
		}
		out = append(out, userpool.SchemaAttribute{Name: a.Name, AttributeDataType: a.AttributeDataType,
			DeveloperOnlyAttribute: a.DeveloperOnlyAttribute, Mutable: mutable, Required: a.Required,
			StringAttributeConstraints: a.StringAttributeConstraints, NumberAttributeConstraints: a.NumberAttributeConstraints})
	}
	return out
}

// poolOut renders UserPoolType.
func poolOut(v *userpool.PoolView, accountID string) (map[string]json.RawMessage, error) {
	set := v.Settings
	other := set.Other
	set.Other = nil
	set.MfaFactors = nil // GetUserPoolMfaConfig's, not UserPoolType's
	out, err := merge(set, other)
	if err != nil {
		return nil, fmt.Errorf("encode pool: %w", err)
	}
	put := func(k string, val any) error {
		b, err := json.Marshal(val)
		out[k] = b
		return err
	}
	for k, val := range map[string]any{
		"Id": v.Pool.ID, "Name": v.Pool.Name, "Status": "Enabled",
		"CreationDate": epoch(v.Pool.CreatedAt), "LastModifiedDate": epoch(v.Pool.UpdatedAt),
		"EstimatedNumberOfUsers": v.EstimatedUsers,
		"Arn":                    fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", v.Region, accountID, v.Pool.ID),
	} {
		if err := put(k, val); err != nil {
			return nil, fmt.Errorf("encode pool: %w", err)
		}
	}
	return out, nil
}

// accountID is the account in ARNs: a fixed, obviously local one.
const accountID = "000000000000"

func createUserPool(ctx context.Context, s *Server, c *call) (any, error) {
	var in poolSettingsIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("PoolName", in.PoolName); err != nil {
		return nil, err
	}
	set, def := in.settings(c.body)
	v, err := s.svc.CreatePool(ctx, userpool.CreatePoolInput{Name: *in.PoolName, Region: c.region,
		Settings: set, Schema: in.schema(), DefaultPolicy: def})
	if err != nil {
		return nil, err
	}
	p, err := poolOut(v, accountID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": p}, nil
}
