package cognitoapi

import "context"

func listResourceServers(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		MaxResults *int   `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "MaxResults", in.MaxResults); err != nil {
		return nil, err
	}
	list, next, err := s.svc.ListResourceServers(ctx, in.UserPoolID, *in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	for _, rs := range list {
		out = append(out, resourceServerOut(rs))
	}
	res := map[string]any{"ResourceServers": out}
	if next != "" {
		res["NextToken"] = next
	}
	return res, nil
}
