package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// getTokensFromRefreshTokenOut is GetTokensFromRefreshTokenResponse.
type getTokensFromRefreshTokenOut struct {
	AuthenticationResult *authResultOut `json:"AuthenticationResult,omitempty"`
}

func getTokensFromRefreshToken(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		RefreshToken   string            `json:"RefreshToken"`
		ClientID       string            `json:"ClientId"`
		ClientSecret   string            `json:"ClientSecret"`
		DeviceKey      string            `json:"DeviceKey"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("RefreshToken", in.RefreshToken, "ClientId", in.ClientID); err != nil {
		return nil, err
	}
	ts, err := s.svc.GetTokensFromRefreshToken(ctx, userpool.RefreshInput{ClientID: in.ClientID,
		ClientSecret: in.ClientSecret, RefreshToken: in.RefreshToken, ClientMetadata: in.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return getTokensFromRefreshTokenOut{AuthenticationResult: tokenSetOut(ts)}, nil
}
