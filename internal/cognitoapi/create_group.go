package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// groupIn is the input of CreateGroup and UpdateGroup.
type groupIn struct {
	UserPoolID  string  `json:"UserPoolId"`
	GroupName   string  `json:"GroupName"`
	Description *string `json:"Description"`
	RoleArn     *string `json:"RoleArn"`
	Precedence  *int64  `json:"Precedence"`
}

func decodeGroup(c *call) (groupIn, userpool.GroupInput, error) {
	var in groupIn
	if err := decode(c, &in); err != nil {
		return in, userpool.GroupInput{}, err
	}
	if err := required("GroupName", in.GroupName, "UserPoolId", in.UserPoolID); err != nil {
		return in, userpool.GroupInput{}, err
	}
	return in, userpool.GroupInput{Name: in.GroupName, Description: in.Description, RoleArn: in.RoleArn,
		Precedence: in.Precedence}, nil
}

// groupType is GroupType.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolID       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int   `json:"Precedence,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

func groupOut(g *userpool.Group) groupType {
	return groupType{GroupName: g.Name, UserPoolID: g.PoolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, LastModifiedDate: epoch(g.UpdatedAt), CreationDate: epoch(g.CreatedAt)}
}

func createGroup(ctx context.Context, s *Server, c *call) (any, error) {
	in, gi, err := decodeGroup(c)
	if err != nil {
		return nil, err
	}
	g, err := s.svc.CreateGroup(ctx, in.UserPoolID, gi)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": groupOut(g)}, nil
}
