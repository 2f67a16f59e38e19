// Package e2e is Ferry's cross-client scenario suite: one list of
// scenarios — sign-up and confirmation, password and SRP sign-in, refresh,
// migration on sign-in (CONFIRMED and RESET_REQUIRED, user and admin flows)
// and on forgot-password, wrong passwords, alias conflicts, PreventUserExistenceErrors
// both ways — run against the local user pool through four real clients:
// aws-sdk-go-v2, the AWS CLI (every distinct aws on PATH: the image's v1
// and Debian's v2 where both are installed), the AWS SDK for JavaScript v3
// and amazon-cognito-identity-js. Every token issued is verified with
// aws-jwt-verify, and clients that see the same exception must report the
// same message. The Invoke API mode runs the pool's UserMigration trigger
// as a separate function: a Node Lambda, and Ferry's own handler behind
// lambdainvoketest.Server.
//
// The JavaScript clients live in test/clients/node (npm ci there, as
// scripts/deps.sh does). Without Node or the AWS CLI the tests that need
// them skip locally and fail under FERRY_REQUIRE_INTEGRATION=1.
package e2e
