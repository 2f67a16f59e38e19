package cognitoapi

import "context"

func deleteResourceServer(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		Identifier string `json:"Identifier"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Identifier", in.Identifier); err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteResourceServer(ctx, in.UserPoolID, in.Identifier)
}
