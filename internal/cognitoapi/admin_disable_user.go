package cognitoapi

import "context"

func adminDisableUser(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminSetUserEnabled(ctx, in.UserPoolID, in.Username, false)
}
