package cognitoapi

import "context"

func describeUserPool(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	v, err := s.svc.DescribePool(ctx, in.UserPoolID)
	if err != nil {
		return nil, err
	}
	p, err := poolOut(v, accountID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": p}, nil
}
