package cognitoapi

import "context"

func verifyUserAttribute(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken   string `json:"AccessToken"`
		AttributeName string `json:"AttributeName"`
		Code          string `json:"Code"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken, "AttributeName", in.AttributeName, "Code", in.Code); err != nil {
		return nil, err
	}
	return nil, s.svc.VerifyUserAttribute(ctx, in.AccessToken, in.AttributeName, in.Code)
}
