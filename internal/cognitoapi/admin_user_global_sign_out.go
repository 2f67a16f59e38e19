package cognitoapi

import "context"

func adminUserGlobalSignOut(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminUserGlobalSignOut(ctx, in.UserPoolID, in.Username)
}
