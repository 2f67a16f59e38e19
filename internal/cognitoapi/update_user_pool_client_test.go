package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestUpdateAndListUserPoolClients(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	up, err := s.API.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(s.PoolID),
		ClientId: aws.String(s.ClientID), ClientName: aws.String("renamed"),
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.UserPoolClient.ClientName) != "renamed" || up.UserPoolClient.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesEnabled {
		t.Errorf("updated client = %+v", up.UserPoolClient)
	}
	// Unknown users now look like wrong passwords, and the password flow is gone.
	_, err = s.SignIn(ctx, "nobody", "x")
	if apiCode(t, err) != "InvalidParameterException" {
		t.Errorf("disabled flow: %v", err)
	}
	list, err := s.API.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.UserPoolClients) != 1 || aws.ToString(list.UserPoolClients[0].ClientName) != "renamed" {
		t.Errorf("clients = %+v", list.UserPoolClients)
	}
	_, err = s.API.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String("nope")})
	if apiCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("unknown client: %v", err)
	}
	if _, err := s.API.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID)})
	if apiCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("deleted client: %v", err)
	}
}
