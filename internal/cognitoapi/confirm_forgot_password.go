package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func confirmForgotPassword(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID         string            `json:"ClientId"`
		SecretHash       string            `json:"SecretHash"`
		Username         string            `json:"Username"`
		ConfirmationCode string            `json:"ConfirmationCode"`
		Password         string            `json:"Password"`
		ClientMetadata   map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username, "ConfirmationCode", in.ConfirmationCode, "Password", in.Password); err != nil {
		return nil, err
	}
	ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
	return nil, s.svc.ConfirmForgotPassword(ctx, in.ClientID, in.SecretHash, in.Username, in.ConfirmationCode, in.Password)
}
