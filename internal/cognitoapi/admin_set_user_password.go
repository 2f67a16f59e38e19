package cognitoapi

import "context"

func adminSetUserPassword(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string  `json:"UserPoolId"`
		Username   string  `json:"Username"`
		Password   *string `json:"Password"`
		Permanent  bool    `json:"Permanent"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username, "Password", in.Password); err != nil {
		return nil, err
	}
	return nil, s.svc.AdminSetUserPassword(ctx, in.UserPoolID, in.Username, *in.Password, in.Permanent)
}
