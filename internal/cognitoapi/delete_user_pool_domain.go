package cognitoapi

import "context"

func deleteUserPoolDomain(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		Domain     string `json:"Domain"`
		UserPoolID string `json:"UserPoolId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Domain", in.Domain, "UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteDomain(ctx, in.Domain, in.UserPoolID)
}
