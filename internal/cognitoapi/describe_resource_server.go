package cognitoapi

import "context"

func describeResourceServer(ctx context.Context, s *Server, c *call) (any, error) {
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
	rs, err := s.svc.DescribeResourceServer(ctx, in.UserPoolID, in.Identifier)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": resourceServerOut(rs)}, nil
}
