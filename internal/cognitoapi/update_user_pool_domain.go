package cognitoapi

import "context"

func updateUserPoolDomain(ctx context.Context, s *Server, c *call) (any, error) {
	var in domainIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Domain", in.Domain, "UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	d, err := s.svc.UpdateDomain(ctx, in.input())
	if err != nil {
		return nil, err
	}
	return domainChangeOut(d), nil
}
