package cognitoapi

import "context"

func deleteGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeGroupRef(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteGroup(ctx, in.UserPoolID, in.GroupName)
}
