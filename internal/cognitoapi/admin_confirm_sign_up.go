package cognitoapi

import "context"

func adminConfirmSignUp(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminConfirmSignUp(ctx, in.UserPoolID, in.Username)
}
