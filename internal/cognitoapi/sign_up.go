package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func signUp(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID       string            `json:"ClientId"`
		SecretHash     string            `json:"SecretHash"`
		Username       string            `json:"Username"`
		Password       string            `json:"Password"`
		UserAttributes []attributeIn     `json:"UserAttributes"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
		ValidationData []attributeIn     `json:"ValidationData"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username); err != nil {
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
	res, err := s.svc.SignUp(ctx, userpool.SignUpInput{ClientID: in.ClientID, SecretHash: in.SecretHash,
		Username: in.Username, Password: in.Password, Attributes: attrs, ClientMetadata: in.ClientMetadata,
		ValidationData: validation})
	if err != nil {
		return nil, err
	}
	return struct {
		UserConfirmed       bool             `json:"UserConfirmed"`
		UserSub             string           `json:"UserSub"`
		CodeDeliveryDetails *codeDeliveryOut `json:"CodeDeliveryDetails,omitempty"`
		Session             string           `json:"Session,omitempty"`
	}{res.UserConfirmed, res.UserSub, deliveryOut(res.Delivery), res.Session}, nil
}
