package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// domainIn is the input of CreateUserPoolDomain and UpdateUserPoolDomain.
type domainIn struct {
	Domain             string `json:"Domain"`
	UserPoolID         string `json:"UserPoolId"`
	CustomDomainConfig *struct {
		CertificateArn string `json:"CertificateArn"`
	} `json:"CustomDomainConfig"`
	ManagedLoginVersion int `json:"ManagedLoginVersion"`
}

func (in *domainIn) input() userpool.DomainInput {
	d := userpool.DomainInput{Domain: in.Domain, PoolID: in.UserPoolID, ManagedLoginVersion: in.ManagedLoginVersion}
	if in.CustomDomainConfig != nil {
		d.CertificateARN = in.CustomDomainConfig.CertificateArn
	}
	return d
}

// domainChangeOut is the output of Create/UpdateUserPoolDomain. Cognito
// adds CloudFrontDomain for custom domains; locally nothing fronts the
// domain, so only ManagedLoginVersion is reported.
func domainChangeOut(d *userpool.Domain) map[string]any {
	return map[string]any{"ManagedLoginVersion": d.ManagedLoginVersion}
}

func createUserPoolDomain(ctx context.Context, s *Server, c *call) (any, error) {
	var in domainIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("Domain", in.Domain, "UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	d, err := s.svc.CreateDomain(ctx, in.input())
	if err != nil {
		return nil, err
	}
	return domainChangeOut(d), nil
}
