package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func adminCreateUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID             string            `json:"UserPoolId"`
		Username               string            `json:"Username"`
		UserAttributes         []attributeIn     `json:"UserAttributes"`
		TemporaryPassword      string            `json:"TemporaryPassword"`
		ForceAliasCreation     bool              `json:"ForceAliasCreation"`
		MessageAction          string            `json:"MessageAction"`
		DesiredDeliveryMediums []string          `json:"DesiredDeliveryMediums"`
		ClientMetadata         map[string]string `json:"ClientMetadata"`
		ValidationData         []attributeIn     `json:"ValidationData"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username); err != nil {
		return nil, err
	}
	attrs, err := attributeMap("UserAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	validation, err := attributeMap("ValidationData", in.ValidationData)
	if err != nil {
		return nil, err
	}
	u, err := s.svc.AdminCreateUser(ctx, userpool.AdminCreateUserInput{PoolID: in.UserPoolID, Username: in.Username,
		Attributes: attrs, TemporaryPassword: in.TemporaryPassword, ForceAliasCreation: in.ForceAliasCreation,
		MessageAction: in.MessageAction, DesiredDeliveryMediums: in.DesiredDeliveryMediums,
		ClientMetadata: in.ClientMetadata, ValidationData: validation})
	if err != nil {
		return nil, err
	}
	return map[string]any{"User": userOut(u)}, nil
}
