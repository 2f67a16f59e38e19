// Package preflight checks a Cognito user pool and its app clients
// against Ferry's configuration before go-live, and reports every problem
// that would stop users migrating (a blocker) or make the migration worse
// than it needs to be (a warning), each with its fix, and notes the paths
// an app may take that do not migrate (a note).
//
// It reads the pool through the Cognito API only (DescribeUserPool,
// ListUserPoolClients, DescribeUserPoolClient), so it runs the same against
// real Cognito and against the local pool of `ferry serve`.
package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Severity ranks a finding.
type Severity string

// Severities.
const (
	// Blocker: users will not migrate (or not all of them) until it is fixed.
	Blocker Severity = "blocker"
	// Warning: users migrate, but something works worse than it should.
	Warning Severity = "warning"
	// Note: nothing to fix in the pool, but a path an app may take does
	// not migrate; the fix says what the app must do instead.
	Note Severity = "note"
)

// Finding is one problem.
type Finding struct {
	Severity Severity `json:"severity"`
	// Check names the check that found it, e.g. "auth-flows".
	Check string `json:"check"`
	// Client is the app client concerned, when there is one.
	Client string `json:"client,omitempty"`
	// Problem says what is wrong, Fix what to do about it.
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
}

// Report is the outcome of Run.
type Report struct {
	PoolID   string    `json:"pool_id"`
	PoolName string    `json:"pool_name"`
	PoolARN  string    `json:"pool_arn"`
	Clients  int       `json:"clients"`
	Findings []Finding `json:"findings"`
}

// Blockers counts the blocker findings.
func (r *Report) Blockers() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Blocker {
			n++
		}
	}
	return n
}

// API is the part of the Cognito client Run uses; *cip.Client has it.
type API interface {
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	ListUserPoolClients(context.Context, *cip.ListUserPoolClientsInput, ...func(*cip.Options)) (*cip.ListUserPoolClientsOutput, error)
	DescribeUserPoolClient(context.Context, *cip.DescribeUserPoolClientInput, ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
}

// Options say what to compare the pool against.
type Options struct {
	// Expect is what Ferry's configuration expects (zero: pool-side checks only).
	Expect Expectations
	// FunctionARN, when set, is the function (or alias) the pool's
	// UserMigration trigger must name.
	FunctionARN string
}

// ErrPool is returned (wrapped) when the pool or its clients cannot be read.
var ErrPool = errors.New("read user pool")

// maxClients bounds the clients read: a pool holds at most 1,000 app
// clients by Cognito's default quota, and each costs one API call.
const maxClients = 1000

// Run reads the pool poolID and its app clients and reports every problem.
func Run(ctx context.Context, api API, poolID string, o Options) (*Report, error) {
	out, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrPool, poolID, err)
	}
	pool := out.UserPool
	if pool == nil {
		return nil, fmt.Errorf("%w %s: empty answer", ErrPool, poolID)
	}
	var clients []types.UserPoolClientType
	var next *string
	for {
		page, err := api.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID),
			MaxResults: aws.Int32(60), NextToken: next})
		if err != nil {
			return nil, fmt.Errorf("%w %s: list clients: %w", ErrPool, poolID, err)
		}
		for _, d := range page.UserPoolClients {
			c, err := api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: d.ClientId})
			if err != nil {
				return nil, fmt.Errorf("%w %s: client %s: %w", ErrPool, poolID, aws.ToString(d.ClientId), err)
			}
			if c.UserPoolClient != nil {
				clients = append(clients, *c.UserPoolClient)
			}
		}
		next = page.NextToken
		if aws.ToString(next) == "" || len(clients) >= maxClients {
			break
		}
	}
	r := &Report{PoolID: poolID, PoolName: aws.ToString(pool.Name), PoolARN: aws.ToString(pool.Arn), Clients: len(clients)}
	r.Findings = Check(pool, clients, o)
	return r, nil
}

// Check runs every check on an already-read pool and its clients.
func Check(pool *types.UserPoolType, clients []types.UserPoolClientType, o Options) []Finding {
	var fs []Finding
	for _, check := range []func(*types.UserPoolType, []types.UserPoolClientType, Options) []Finding{
		checkTrigger, checkFlows, checkExistence, checkPoolMode, checkAttributes, checkRequired, checkIdentity, checkRecovery,
		checkForgotOracle,
	} {
		fs = append(fs, check(pool, clients, o)...)
	}
	return fs
}
