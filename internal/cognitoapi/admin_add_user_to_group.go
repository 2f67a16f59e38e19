package cognitoapi

import "context"

// membershipIn is the input of AdminAddUserToGroup and
// AdminRemoveUserFromGroup.
type membershipIn struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
	GroupName  string `json:"GroupName"`
}

func decodeMembership(c *call) (membershipIn, error) {
	var in membershipIn
	if err := decode(c, &in); err != nil {
		return in, err
	}
	return in, required("UserPoolId", in.UserPoolID, "Username", in.Username, "GroupName", in.GroupName)
}

func adminAddUserToGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, err := decodeMembership(c)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.AdminAddUserToGroup(ctx, in.UserPoolID, in.Username, in.GroupName)
}
