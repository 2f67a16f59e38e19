package cognitoapi

import "context"

func adminListGroupsForUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		Username   string `json:"Username"`
		UserPoolID string `json:"UserPoolId"`
		Limit      int    `json:"Limit"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Username", in.Username, "UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	gs, next, err := s.svc.AdminListGroupsForUser(ctx, in.UserPoolID, in.Username, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return groupList(gs, next), nil
}
