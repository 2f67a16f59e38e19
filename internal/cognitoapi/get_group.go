package cognitoapi

import "context"

// groupRef is the input of GetGroup and DeleteGroup.
type groupRef struct {
	GroupName  string `json:"GroupName"`
	UserPoolID string `json:"UserPoolId"`
}

func decodeGroupRef(c *call) (groupRef, error) {
	var in groupRef
	if err := decode(c, &in); err != nil {
		return in, err
	}
	return in, required("GroupName", in.GroupName, "UserPoolId", in.UserPoolID)
}

func getGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeGroupRef(c)
	if err != nil {
		return nil, err
	}
	g, err := s.svc.GetGroup(ctx, in.UserPoolID, in.GroupName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": groupOut(g)}, nil
}
