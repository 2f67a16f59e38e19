package userpool

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/tokens"
)

// PreTokenGeneration trigger sources. This pool has no hosted UI and
// remembers no devices, so it raises Authentication, NewPasswordChallenge
// and RefreshTokens; HostedAuth and AuthenticateDevice are Cognito's names
// for the flows it does not serve.
const (
	sourceTokenHostedAuth         = "TokenGeneration_HostedAuth"
	sourceTokenAuthentication     = "TokenGeneration_Authentication"
	sourceTokenNewPassword        = "TokenGeneration_NewPasswordChallenge"
	sourceTokenAuthenticateDevice = "TokenGeneration_AuthenticateDevice"
	sourceTokenRefresh            = "TokenGeneration_RefreshTokens"
)

// preTokenConfig is LambdaConfig.PreTokenGenerationConfig.
type preTokenConfig struct {
	LambdaVersion string `json:"LambdaVersion"` // V1_0, V2_0 or V3_0
	LambdaArn     string `json:"LambdaArn"`
}

// preTokenTrigger returns the pool's pre token generation function and
// its event version ("1", "2" or "3"). PreTokenGenerationConfig wins over
// the bare PreTokenGeneration ARN, which Cognito keeps identical to it;
// without a config the event is V1_0.
func (p *pool) preTokenTrigger() (arn, version string) {
	arn, version = p.set.LambdaConfig.PreTokenGeneration, "1"
	var cfg preTokenConfig
	if len(p.set.LambdaConfig.PreTokenGenerationConfig) > 0 &&
		json.Unmarshal(p.set.LambdaConfig.PreTokenGenerationConfig, &cfg) == nil {
		if cfg.LambdaArn != "" {
			arn = cfg.LambdaArn
		}
		switch cfg.LambdaVersion {
		case "V2_0":
			version = "2"
		case "V3_0":
			version = "3"
		}
	}
	return arn, version
}

// groupOverride is groupOverrideDetails; a nil member leaves that claim
// as the token builder made it.
type groupOverride struct {
	GroupsToOverride   *[]string `json:"groupsToOverride"`
	IAMRolesToOverride *[]string `json:"iamRolesToOverride"`
	PreferredRole      *string   `json:"preferredRole"`
}

// claimsOverrideV1 is a V1_0 answer's claimsOverrideDetails: string
// claims for the id token only.
type claimsOverrideV1 struct {
	ClaimsToAddOrOverride map[string]string `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string          `json:"claimsToSuppress"`
	GroupOverrideDetails  *groupOverride    `json:"groupOverrideDetails"`
}

// tokenGeneration is a V2_0/V3_0 answer's idTokenGeneration or
// accessTokenGeneration: claims of any JSON type, and (access token only)
// scopes.
type tokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress"`
	ScopesToAdd           []string       `json:"scopesToAdd"`
	ScopesToSuppress      []string       `json:"scopesToSuppress"`
}

// claimsOverrideV2 is a V2_0/V3_0 answer's claimsAndScopeOverrideDetails.
type claimsOverrideV2 struct {
	IDTokenGeneration     *tokenGeneration `json:"idTokenGeneration"`
	AccessTokenGeneration *tokenGeneration `json:"accessTokenGeneration"`
	GroupOverrideDetails  *groupOverride   `json:"groupOverrideDetails"`
}

// fixedClaims are the claims the trigger cannot add, override or
// suppress: the ones that make a token a valid Cognito token of this
// user, client and sign-in, and the group claims, which change only
// through groupOverrideDetails. As Cognito does, an attempt to change them
// is ignored and the token keeps the pool's value.
var fixedClaims = []string{
	"acr", "amr", "at_hash", "aud", "auth_time", "azp", "client_id", "cognito:groups", "cognito:preferred_role",
	"cognito:roles", "cognito:username", "event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce",
	"origin_jti", "scope", "sub", "token_use", "username",
}

// preTokenGeneration runs the pool's pre token generation trigger for
// tokens about to be issued to u and sets ident.Customize to apply its
// answer. The event carries the groups the token builder put in ident
// (groupConfiguration) and, from V2_0 on, the access token's scopes.
func (s *Service) preTokenGeneration(ctx context.Context, p *pool, u *User, ident *tokens.Identity, refreshing bool) error {
	arn, version := p.preTokenTrigger()
	if arn == "" {
		return nil
	}
	tc := callOf(ctx)
	source := sourceTokenAuthentication
	switch {
	case refreshing:
		source = sourceTokenRefresh
	case strings.HasPrefix(tc.source, "TokenGeneration_"):
		source = tc.source
	}
	groups := append([]string{}, ident.Groups...)
	type groupConfiguration struct {
		GroupsToOverride   []string `json:"groupsToOverride"`
		IAMRolesToOverride []string `json:"iamRolesToOverride"`
		PreferredRole      *string  `json:"preferredRole"`
	}
	gc := groupConfiguration{GroupsToOverride: groups, IAMRolesToOverride: []string{}}
	ev := newEvent(p, tc, version, source, u.Username)
	if version == "1" {
		ev.Request = struct {
			UserAttributes     map[string]string  `json:"userAttributes"`
			GroupConfiguration groupConfiguration `json:"groupConfiguration"`
			ClientMetadata     map[string]string  `json:"clientMetadata"`
		}{eventAttributes(p, u), gc, nonNil(tc.meta)}
		ev.Response = map[string]any{"claimsOverrideDetails": nil}
		var r struct {
			Details *claimsOverrideV1 `json:"claimsOverrideDetails"`
		}
		if err := s.runTrigger(ctx, p, triggerPreTokenGeneration, arn, ev, &r); err != nil {
			return err
		}
		if d := r.Details; d != nil {
			add := map[string]any{}
			for k, v := range d.ClaimsToAddOrOverride {
				add[k] = v
			}
			idGen := &tokenGeneration{ClaimsToAddOrOverride: add, ClaimsToSuppress: d.ClaimsToSuppress}
			ident.Customize = customizer(idGen, nil, d.GroupOverrideDetails)
		}
		return nil
	}
	ev.Request = struct {
		UserAttributes     map[string]string  `json:"userAttributes"`
		GroupConfiguration groupConfiguration `json:"groupConfiguration"`
		ClientMetadata     map[string]string  `json:"clientMetadata"`
		Scopes             []string           `json:"scopes"`
	}{eventAttributes(p, u), gc, nonNil(tc.meta), []string{tokens.Scope}}
	ev.Response = map[string]any{"claimsAndScopeOverrideDetails": nil}
	var r struct {
		Details *claimsOverrideV2 `json:"claimsAndScopeOverrideDetails"`
	}
	if err := s.runTrigger(ctx, p, triggerPreTokenGeneration, arn, ev, &r); err != nil {
		return err
	}
	if d := r.Details; d != nil {
		ident.Customize = customizer(d.IDTokenGeneration, d.AccessTokenGeneration, d.GroupOverrideDetails)
	}
	return nil
}

// customizer returns the edit of a trigger's answer: claims added or
// overridden, then suppressed (a claim both added and suppressed is
// suppressed), scopes added then suppressed, and the groups, roles and
// preferred role of groupOverrideDetails.
func customizer(idGen, accessGen *tokenGeneration, g *groupOverride) func(idClaims, accessClaims map[string]any) {
	return func(idClaims, accessClaims map[string]any) {
		edit(idClaims, idGen)
		edit(accessClaims, accessGen)
		if accessGen != nil && (len(accessGen.ScopesToAdd) > 0 || len(accessGen.ScopesToSuppress) > 0) {
			scope, _ := accessClaims["scope"].(string)
			scopes := strings.Fields(scope)
			for _, sc := range accessGen.ScopesToAdd {
				if sc != "" && !slices.Contains(scopes, sc) {
					scopes = append(scopes, sc)
				}
			}
			scopes = slices.DeleteFunc(scopes, func(sc string) bool { return slices.Contains(accessGen.ScopesToSuppress, sc) })
			if len(scopes) == 0 {
				delete(accessClaims, "scope")
			} else {
				accessClaims["scope"] = strings.Join(scopes, " ")
			}
		}
		if g == nil {
			return
		}
		if g.GroupsToOverride != nil {
			setList(idClaims, "cognito:groups", *g.GroupsToOverride)
			setList(accessClaims, "cognito:groups", *g.GroupsToOverride)
		}
		if g.IAMRolesToOverride != nil {
			setList(idClaims, "cognito:roles", *g.IAMRolesToOverride)
		}
		if g.PreferredRole != nil {
			if *g.PreferredRole == "" {
				delete(idClaims, "cognito:preferred_role")
			} else {
				idClaims["cognito:preferred_role"] = *g.PreferredRole
			}
		}
	}
}

// edit applies one token's claim changes, leaving fixedClaims alone.
func edit(claims map[string]any, gen *tokenGeneration) {
	if gen == nil {
		return
	}
	for k, v := range gen.ClaimsToAddOrOverride {
		if !slices.Contains(fixedClaims, k) {
			claims[k] = v
		}
	}
	for _, k := range gen.ClaimsToSuppress {
		if !slices.Contains(fixedClaims, k) {
			delete(claims, k)
		}
	}
}

// setList sets a list claim, or removes it when the list is empty (an
// empty cognito:groups is absent from Cognito's tokens).
func setList(claims map[string]any, name string, list []string) {
	if len(list) == 0 {
		delete(claims, name)
		return
	}
	claims[name] = append([]string{}, list...)
}
