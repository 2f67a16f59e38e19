// Package dynamocounter keeps the throttle's counts in a DynamoDB table,
// so that every Lambda instance of a trigger sees the same counts: with
// in-memory counts, N warm instances would let an attacker spread over
// them try N times the limit.
//
// Each count is one item: partition key "pk" (a string naming the scope,
// a hash of the username or client id, and the window), a number "n", and
// a number "expires_at" (Unix seconds) for the table's TTL to collect it.
// Taking a unit is one atomic UpdateItem — ADD n 1, guarded by the
// condition that n is absent or below the limit — so concurrent instances
// can never take more than the limit between them.
//
// The table:
//
//	aws dynamodb create-table --table-name ferry-throttle \
//	  --attribute-definitions AttributeName=pk,AttributeType=S \
//	  --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST
//	aws dynamodb update-time-to-live --table-name ferry-throttle \
//	  --time-to-live-specification Enabled=true,AttributeName=expires_at
//
// The trigger's role needs dynamodb:UpdateItem on it.
package dynamocounter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-migrate/ferry/internal/guard"
)

// Attribute names of a count item.
const (
	AttrKey     = "pk"
	AttrCount   = "n"
	AttrExpires = "expires_at"
)

// API is the part of the DynamoDB client the counter uses.
type API interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Counter is a guard.Counter in a DynamoDB table. It is safe for
// concurrent use.
type Counter struct {
	api   API
	table string
}

var _ guard.Counter = (*Counter)(nil)

// New returns a counter in table through api.
func New(api API, table string) *Counter { return &Counter{api: api, table: table} }

// Open makes a DynamoDB client the standard way (environment, shared
// config, the Lambda role) for c's region and endpoint, and returns a
// counter in c.Table.
func Open(ctx context.Context, c guard.CounterConfig) (*Counter, error) {
	if c.Table == "" {
		return nil, errors.New("dynamocounter: no table")
	}
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("dynamocounter: aws config: %w", err)
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		// One retry: the limiter's own timeout bounds the call, and a
		// table that fails twice is better reported than waited for.
		o.RetryMaxAttempts = 2
	})
	return New(client, c.Table), nil
}

// Take implements guard.Counter with one conditional UpdateItem.
func (c *Counter) Take(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	if limit <= 0 {
		return false, nil
	}
	_, err := c.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(c.table),
		Key:                 map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: key}},
		UpdateExpression:    aws.String("ADD #n :one SET #exp = if_not_exists(#exp, :exp)"),
		ConditionExpression: aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames: map[string]string{
			"#n": AttrCount, "#exp": AttrExpires,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one":   &types.AttributeValueMemberN{Value: "1"},
			":exp":   &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
			":limit": &types.AttributeValueMemberN{Value: strconv.FormatInt(limit, 10)},
		},
	})
	if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dynamocounter: take: %w", err)
	}
	return true, nil
}

// Give implements guard.Counter: ADD n -1 on the condition that n is
// above zero, so a count never goes negative and a missing one stays
// missing.
func (c *Counter) Give(ctx context.Context, key string) error {
	_, err := c.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(c.table),
		Key:                       map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: key}},
		UpdateExpression:          aws.String("ADD #n :minus"),
		ConditionExpression:       aws.String("#n > :zero"),
		ExpressionAttributeNames:  map[string]string{"#n": AttrCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": &types.AttributeValueMemberN{Value: "-1"}, ":zero": &types.AttributeValueMemberN{Value: "0"}},
	})
	if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamocounter: give: %w", err)
	}
	return nil
}
