package cognitoapi

import "context"

func updateResourceServer(ctx context.Context, s *Server, c *call) (any, error) {
	var in resourceServerIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Identifier", in.Identifier, "Name", in.Name); err != nil {
		return nil, err
	}
	rs, err := s.svc.UpdateResourceServer(ctx, in.input())
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": resourceServerOut(rs)}, nil
}
