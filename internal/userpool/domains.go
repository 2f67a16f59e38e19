package userpool

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Managed-login domains. Cognito serves a pool's managed login and OAuth
// 2.0 endpoints on its domain: a prefix domain <prefix>.auth.<region>.
// amazoncognito.com, or a custom domain. The local pool serves them under
// the path /<domain>/ of its own address (DomainPath), so a browser, an
// OpenID Connect library and a cookie scoped to that path all work with a
// plain loopback URL and no DNS.

// DomainPath is the local path prefix of a domain's endpoints:
// http://127.0.0.1:9229/my-app/oauth2/authorize for the domain my-app.
func DomainPath(domain string) string { return "/" + domain }

var (
	// prefixDomainRE is Cognito's pattern for prefix domains.
	prefixDomainRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	// customDomainRE: a host name of dot-separated labels.
	customDomainRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
)

// reservedDomainWords may not appear in a prefix domain (Cognito reserves
// them).
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

// DomainInput is CreateUserPoolDomain's and UpdateUserPoolDomain's input.
type DomainInput struct {
	Domain              string
	PoolID              string
	CertificateARN      string // CustomDomainConfig.CertificateArn: a custom domain
	ManagedLoginVersion int    // 0 means 1, the classic hosted UI
}

func checkDomain(in DomainInput) error {
	if in.CertificateARN != "" {
		if !customDomainRE.MatchString(in.Domain) {
			return newErr(ErrInvalidParameter, "Invalid custom domain %s: use a fully qualified host name such as auth.example.com.", in.Domain)
		}
		return nil
	}
	if !prefixDomainRE.MatchString(in.Domain) {
		return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$", in.Domain)
	}
	for _, w := range reservedDomainWords {
		if strings.Contains(in.Domain, w) {
			return newErr(ErrInvalidParameter, "Domain cannot contain reserved word: %s", w)
		}
	}
	return nil
}

func managedLoginVersion(v int) (int, error) {
	switch v {
	case 0:
		return 1, nil
	case 1, 2:
		return v, nil
	}
	return 0, newErr(ErrInvalidParameter, "ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).")
}

// CreateDomain gives a pool its domain. A pool has at most one prefix
// domain and one custom domain; a domain belongs to one pool.
func (s *Service) CreateDomain(ctx context.Context, in DomainInput) (*Domain, error) {
	if _, err := s.loadPool(ctx, in.PoolID); err != nil {
		return nil, err
	}
	if err := checkDomain(in); err != nil {
		return nil, err
	}
	v, err := managedLoginVersion(in.ManagedLoginVersion)
	if err != nil {
		return nil, err
	}
	have, err := s.store.ListDomains(ctx, in.PoolID)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	for _, d := range have {
		if (d.CertificateARN != "") == (in.CertificateARN != "") {
			return nil, newErr(ErrInvalidParameter, "User pool already has a domain configured.")
		}
	}
	now := s.now()
	d := &Domain{Domain: in.Domain, PoolID: in.PoolID, CertificateARN: in.CertificateARN, ManagedLoginVersion: v,
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateDomain(ctx, d); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, newErr(ErrInvalidParameter, "Domain already exists.")
		}
		return nil, fmt.Errorf("create domain: %w", err)
	}
	s.log.InfoContext(ctx, "domain created", "pool", in.PoolID, "domain", in.Domain)
	return d, nil
}

// DescribeDomain returns the domain, or nil when no pool has it (Cognito
// answers an empty DomainDescription then, not an error).
func (s *Service) DescribeDomain(ctx context.Context, domain string) (*Domain, error) {
	if domain == "" {
		return nil, newErr(ErrInvalidParameter, "Domain must not be empty.")
	}
	d, err := s.store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get domain: %w", err)
	}
	return d, nil
}

// poolDomain loads the domain of the pool, as Delete/Update name both.
func (s *Service) poolDomain(ctx context.Context, domain, poolID string) (*Domain, error) {
	if _, err := s.loadPool(ctx, poolID); err != nil {
		return nil, err
	}
	d, err := s.store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) || err == nil && d.PoolID != poolID {
		return nil, newErr(ErrInvalidParameter, "No such domain or user pool exists.")
	}
	if err != nil {
		return nil, fmt.Errorf("get domain: %w", err)
	}
	return d, nil
}

// UpdateDomain changes a domain's managed-login version or certificate.
func (s *Service) UpdateDomain(ctx context.Context, in DomainInput) (*Domain, error) {
	d, err := s.poolDomain(ctx, in.Domain, in.PoolID)
	if err != nil {
		return nil, err
	}
	if in.ManagedLoginVersion != 0 {
		if d.ManagedLoginVersion, err = managedLoginVersion(in.ManagedLoginVersion); err != nil {
			return nil, err
		}
	}
	if in.CertificateARN != "" {
		if d.CertificateARN == "" {
			return nil, newErr(ErrInvalidParameter, "A certificate can only be set on a custom domain.")
		}
		d.CertificateARN = in.CertificateARN
	}
	d.UpdatedAt = s.now()
	if err := s.store.UpdateDomain(ctx, d); err != nil {
		return nil, fmt.Errorf("update domain: %w", err)
	}
	return d, nil
}

// DeleteDomain removes a pool's domain; its managed login stops answering.
func (s *Service) DeleteDomain(ctx context.Context, domain, poolID string) error {
	if _, err := s.poolDomain(ctx, domain, poolID); err != nil {
		return err
	}
	if err := s.store.DeleteDomain(ctx, domain); err != nil {
		return fmt.Errorf("delete domain: %w", err)
	}
	return nil
}

// PoolDomains returns the pool's domains (prefix and custom), name order.
func (s *Service) PoolDomains(ctx context.Context, poolID string) ([]*Domain, error) {
	ds, err := s.store.ListDomains(ctx, poolID)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return ds, nil
}
