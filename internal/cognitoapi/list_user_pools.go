package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func listUserPools(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		MaxResults *int   `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if in.MaxResults == nil {
		return nil, invalidParameter("1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
	}
	pools, next, err := s.svc.ListPools(ctx, *in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	type description struct {
		ID               string                `json:"Id"`
		Name             string                `json:"Name"`
		LambdaConfig     userpool.LambdaConfig `json:"LambdaConfig"`
		Status           string                `json:"Status"`
		LastModifiedDate epoch                 `json:"LastModifiedDate"`
		CreationDate     epoch                 `json:"CreationDate"`
	}
	out := struct {
		UserPools []description `json:"UserPools"`
		NextToken string        `json:"NextToken,omitempty"`
	}{UserPools: []description{}, NextToken: next}
	for _, p := range pools {
		out.UserPools = append(out.UserPools, description{ID: p.Pool.ID, Name: p.Pool.Name,
			LambdaConfig: p.Settings.LambdaConfig, Status: "Enabled",
			LastModifiedDate: epoch(p.Pool.UpdatedAt), CreationDate: epoch(p.Pool.CreatedAt)})
	}
	return out, nil
}
