package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestUserPoolDomain(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	pool := aws.String(s.PoolID)

	for _, bad := range []string{"My-App", "-app", "my-cognito-app", ""} {
		_, err := s.API.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String(bad)})
		if got := apiCode(t, err); got != "InvalidParameterException" {
			t.Errorf("domain %q: code = %q, want InvalidParameterException", bad, got)
		}
	}
	if _, err := s.API.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("my-app")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.API.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("my-other-app")})
	if got := apiCode(t, err); got != "InvalidParameterException" {
		t.Errorf("second prefix domain: code = %q", got)
	}
	d, err := s.API.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.DomainDescription.UserPoolId) != s.PoolID || d.DomainDescription.Status != types.DomainStatusTypeActive ||
		aws.ToInt32(d.DomainDescription.ManagedLoginVersion) != 1 {
		t.Errorf("description = %+v", d.DomainDescription)
	}
	u, err := s.API.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("my-app"), ManagedLoginVersion: aws.Int32(2)})
	if err != nil || aws.ToInt32(u.ManagedLoginVersion) != 2 {
		t.Fatalf("update = %+v, %v", u, err)
	}
	if _, err := s.API.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("my-app")}); err != nil {
		t.Fatal(err)
	}
	d, err = s.API.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if err != nil || d.DomainDescription.UserPoolId != nil {
		t.Errorf("after delete: %+v, %v", d.DomainDescription, err)
	}
}

func TestResourceServers(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	pool := aws.String(s.PoolID)
	scopes := []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}}
	for _, id := range []string{"https://api.example.com", "billing"} {
		if _, err := s.API.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: aws.String(id), Name: aws.String("api"), Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.API.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: aws.String("billing"), Name: aws.String("api")})
	if got := apiCode(t, err); got != "InvalidParameterException" {
		t.Errorf("duplicate: code = %q", got)
	}
	l, err := s.API.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(1)})
	if err != nil || len(l.ResourceServers) != 1 || l.NextToken == nil {
		t.Fatalf("page 1 = %+v, %v", l, err)
	}
	l, err = s.API.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(1), NextToken: l.NextToken})
	if err != nil || len(l.ResourceServers) != 1 || l.NextToken != nil {
		t.Fatalf("page 2 = %+v, %v", l, err)
	}
	newScopes := append(scopes, types.ResourceServerScopeType{ScopeName: aws.String("write"), ScopeDescription: aws.String("Write orders")})
	if _, err := s.API.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: pool, Identifier: aws.String("billing"), Name: aws.String("Billing"), Scopes: newScopes}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.API.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: pool, Identifier: aws.String("billing")})
	if err != nil || aws.ToString(rs.ResourceServer.Name) != "Billing" || len(rs.ResourceServer.Scopes) != 2 {
		t.Fatalf("describe = %+v, %v", rs, err)
	}
	if _, err := s.API.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: aws.String("billing")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: pool, Identifier: aws.String("billing")})
	if got := apiCode(t, err); got != "ResourceNotFoundException" {
		t.Errorf("after delete: code = %q", got)
	}
}

func TestClientOAuthSettings(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	if _, err := s.API.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(s.PoolID), Identifier: aws.String("orders"), Name: aws.String("orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}}}); err != nil {
		t.Fatal(err)
	}
	code := []types.OAuthFlowType{types.OAuthFlowTypeCode}
	tests := []struct {
		name     string
		in       cip.CreateUserPoolClientInput
		wantCode string
	}{
		{name: "code flow", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code, AllowedOAuthFlowsUserPoolClient: true,
			CallbackURLs: []string{"https://app.example.com/cb", "http://localhost:3000/cb"}, DefaultRedirectURI: aws.String("http://localhost:3000/cb"),
			LogoutURLs: []string{"https://app.example.com/"}, AllowedOAuthScopes: []string{"openid", "email", "orders/read"}, SupportedIdentityProviders: []string{"COGNITO"}}},
		{name: "no callback", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code}, wantCode: "InvalidOAuthFlowException"},
		{name: "http not localhost", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code, CallbackURLs: []string{"http://app.example.com/cb"}}, wantCode: "InvalidParameterException"},
		{name: "fragment", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code, CallbackURLs: []string{"https://app.example.com/cb#x"}}, wantCode: "InvalidParameterException"},
		{name: "default not a callback", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code, CallbackURLs: []string{"https://a.example.com/"}, DefaultRedirectURI: aws.String("https://b.example.com/")}, wantCode: "InvalidParameterException"},
		{name: "unknown scope", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: code, CallbackURLs: []string{"https://a.example.com/"}, AllowedOAuthScopes: []string{"orders/write"}}, wantCode: "ScopeDoesNotExistException"},
		{name: "client credentials without secret", in: cip.CreateUserPoolClientInput{AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"orders/read"}}, wantCode: "InvalidOAuthFlowException"},
		{name: "client credentials", in: cip.CreateUserPoolClientInput{GenerateSecret: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"orders/read"}}},
		{name: "federated provider", in: cip.CreateUserPoolClientInput{SupportedIdentityProviders: []string{"Google"}}, wantCode: "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.UserPoolId, in.ClientName = aws.String(s.PoolID), aws.String("web")
			out, err := s.API.CreateUserPoolClient(ctx, &in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			d, err := s.API.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: out.UserPoolClient.ClientId})
			if err != nil {
				t.Fatal(err)
			}
			c := d.UserPoolClient
			if len(c.AllowedOAuthFlows) != len(in.AllowedOAuthFlows) || len(c.AllowedOAuthScopes) != len(in.AllowedOAuthScopes) ||
				len(c.CallbackURLs) != len(in.CallbackURLs) || aws.ToBool(c.AllowedOAuthFlowsUserPoolClient) != in.AllowedOAuthFlowsUserPoolClient {
				t.Errorf("described client = %+v", c)
			}
		})
	}
}
