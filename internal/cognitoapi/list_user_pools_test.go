package cognitoapi_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestListUserPoolsPages(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	for i := range 4 {
		if _, err := s.API.CreateUserPool(t.Context(), &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("p%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	pages := 0
	p := cip.NewListUserPoolsPaginator(s.API, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.UserPools {
			if seen[aws.ToString(d.Id)] {
				t.Errorf("pool %s listed twice", aws.ToString(d.Id))
			}
			seen[aws.ToString(d.Id)] = true
		}
	}
	if len(seen) != 5 || pages != 3 {
		t.Errorf("listed %d pools in %d pages, want 5 in 3", len(seen), pages)
	}
	_, err := s.API.ListUserPools(t.Context(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("MaxResults 61: %v", err)
	}
}
