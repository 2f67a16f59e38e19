package ldapsource

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/go-ldap/ldap/v3"
)

// tlsConfig is the TLS configuration of ldaps:// and StartTLS connections:
// TLS 1.2 or later, the server name from server_name or the URL, and the
// CAs of ca_file when given (else the system roots).
func (c *Config) tlsConfig() (*tls.Config, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if conf.ServerName == "" {
		conf.ServerName = u.Hostname()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", c.CAFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// dial connects (and upgrades with StartTLS when configured) within the
// connect timeout and ctx.
func (s *Source) dial(ctx context.Context, tlsConf *tls.Config) (*ldap.Conn, error) {
	d := &net.Dialer{Timeout: s.cfg.ConnectTimeout}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	type result struct {
		c   *ldap.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ldap.DialURL(s.cfg.URL, ldap.DialWithDialer(d), ldap.DialWithTLSConfig(tlsConf))
		if err == nil && s.cfg.StartTLS {
			c.SetTimeout(s.cfg.ConnectTimeout)
			if err = c.StartTLS(tlsConf); err != nil {
				c.Close()
				err = fmt.Errorf("starttls: %w", err)
			}
		}
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("connect: %w", r.err)
		}
		return r.c, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// searchReq runs req on a pooled service-account connection.
func (s *Source) searchReq(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	var res *ldap.SearchResult
	err := withConn(ctx, s.search, s.cfg.RequestTimeout, func(c *ldap.Conn) error {
		var err error
		res, err = c.Search(req)
		return err
	})
	return res, err
}
