package cognitoapi

import "context"

func describeUserPoolClient(ctx context.Context, s *Server, c *call) (any, error) {
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
	v, err := s.svc.DescribeClient(ctx, in.UserPoolID, in.ClientID)
	if err != nil {
		return nil, err
	}
	out, err := clientOut(v)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": out}, nil
}
