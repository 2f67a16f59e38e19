package cognitoapi

import "context"

func deleteUserAttributes(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserAttributeNames []string `json:"UserAttributeNames"`
		AccessToken        string   `json:"AccessToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserAttributeNames", in.UserAttributeNames, "AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	return nil, s.svc.DeleteUserAttributes(ctx, in.AccessToken, in.UserAttributeNames)
}
