package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func resendConfirmationCode(ctx context.Context, s *Server, c *call) (any, error) {
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
	ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
	d, err := s.svc.ResendConfirmationCode(ctx, in.ClientID, in.SecretHash, in.Username)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": deliveryOut(d)}, nil
}
