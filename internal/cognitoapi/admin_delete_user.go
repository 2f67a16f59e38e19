package cognitoapi

import "context"

// adminUserIn is the input of the admin actions that name one user.
type adminUserIn struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
}

func decodeAdminUser(c *call) (adminUserIn, error) {
	var in adminUserIn
	if err := decode(c, &in); err != nil {
		return in, err
	}
	return in, required("UserPoolId", in.UserPoolID, "Username", in.Username)
}

func adminDeleteUser(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeAdminUser(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminDeleteUser(ctx, in.UserPoolID, in.Username)
}
