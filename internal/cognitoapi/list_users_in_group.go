package cognitoapi

import "context"

func listUsersInGroup(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		GroupName  string `json:"GroupName"`
		Limit      int    `json:"Limit"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "GroupName", in.GroupName); err != nil {
		return nil, err
	}
	users, next, err := s.svc.ListUsersInGroup(ctx, in.UserPoolID, in.GroupName, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := struct {
		Users     []userType `json:"Users"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Users: []userType{}, NextToken: next}
	for _, u := range users {
		out.Users = append(out.Users, userOut(u))
	}
	return out, nil
}
