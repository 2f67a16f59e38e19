package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestDeleteUserPool(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	protected, err := s.API.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("keep"),
		DeletionProtection: types.DeletionProtectionTypeActive})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.API.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: protected.UserPool.Id})
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("protected pool: %v", err)
	}
	s.CreateUser(t, "alice", "Passw0rd!")
	if _, err := s.API.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(s.PoolID)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
	if apiCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("deleted pool: %v", err)
	}
	_, err = s.SignIn(ctx, "alice", "Passw0rd!")
	if apiCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("client of a deleted pool: %v", err)
	}
}
