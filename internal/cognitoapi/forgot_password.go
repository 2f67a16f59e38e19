package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func forgotPassword(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID       string            `json:"ClientId"`
		SecretHash     string            `json:"SecretHash"`
		Username       string            `json:"Username"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username); err != nil {
		return nil, err
	}
	d, err := s.svc.ForgotPassword(ctx, userpool.ForgotPasswordInput{ClientID: in.ClientID, SecretHash: in.SecretHash,
		Username: in.Username, ClientMetadata: in.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": deliveryOut(d)}, nil
}
