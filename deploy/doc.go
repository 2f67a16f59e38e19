// Package deploy holds the deployment templates of Ferry's trigger — the
// AWS SAM application in sam/ and the Terraform module in
// terraform/modules/ferry-trigger with its example root — and the tests
// that check them structurally (references, permissions, the build's
// runtime, architecture and handler), since neither CloudFormation nor
// the Terraform provider can be reached from a test.
package deploy
