// Package guard protects the legacy user store from abuse and from
// overload: a Limiter throttles the attempts that would reach it (failed
// attempts per username, all attempts per app client), counting in a
// Counter that lives in memory or in a shared DynamoDB table
// (package dynamocounter); a Breaker per source stops calling a source that
// keeps faulting, fails fast for a cool-down, then lets a few trial calls
// decide whether it has recovered.
//
// Neither knows what a user or a Cognito event is: the migration package
// decides what to count and what a throttled or refused attempt answers.
package guard
