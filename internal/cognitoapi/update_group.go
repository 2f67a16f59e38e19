package cognitoapi

import "context"

func updateGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, gi, err := decodeGroup(c)
	if err != nil {
		return nil, err
	}
	g, err := s.svc.UpdateGroup(ctx, in.UserPoolID, gi)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": groupOut(g)}, nil
}
