package cognitoapi_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestListUsers(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	for i := range 5 {
		s.CreateUser(t, fmt.Sprintf("user%d", i), "Passw0rd!", "email", fmt.Sprintf("u%d@example.com", i), "given_name", []string{"Ann", "Anna", "Bob", "Ann", "Cy"}[i])
	}
	tests := []struct {
		name     string
		filter   string
		want     int
		wantCode string
	}{
		{name: "everyone", want: 5},
		{name: "equals", filter: `given_name = "Ann"`, want: 2},
		{name: "starts with", filter: `given_name ^= "Ann"`, want: 3},
		{name: "no spaces", filter: `email^="u1@"`, want: 1},
		{name: "email is case-insensitive", filter: `email = "U2@EXAMPLE.COM"`, want: 1},
		{name: "status", filter: `cognito:user_status = "confirmed"`, want: 5},
		{name: "username", filter: `username = "user3"`, want: 1},
		{name: "custom attributes are not searchable", filter: `custom:x = "1"`, wantCode: "InvalidParameterException"},
		{name: "malformed", filter: `given_name = Ann`, wantCode: "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID)}
			if tt.filter != "" {
				in.Filter = aws.String(tt.filter)
			}
			out, err := s.API.ListUsers(t.Context(), in)
			if got := apiCode(t, err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err == nil && len(out.Users) != tt.want {
				t.Errorf("%d users, want %d", len(out.Users), tt.want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		t.Parallel()
		seen := map[string]bool{}
		p := cip.NewListUsersPaginator(s.API, &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID), Limit: aws.Int32(2)})
		for p.HasMorePages() {
			out, err := p.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range out.Users {
				seen[aws.ToString(u.Username)] = true
			}
		}
		if len(seen) != 5 {
			t.Errorf("paged through %d users, want 5", len(seen))
		}
	})
	t.Run("attributes to get", func(t *testing.T) {
		t.Parallel()
		out, err := s.API.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID), AttributesToGet: []string{"email"}})
		if err != nil {
			t.Fatal(err)
		}
		if a := out.Users[0].Attributes; len(a) != 1 || aws.ToString(a[0].Name) != "email" {
			t.Errorf("attributes = %+v", a)
		}
	})
	t.Run("limit above 60", func(t *testing.T) {
		t.Parallel()
		_, err := s.API.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID), Limit: aws.Int32(61)})
		if apiCode(t, err) != "InvalidParameterException" {
			t.Errorf("err = %v", err)
		}
	})
}
