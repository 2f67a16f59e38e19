package cognitoapi

import "context"

func adminUpdateUserAttributes(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID     string        `json:"UserPoolId"`
		Username       string        `json:"Username"`
		UserAttributes []attributeIn `json:"UserAttributes"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username, "UserAttributes", in.UserAttributes); err != nil {
		return nil, err
	}
	attrs, err := attributeMap("UserAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminUpdateUserAttributes(ctx, in.UserPoolID, in.Username, attrs)
}
