// Package migration is Ferry's use case: given what a user typed at sign-in
// or forgot-password, find them in the chain of legacy sources, verify the
// password, and decide what Cognito should create — attributes, final
// status, message and alias policy. It knows nothing of AWS types; the
// trigger package adapts Cognito's event to Request and Result.
//
// Every outcome that means "no" (unknown user, wrong password, disabled
// user) becomes the one generic ErrNotMigrated, so a caller cannot tell them
// apart; a fault (source down, malformed hash, missing verified channel for
// a reset) is a *Fault, logged precisely and never reported as a wrong
// password.
package migration
