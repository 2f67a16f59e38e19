// Package trigger is the Lambda adapter of the user-migration trigger: it
// turns Cognito's event into a migration.Request, the migration.Result back
// into Cognito's response, and every failure into the one error type that
// leaves the process (MigrationError, with a fixed user-safe message) or,
// when so configured, into an empty response.
//
// The Event type mirrors Cognito's JSON exactly; its LogValue redacts the
// password so an event can be logged whole.
package trigger
