package cognitoapi

import "context"

func adminResetUserPassword(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminResetUserPassword(ctx, in.UserPoolID, in.Username)
}
