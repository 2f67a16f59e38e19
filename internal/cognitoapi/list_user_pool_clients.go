package cognitoapi

import "context"

func listUserPoolClients(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		MaxResults int    `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	clients, next, err := s.svc.ListClients(ctx, in.UserPoolID, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	type description struct {
		ClientID   string `json:"ClientId"`
		UserPoolID string `json:"UserPoolId"`
		ClientName string `json:"ClientName"`
	}
	out := struct {
		UserPoolClients []description `json:"UserPoolClients"`
		NextToken       string        `json:"NextToken,omitempty"`
	}{UserPoolClients: []description{}, NextToken: next}
	for _, v := range clients {
		out.UserPoolClients = append(out.UserPoolClients, description{ClientID: v.Client.ID,
			UserPoolID: v.Client.PoolID, ClientName: v.Client.Name})
	}
	return out, nil
}
