package userpool

import (
	"context"
	"fmt"
)

// Invoker runs a pool's Lambda trigger the way Cognito reaches Lambda: a JSON
// event in, a JSON event out. Ferry's own trigger runs in-process behind it;
// any other function is reached over the Lambda Invoke API.
//
// Invoke returns *FunctionError when the function ran and failed (Lambda's
// X-Amz-Function-Error), and any other error when the function could not be
// run or did not answer (network, 5xx, deadline): Cognito treats the two
// differently.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// FunctionError is a failure raised by the function itself.
type FunctionError struct {
	Type    string // errorType, e.g. "MigrationError"
	Message string // errorMessage, shown to the user by Cognito
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}
