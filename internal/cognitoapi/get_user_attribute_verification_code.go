package cognitoapi

import "context"

func getUserAttributeVerificationCode(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken    string            `json:"AccessToken"`
		AttributeName  string            `json:"AttributeName"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken, "AttributeName", in.AttributeName); err != nil {
		return nil, err
	}
	d, err := s.svc.GetUserAttributeVerificationCode(ctx, in.AccessToken, in.AttributeName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": deliveryOut(d)}, nil
}
