package cognitoapi

import (
	"context"
)

// describeUserPoolDomain answers DomainDescription; for a domain no pool
// has, Cognito answers an empty DomainDescription rather than an error.
func describeUserPoolDomain(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		Domain string `json:"Domain"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Domain", in.Domain); err != nil {
		return nil, err
	}
	d, err := s.svc.DescribeDomain(ctx, in.Domain)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return map[string]any{"DomainDescription": map[string]any{}}, nil
	}
	desc := map[string]any{
		"UserPoolId": d.PoolID, "AWSAccountId": accountID, "Domain": d.Domain, "Status": "ACTIVE",
		"Version": d.UpdatedAt.UTC().Format("20060102150405"), "ManagedLoginVersion": d.ManagedLoginVersion,
	}
	if d.CertificateARN != "" {
		desc["CustomDomainConfig"] = map[string]string{"CertificateArn": d.CertificateARN}
	}
	return map[string]any{"DomainDescription": desc}, nil
}
