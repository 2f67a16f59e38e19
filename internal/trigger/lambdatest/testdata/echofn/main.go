// Command echofn is a minimal Lambda function for the harness's own test:
// it answers {"echo": <payload>}, fails with a typed error when the payload
// is {"fail": true}, and reports an init error when ECHOFN_INIT_FAIL is set.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type echoError struct{}

func (echoError) Error() string { return "asked to fail" }

func main() {
	if os.Getenv("ECHOFN_INIT_FAIL") != "" {
		panic("init failure")
	}
	lambda.Start(func(ctx context.Context, in json.RawMessage) (map[string]any, error) {
		var v struct{ Fail bool }
		_ = json.Unmarshal(in, &v)
		if v.Fail {
			return nil, echoError{}
		}
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		return map[string]any{"echo": in, "requestId": lc.AwsRequestID, "arn": lc.InvokedFunctionArn, "hasDeadline": !dl.IsZero()}, nil
	})
}
