package cognitoapi

import "context"

func confirmForgotPassword(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID         string `json:"ClientId"`
		SecretHash       string `json:"SecretHash"`
		Username         string `json:"Username"`
		ConfirmationCode string `json:"ConfirmationCode"`
		Password         string `json:"Password"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username, "ConfirmationCode", in.ConfirmationCode, "Password", in.Password); err != nil {
		return nil, err
	}
	return nil, s.svc.ConfirmForgotPassword(ctx, in.ClientID, in.SecretHash, in.Username, in.ConfirmationCode, in.Password)
}
