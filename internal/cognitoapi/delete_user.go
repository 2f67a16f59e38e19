package cognitoapi

import "context"

func deleteUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken string `json:"AccessToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteUser(ctx, in.AccessToken)
}
