// Package docs runs the documentation: every shell block of README.md and
// docs/*.md marked runnable (an HTML comment line `<!-- runnable -->` right
// before its fence, invisible on GitHub) is run as written, one shell
// per document, against a `ferry serve --ephemeral` the test starts where the
// document starts it. Every other shell block must say why it cannot run
// here (`<!-- not runnable: … -->`), so a new block cannot slip past.
// What cannot run is still checked as far as it can be here: every ferry
// command the documents write uses ferry's real subcommands and flags, and
// a block of AWS CLI commands for a real account is parsed and validated
// by the AWS CLI against an endpoint nothing listens on.
package docs
