package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// groupsOut is the output of ListGroups and AdminListGroupsForUser.
type groupsOut struct {
	Groups    []groupType `json:"Groups"`
	NextToken string      `json:"NextToken,omitempty"`
}

func groupList(gs []*userpool.Group, next string) groupsOut {
	out := groupsOut{Groups: []groupType{}, NextToken: next}
	for _, g := range gs {
		out.Groups = append(out.Groups, groupOut(g))
	}
	return out
}

func listGroups(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		Limit      int    `json:"Limit"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	gs, next, err := s.svc.ListGroups(ctx, in.UserPoolID, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return groupList(gs, next), nil
}
