package cognitoapi

import "context"

func getUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken string `json:"AccessToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	u, err := s.svc.GetUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return getUserOut{Username: u.Username, UserAttributes: attributesOut(u)}, nil
}
