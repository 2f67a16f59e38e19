package cognitoapi

import "context"

func deleteUserPoolClient(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		ClientID   string `json:"ClientId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "ClientId", in.ClientID); err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteClient(ctx, in.UserPoolID, in.ClientID)
}
