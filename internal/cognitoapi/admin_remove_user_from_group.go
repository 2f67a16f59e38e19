package cognitoapi

import "context"

func adminRemoveUserFromGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeMembership(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminRemoveUserFromGroup(ctx, in.UserPoolID, in.Username, in.GroupName)
}
