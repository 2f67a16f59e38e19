package cognitoapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// clientSettingsIn is the configurable part of CreateUserPoolClient and
// UpdateUserPoolClient.
type clientSettingsIn struct {
	ClientName                 *string                      `json:"ClientName"`
	ExplicitAuthFlows          []string                     `json:"ExplicitAuthFlows"`
	PreventUserExistenceErrors string                       `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation      *bool                        `json:"EnableTokenRevocation"`
	AccessTokenValidity        int64                        `json:"AccessTokenValidity"`
	IDTokenValidity            int64                        `json:"IdTokenValidity"`
	RefreshTokenValidity       int64                        `json:"RefreshTokenValidity"`
	TokenValidityUnits         *userpool.TokenValidityUnits `json:"TokenValidityUnits"`
	AuthSessionValidity        int                          `json:"AuthSessionValidity"`
	ReadAttributes             []string                     `json:"ReadAttributes"`
	WriteAttributes            []string                     `json:"WriteAttributes"`
	CallbackURLs               []string                     `json:"CallbackURLs"`
	LogoutURLs                 []string                     `json:"LogoutURLs"`
	DefaultRedirectURI         string                       `json:"DefaultRedirectURI"`
	AllowedOAuthFlows          []string                     `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes         []string                     `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPool  bool                         `json:"AllowedOAuthFlowsUserPoolClient"`
	SupportedIdentityProviders []string                     `json:"SupportedIdentityProviders"`
}

// clientOtherKeys are client settings stored and echoed as given.
var clientOtherKeys = []string{
	"AnalyticsConfiguration", "EnablePropagateAdditionalUserContextData", "RefreshTokenRotation",
}

func (in *clientSettingsIn) settings(body []byte) (userpool.ClientSettings, bool) {
	set := userpool.ClientSettings{ExplicitAuthFlows: in.ExplicitAuthFlows,
		PreventUserExistenceErrors: in.PreventUserExistenceErrors,
		AccessTokenValidity:        in.AccessTokenValidity, IDTokenValidity: in.IDTokenValidity,
		RefreshTokenValidity: in.RefreshTokenValidity, TokenValidityUnits: in.TokenValidityUnits,
		AuthSessionValidity: in.AuthSessionValidity, ReadAttributes: in.ReadAttributes,
		WriteAttributes: in.WriteAttributes, CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs,
		DefaultRedirectURI: in.DefaultRedirectURI, AllowedOAuthFlows: in.AllowedOAuthFlows,
		AllowedOAuthScopes: in.AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient: in.AllowedOAuthFlowsUserPool,
		SupportedIdentityProviders: in.SupportedIdentityProviders, Other: passThrough(body, clientOtherKeys)}
	if in.EnableTokenRevocation != nil {
		set.EnableTokenRevocation = *in.EnableTokenRevocation
	}
	return set, in.EnableTokenRevocation != nil
}

// clientOut renders UserPoolClientType.
func clientOut(v *userpool.ClientView) (map[string]json.RawMessage, error) {
	set := v.Settings
	other := set.Other
	set.Other = nil
	if len(set.ExplicitAuthFlows) == 0 {
		set.ExplicitAuthFlows = userpool.DefaultExplicitAuthFlows
	}
	out, err := merge(set, other)
	if err != nil {
		return nil, fmt.Errorf("encode client: %w", err)
	}
	fields := map[string]any{
		"UserPoolId": v.Client.PoolID, "ClientName": v.Client.Name, "ClientId": v.Client.ID,
		"CreationDate": epoch(v.Client.CreatedAt), "LastModifiedDate": epoch(v.Client.UpdatedAt),
	}
	if v.Client.Secret != "" {
		fields["ClientSecret"] = v.Client.Secret
	}
	for k, val := range fields {
		b, err := json.Marshal(val)
		if err != nil {
			return nil, fmt.Errorf("encode client: %w", err)
		}
		out[k] = b
	}
	return out, nil
}

func createUserPoolClient(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID     string `json:"UserPoolId"`
		GenerateSecret bool   `json:"GenerateSecret"`
		ClientSecret   string `json:"ClientSecret"`
		clientSettingsIn
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "ClientName", in.ClientName); err != nil {
		return nil, err
	}
	set, revocationSet := in.clientSettingsIn.settings(c.body)
	v, err := s.svc.CreateClient(ctx, userpool.CreateClientInput{PoolID: in.UserPoolID, Name: *in.ClientName,
		GenerateSecret: in.GenerateSecret, Secret: in.ClientSecret, Settings: set, RevocationSet: revocationSet})
	if err != nil {
		return nil, err
	}
	out, err := clientOut(v)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": out}, nil
}
