// Package docs runs the documentation: every shell block of README.md and
// docs/*.md marked runnable (an HTML comment line `<!-- runnable -->` right
// before its fence, invisible on GitHub) is run as written, one shell
// per document, against a `ferry serve --ephemeral` the test starts where the
// document starts it. Every other shell block must say why it cannot run
// here (`<!-- not runnable: … -->`), so a new block cannot slip past.
package docs
