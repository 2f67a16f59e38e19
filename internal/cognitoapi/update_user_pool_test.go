package cognitoapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestUpdateUserPoolReplacesMutableSettings(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	ctx := t.Context()
	arn := "arn:aws:lambda:us-east-1:000000000000:function:legacy"
	if _, err := s.API.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(s.PoolID),
		LambdaConfig: &types.LambdaConfigType{UserMigration: aws.String(arn), PreSignUp: aws.String(arn + "-pre")}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		t.Fatal(err)
	}
	p := got.UserPool
	if aws.ToString(p.LambdaConfig.UserMigration) != arn || aws.ToString(p.LambdaConfig.PreSignUp) != arn+"-pre" {
		t.Errorf("LambdaConfig = %+v", p.LambdaConfig)
	}
	if len(p.AutoVerifiedAttributes) != 0 {
		t.Errorf("AutoVerifiedAttributes = %v; replace semantics reset what the update left out", p.AutoVerifiedAttributes)
	}
	if len(p.AliasAttributes) != 1 {
		t.Errorf("AliasAttributes = %v; immutable settings survive updates", p.AliasAttributes)
	}
	_, err = s.API.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_missing1")})
	if apiCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("unknown pool: %v", err)
	}
}
