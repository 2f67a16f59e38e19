package cognitoapi

import "context"

func deleteUserPool(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	return nil, s.svc.DeletePool(ctx, in.UserPoolID)
}
