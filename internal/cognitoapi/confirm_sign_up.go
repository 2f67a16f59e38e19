package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func confirmSignUp(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID           string            `json:"ClientId"`
		SecretHash         string            `json:"SecretHash"`
		Username           string            `json:"Username"`
		ConfirmationCode   string            `json:"ConfirmationCode"`
		ForceAliasCreation bool              `json:"ForceAliasCreation"`
		ClientMetadata     map[string]string `json:"ClientMetadata"`
		Session            string            `json:"Session"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username, "ConfirmationCode", in.ConfirmationCode); err != nil {
		return nil, err
	}
	ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
	session, err := s.svc.ConfirmSignUp(ctx, userpool.ConfirmSignUpInput{ClientID: in.ClientID, SecretHash: in.SecretHash,
		Username: in.Username, Code: in.ConfirmationCode, ForceAliasCreation: in.ForceAliasCreation, Session: in.Session})
	if err != nil {
		return nil, err
	}
	return struct {
		Session string `json:"Session,omitempty"`
	}{session}, nil
}
