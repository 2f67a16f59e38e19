package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func adminConfirmSignUp(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	var meta struct {
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &meta); err != nil {
		return nil, err
	}
	return nil, s.svc.AdminConfirmSignUp(userpool.WithClientMetadata(ctx, meta.ClientMetadata), in.UserPoolID, in.Username)
}
