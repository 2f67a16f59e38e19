package cognitoapi

import (
	"context"
	"slices"
)

func listUsers(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID      string   `json:"UserPoolId"`
		AttributesToGet []string `json:"AttributesToGet"`
		Limit           int      `json:"Limit"`
		PaginationToken string   `json:"PaginationToken"`
		Filter          string   `json:"Filter"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	users, next, err := s.svc.ListUsers(ctx, in.UserPoolID, in.Filter, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	out := struct {
		Users           []userType `json:"Users"`
		PaginationToken string     `json:"PaginationToken,omitempty"`
	}{Users: []userType{}, PaginationToken: next}
	for _, u := range users {
		ut := userOut(u)
		if in.AttributesToGet != nil {
			ut.Attributes = slices.DeleteFunc(ut.Attributes, func(a attributeOut) bool {
				return !slices.Contains(in.AttributesToGet, a.Name)
			})
		}
		out.Users = append(out.Users, ut)
	}
	return out, nil
}
