package cognitoapi

import "context"

func adminDeleteUserAttributes(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID         string   `json:"UserPoolId"`
		Username           string   `json:"Username"`
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username, "UserAttributeNames", in.UserAttributeNames); err != nil {
		return nil, err
	}
	return nil, s.svc.AdminDeleteUserAttributes(ctx, in.UserPoolID, in.Username, in.UserAttributeNames)
}
