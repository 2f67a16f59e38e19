package lambdainvoke

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// InProcess returns an Invoker that runs handler — any function
// lambda.Start accepts, or a lambda.Handler — in this process through
// lambda.NewHandler(handler).Invoke, with the same JSON (de)serialisation the
// Lambda runtime applies.
//
// An error returned by the handler becomes a *userpool.FunctionError whose
// Type is the error's Go type name as aws-lambda-go reports it
// (MigrationError for a *trigger.MigrationError, errorString for
// errors.New) and whose Message is its text. A panic is reported the same
// way (the runtime would report it and restart the sandbox); it never
// crashes the pool. Each invocation gets a Lambda context with a fresh
// request id, as the runtime gives one, so the function's logs can be
// correlated. When ctx ended before the handler answered, the error is
// a plain one wrapping ctx.Err(): the function did not answer.
func InProcess(handler any) userpool.Invoker {
	return inProcess{h: lambda.NewHandler(handler)}
}

type inProcess struct{ h lambda.Handler }

func (p inProcess) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if _, ok := lambdacontext.FromContext(ctx); !ok {
		ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: uuid.NewString()})
	}
	out, ferr := run(ctx, p.h, payload)
	if ferr != nil {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("lambda function did not answer: %w", err)
		}
		return nil, ferr
	}
	return out, nil
}

// run calls h and turns a returned error or a panic into the function error
// the Lambda runtime would report. The caller decides what a cancelled ctx
// means.
func run(ctx context.Context, h lambda.Handler, payload []byte) (out []byte, ferr *userpool.FunctionError) {
	defer func() {
		if v := recover(); v != nil {
			out, ferr = nil, &userpool.FunctionError{Type: typeName(v), Message: fmt.Sprint(v)}
		}
	}()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		return nil, functionError(err)
	}
	return out, nil
}

// functionError mirrors aws-lambda-go's lambdaErrorResponse exactly: an
// error that is a runtime error response (by type assertion, not errors.As,
// as the runtime does) keeps its type and message; any other error is named
// after its Go type, through one pointer.
func functionError(err error) *userpool.FunctionError {
	if ive, ok := err.(messages.InvokeResponse_Error); ok { //nolint:errorlint // the runtime asserts, it does not unwrap
		return &userpool.FunctionError{Type: ive.Type, Message: ive.Message}
	}
	return &userpool.FunctionError{Type: typeName(err), Message: err.Error()}
}

// typeName is aws-lambda-go's getErrorType: the type's name, through one
// pointer.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}
