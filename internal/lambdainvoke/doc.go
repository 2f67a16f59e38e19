// Package lambdainvoke reaches a user pool's Lambda trigger the ways Cognito
// can: an aws-lambda-go handler run in-process (InProcess) and any function
// behind the Lambda Invoke API (NewHTTP). The other side of that API, for
// tests, is package lambdainvoketest.
//
// Both speak userpool.Invoker's contract: a function that ran and
// failed is a *userpool.FunctionError (Lambda's X-Amz-Function-Error), a
// function that could not be run or did not answer is any other error.
// Neither retries: the pool decides retries, as Cognito does.
//
// Payloads carry plaintext passwords (UserMigration_Authentication), so
// nothing here ever logs a payload.
package lambdainvoke
