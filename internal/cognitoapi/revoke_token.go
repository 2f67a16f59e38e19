package cognitoapi

import "context"

func revokeToken(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		Token        string `json:"Token"`
		ClientID     string `json:"ClientId"`
		ClientSecret string `json:"ClientSecret"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Token", in.Token, "ClientId", in.ClientID); err != nil {
		return nil, err
	}
	return nil, s.svc.RevokeToken(ctx, in.Token, in.ClientID, in.ClientSecret)
}
